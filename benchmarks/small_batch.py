"""small-batch: microseconds per optimizer step at a tiny batch (per-step overhead).

Digits (the project's 75/25 stratified split; 1347 training images scaled to [0, 1]), a
64-32-10 relu/softmax network, Adam, batch 16, float64: 85 steps per epoch, where
everything but the arithmetic — Python-level validation, allocations, small ufunc calls —
decides the speed. mlplab's and scikit-learn's MLPClassifier ``fit`` exactly
``--epochs`` epochs (Glorot initialization, a fresh permutation every epoch); the
PyTorch loop (in a process of its own) starts from mlplab's Glorot draw and trains the
same epochs with the same loss (cross-entropy + 0.5·alpha·‖W‖²/batch). The result is
the time of one call divided by epochs × steps, so it includes each library's per-fit
overhead, spread thin.

The "GEMM floor" row times the five matrix products of a step alone, on preallocated
buffers: what is left is overhead.

    python benchmarks/small_batch.py
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (
    Remote,
    facts_line,
    interleave_healthy,
    machine_facts,
    markdown_table,
    paired_ratio,
    serve,
    summary,
    wait_for_quiet,
)

HIDDEN, BATCH, ALPHA, LEARNING_RATE = 32, 16, 1e-4, 1e-3


def digits_train():
    from mlplab.datasets import digits_split

    X_train, _, y_train, _ = digits_split()
    return X_train / 16.0, y_train


def fixed_epochs(epochs: int) -> dict:
    """Parameters that make both estimators run exactly ``epochs`` epochs."""
    return {"max_iter": epochs, "tol": 0.0, "n_iter_no_change": epochs + 1}


def mlplab_runner(X, y, epochs):
    import mlplab

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlplab.MLPClassifier(
                hidden_layer_sizes=(HIDDEN,),
                batch_size=BATCH,
                alpha=ALPHA,
                learning_rate_init=LEARNING_RATE,
                random_state=0,
                **fixed_epochs(epochs),
            ).fit(X, y)

    return run


def sklearn_runner(X, y, epochs):
    from sklearn.neural_network import MLPClassifier

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MLPClassifier(
                hidden_layer_sizes=(HIDDEN,),
                batch_size=BATCH,
                alpha=ALPHA,
                learning_rate_init=LEARNING_RATE,
                random_state=0,
                **fixed_epochs(epochs),
            ).fit(X, y)

    return run


def _glorot_thetas():
    """θ⁽¹⁾, θ⁽²⁾ of a 64-32-10 network drawn by mlplab's Glorot rule (scikit-learn's)."""
    import mlplab

    net = mlplab.Network([64, HIDDEN, 10], "relu", "softmax", initializer="glorot", random_state=0)
    return [theta.copy() for theta in net.thetas]


def torch_runner(X, y, epochs):
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y.astype(np.int64))
    thetas = _glorot_thetas()

    def run():
        model = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10)).double()
        with torch.no_grad():
            for layer, theta in zip((model[0], model[2]), thetas):
                layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(theta[:, 1:])))
                layer.bias.copy_(torch.from_numpy(theta[:, 0].copy()))
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-8)
        weights = (model[0].weight, model[2].weight)
        generator = np.random.default_rng(0)
        n = X_t.shape[0]
        for _ in range(epochs):
            order = torch.from_numpy(generator.permutation(n))
            for start in range(0, n, BATCH):
                index = order[start : start + BATCH]
                optimizer.zero_grad(set_to_none=True)
                loss = nn.functional.cross_entropy(model(X_t[index]), y_t[index])
                loss = loss + 0.5 * ALPHA * sum((w * w).sum() for w in weights) / len(index)
                loss.backward()
                optimizer.step()

    return run


def gemm_floor_runner(X, y, epochs):
    """Only the five matrix products of every step, on preallocated buffers."""
    W1, W2 = (np.ascontiguousarray(theta[:, 1:]) for theta in _glorot_thetas())
    n = X.shape[0]
    buffers = {}

    def run():
        for _ in range(epochs):
            for start in range(0, n, BATCH):
                Xb = X[start : start + BATCH]
                m = Xb.shape[0]
                if m not in buffers:
                    buffers[m] = (
                        np.empty((m, HIDDEN)),
                        np.empty((m, 10)),
                        np.empty((10, HIDDEN)),
                        np.empty((m, HIDDEN)),
                        np.empty((HIDDEN, 64)),
                    )
                H, O, dW2, D1, dW1 = buffers[m]
                np.matmul(Xb, W1.T, out=H)
                np.matmul(H, W2.T, out=O)
                np.matmul(O.T, H, out=dW2)
                np.matmul(O, W2, out=D1)
                np.matmul(D1.T, Xb, out=dW1)

    return run


def run(epochs: int, rounds: int) -> tuple[str, dict]:
    """Benchmark every implementation; return the markdown section and the raw results."""
    X, y = digits_train()
    makers = {
        "GEMM floor": gemm_floor_runner,
        "mlplab": mlplab_runner,
        "scikit-learn": sklearn_runner,
    }
    runs = {name: make(X, y, epochs) for name, make in makers.items()}
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:  # in a process of its own, as in mnist_shape.py (its threads slow numpy)
        command = [sys.executable, __file__, "--serve", "--epochs", str(epochs)]
        runs["PyTorch"] = Remote(command)
    for run_once in runs.values():
        run_once()
    wait_for_quiet()
    times, discarded = interleave_healthy(runs, rounds)
    if "PyTorch" in runs:
        runs["PyTorch"].close()
    steps = epochs * math.ceil(X.shape[0] / BATCH)
    ours = summary(times["mlplab"])[0]
    rows = []
    for name, samples in times.items():
        median, low, high = summary(samples)
        paired = paired_ratio(times["mlplab"], samples)
        rows.append(
            [
                name,
                f"{median / steps * 1e6:.1f} ({low / steps * 1e6:.1f}–{high / steps * 1e6:.1f})",
                "—" if name in ("mlplab", "GEMM floor") else f"{ours / median:.2f} ({paired:.2f})",
            ]
        )
    text = "\n".join(
        [
            f"### small-batch: digits 64-{HIDDEN}-10 relu, Adam, batch {BATCH}, float64 "
            f"(µs per step: median (min–max) of {rounds} interleaved rounds, "
            f"{steps} steps per call)",
            "",
            markdown_table(
                ["implementation", "µs per step", "mlplab's time / this (round by round)"], rows
            ),
            "",
            f"Rounds discarded because the machine stalled: {discarded}.",
        ]
    )
    return text, {"times": times, "steps": steps, "discarded": discarded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(torch_runner(*digits_train(), args.epochs))
        return
    print("Machine: " + facts_line(machine_facts()))
    print()
    print(run(args.epochs, args.rounds)[0])


if __name__ == "__main__":
    main()
