"""Where an mnist-shape training step spends its time, component by component.

Replays the calls of :meth:`mlplab.network.Network._train_step` and the trainer's loop
for a 784-256-10 relu/softmax network with Adam (the mnist-shape benchmark), timing each
part over whole epochs: the batch gather, the five matrix products, the activation and
its derivative, the softmax output with loss and δ, and the L2 term with the penalty
sum and the Adam update (one fused pass, as the trainer runs them). The last rows
compare the sum with a real epoch of :class:`mlplab.training.Trainer` (the difference is
the loop's own Python) and with the estimator's ``partial_fit`` (which adds
scikit-learn's input validation).

    python benchmarks/profile_step.py --batch 128 --dtype float32
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import facts_line, healthy, machine_facts, markdown_table, timed, wait_for_quiet
from mnist_shape import (
    ALPHA,
    N_CLASSES,
    N_FEATURES,
    N_HIDDEN,
    initial_weights,
    make_data,
    mlplab_runner,
)

PARTS = (
    "gather batch",
    "matmul: forward hidden",
    "relu",
    "matmul: forward output",
    "softmax, loss, δ, accuracy",
    "matmul: backward (3 products)",
    "relu′",
    "L2 term + penalty sum + Adam (one fused pass)",
)


def component_times(X, y, batch: int, passes: int) -> dict[str, float]:
    """Median over ``passes`` epochs of each part's µs per step."""
    from mlplab import _kernels
    from mlplab.network import Network
    from mlplab.optimizers import Adam

    dtype = X.dtype
    Y = np.eye(N_CLASSES, dtype=dtype)[y]
    net = Network([N_FEATURES, N_HIDDEN, N_CLASSES], "relu", "softmax", dtype=dtype)
    net.thetas = initial_weights(dtype)
    kernels = _kernels.kernels_for(dtype)
    optimizer = Adam(net.n_params, dtype)
    optimizer.kernels = kernels
    grad = np.empty_like(net.theta)
    layout = net.layout
    theta = net.theta
    ws = net.workspace(batch)
    Y_batch = np.empty((batch, N_CLASSES), dtype)
    theta1, theta2 = net.thetas
    grad1 = grad[: theta1.size].reshape(theta1.shape)
    grad2 = grad[theta1.size :].reshape(theta2.shape)
    clock = time.perf_counter
    per_pass = []
    rng = np.random.default_rng(0)
    retries = passes
    with np.errstate(under="ignore", over="ignore", invalid="ignore", divide="ignore"):
        while len(per_pass) < passes + 1:  # the first pass warms up
            stalled = not healthy()
            order = rng.permutation(X.shape[0])
            spent = dict.fromkeys(PARTS, 0.0)
            steps = 0
            for start in range(0, X.shape[0] - batch + 1, batch):
                t0 = clock()
                kernels.gather(X, Y, order, start, ws, Y_batch)
                t1 = clock()
                np.matmul(ws.a_with_bias[1], theta1.T, out=ws.a[2])
                t2 = clock()
                kernels.activate("relu", ws.a_with_bias[2], ws.a[2])
                t3 = clock()
                np.matmul(ws.a_with_bias[2], theta2.T, out=ws.logits)
                t4 = clock()
                kernels.output_loss_delta_and_score("softmax", ws, Y_batch, ws.scale, 1, None)
                t5 = clock()
                np.matmul(ws.delta[3].T, ws.a_with_bias[2], out=grad2)
                np.matmul(ws.delta[3], theta2[:, 1:], out=ws.delta[2])
                t6 = clock()
                kernels.derivative("relu", ws.a_with_bias[2], ws.delta[2], ws)
                t7 = clock()
                np.matmul(ws.delta[2].T, ws.a_with_bias[1], out=grad1)
                t8 = clock()
                optimizer.step_with_decay(theta, grad, layout, ALPHA / batch)
                t9 = clock()
                backward = t6 - t5 + t8 - t7
                parts = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, backward)
                for part, seconds in zip(PARTS, (*parts, t7 - t6, t9 - t8)):
                    spent[part] += seconds
                steps += 1
            if (stalled or not healthy()) and retries > 0 and per_pass:
                retries -= 1  # the machine stalled during this epoch: measure it again
                wait_for_quiet(timeout=30.0)
                continue
            per_pass.append({part: seconds / steps * 1e6 for part, seconds in spent.items()})
    return {part: statistics.median(p[part] for p in per_pass[1:]) for part in PARTS}


def trainer_epoch(X, y, batch: int, passes: int) -> float:
    """Median µs per step of a real Trainer epoch."""
    from mlplab.network import Network
    from mlplab.training import Trainer, TrainingConfig

    dtype = X.dtype
    Y = np.eye(N_CLASSES, dtype=dtype)[y]
    net = Network([N_FEATURES, N_HIDDEN, N_CLASSES], "relu", "softmax", dtype=dtype)
    net.thetas = initial_weights(dtype)
    trainer = Trainer(net, TrainingConfig(alpha=ALPHA, batch_size=batch), random_state=0)
    steps = -(-X.shape[0] // batch)
    return _median_healthy(lambda: trainer.fit(X, Y, epochs=1), steps, passes)


def estimator_epoch(X, y, batch: int, passes: int) -> float:
    """Median µs per step of the estimator's partial_fit epoch."""
    epoch = mlplab_runner(X, y, batch, initial_weights(X.dtype))
    steps = -(-X.shape[0] // batch)
    return _median_healthy(epoch, steps, passes)


def _median_healthy(epoch, steps: int, passes: int) -> float:
    """Median µs per step of ``passes`` epochs after a warm-up, retrying stalled ones."""
    epoch()
    times = []
    retries = passes
    while len(times) < passes:
        stalled = not healthy()
        seconds = timed(epoch)
        if (stalled or not healthy()) and retries > 0:
            retries -= 1
            wait_for_quiet(timeout=30.0)
            continue
        times.append(seconds / steps * 1e6)
    return statistics.median(times)


def run(batch: int, dtype: str, passes: int, X=None, y=None) -> tuple[str, dict]:
    """Profile one configuration; return the markdown section and the figures."""
    if X is None:
        X, y = make_data(np.dtype(dtype))
    wait_for_quiet()
    parts = component_times(X, y, batch, passes)
    total = sum(parts.values())
    trainer = trainer_epoch(X, y, batch, passes)
    estimator = estimator_epoch(X, y, batch, passes)
    matmuls = sum(v for k, v in parts.items() if k.startswith("matmul"))
    rows = [[part, f"{us:.1f}", f"{us / total:.0%}"] for part, us in parts.items()]
    rows += [
        ["**sum of the parts**", f"**{total:.1f}**", "100%"],
        ["of which matrix products", f"{matmuls:.1f}", f"{matmuls / total:.0%}"],
        ["Trainer epoch, per step", f"{trainer:.1f}", f"{trainer / total:.0%}"],
        ["estimator partial_fit epoch, per step", f"{estimator:.1f}", f"{estimator / total:.0%}"],
    ]
    text = "\n".join(
        [
            f"### Where a step goes: mnist-shape, batch {batch}, {dtype} "
            f"(µs per step, median of {passes} epochs)",
            "",
            markdown_table(["part", "µs per step", "share of the parts"], rows),
        ]
    )
    return text, {"parts": parts, "trainer": trainer, "estimator": estimator}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    print("Machine: " + facts_line(machine_facts()))
    print()
    print(run(args.batch, args.dtype, args.passes)[0])


if __name__ == "__main__":
    main()
