"""mnist-shape: one training epoch of a 784-256-10 relu/softmax network with Adam.

Synthetic data of MNIST's shape (60000 × 784, 10 classes), trained by mlplab, by
scikit-learn's MLPClassifier and (when installed) by an equivalent PyTorch CPU loop: same
architecture, same initial weights (scikit-learn's Glorot rule), same loss (cross-entropy
plus 0.5·alpha·‖W‖²/batch, biases excluded), Adam with the same hyperparameters, shuffled
mini-batches. The "GEMM floor" times only the five matrix products of each step (two
forward, three backward), preallocated — what no implementation can beat on this BLAS.

Each implementation trains one warm-up epoch, then one epoch per round; rounds are
interleaved. Peak memory is measured in a separate process per implementation (peak RSS
during one epoch minus the RSS after the data and model are ready).

    python benchmarks/mnist_shape.py                     # float32, batches 32/128/512
    python benchmarks/mnist_shape.py --dtype float64 --batches 128
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (
    fmt_seconds,
    interleave,
    machine_facts,
    markdown_table,
    peak_rss_mib,
    summary,
)

N_SAMPLES, N_FEATURES, N_HIDDEN, N_CLASSES = 60000, 784, 256, 10
ALPHA = 1e-4
LEARNING_RATE = 1e-3


def make_data(dtype, seed: int = 0):
    """Synthetic MNIST-shaped data: class-dependent means so that learning is possible."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_CLASSES, N_SAMPLES)
    centers = rng.standard_normal((N_CLASSES, N_FEATURES), dtype=np.float32)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES), dtype=np.float32)
    X += centers[y]
    return X.astype(dtype, copy=False), y


def initial_weights(dtype, seed: int = 0):
    """θ⁽¹⁾, θ⁽²⁾ drawn with scikit-learn's Glorot rule, shared by every implementation."""
    import mlplab

    net = mlplab.Network(
        [N_FEATURES, N_HIDDEN, N_CLASSES],
        activation="relu",
        output="softmax",
        initializer="glorot",
        random_state=seed,
        dtype=dtype,
    )
    return [theta.copy() for theta in net.thetas]


def flops_per_epoch(batch: int) -> float:
    """2·m·n·k summed over the five products of every step of an epoch."""
    per_example = 2 * (N_FEATURES * N_HIDDEN + N_HIDDEN * N_CLASSES)  # forward
    per_example += 2 * (N_CLASSES * N_HIDDEN * 2 + N_HIDDEN * N_FEATURES)  # backward
    return float(per_example * N_SAMPLES)


# ---------------------------------------------------------------------- runners
def gemm_floor(X, y, batch: int, thetas):
    """One epoch of only the matrix products, into preallocated buffers."""
    dtype = X.dtype
    W1 = np.ascontiguousarray(thetas[0][:, 1:])
    W2 = np.ascontiguousarray(thetas[1][:, 1:])
    buffers = {}

    def epoch():
        for start in range(0, N_SAMPLES, batch):
            Xb = X[start : start + batch]
            m = Xb.shape[0]
            if m not in buffers:
                buffers[m] = (
                    np.empty((m, N_HIDDEN), dtype),
                    np.empty((m, N_CLASSES), dtype),
                    np.empty((N_CLASSES, N_HIDDEN), dtype),
                    np.empty((m, N_HIDDEN), dtype),
                    np.empty((N_HIDDEN, N_FEATURES), dtype),
                )
            H, O, dW2, D1, dW1 = buffers[m]
            np.matmul(Xb, W1.T, out=H)
            np.matmul(H, W2.T, out=O)
            np.matmul(O.T, H, out=dW2)
            np.matmul(O, W2, out=D1)
            np.matmul(D1.T, Xb, out=dW1)

    return epoch


def mlplab_runner(X, y, batch: int, thetas):
    """mlplab's estimator, one epoch per partial_fit."""
    import mlplab

    clf = mlplab.MLPClassifier(
        hidden_layer_sizes=(N_HIDDEN,),
        activation="relu",
        solver="adam",
        alpha=ALPHA,
        batch_size=batch,
        learning_rate_init=LEARNING_RATE,
        random_state=0,
        dtype=X.dtype,
    )
    classes = np.arange(N_CLASSES)
    clf.partial_fit(X[:batch], y[:batch], classes=classes)
    clf.network_.thetas = thetas

    def epoch():
        clf.partial_fit(X, y)

    return epoch


def sklearn_runner(X, y, batch: int, thetas):
    """scikit-learn's MLPClassifier, one epoch per partial_fit."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(N_HIDDEN,),
        activation="relu",
        solver="adam",
        alpha=ALPHA,
        batch_size=batch,
        learning_rate_init=LEARNING_RATE,
        random_state=0,
    )
    classes = np.arange(N_CLASSES)
    clf.partial_fit(X[:batch], y[:batch], classes=classes)
    clf.coefs_ = [np.ascontiguousarray(t[:, 1:].T) for t in thetas]
    clf.intercepts_ = [t[:, 0].copy() for t in thetas]
    del clf._optimizer  # start Adam afresh on the shared weights, as the others do

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y)

    return epoch


def torch_runner(X, y, batch: int, thetas):
    """The same network, loss and Adam as a plain PyTorch CPU loop."""
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    model = nn.Sequential(
        nn.Linear(N_FEATURES, N_HIDDEN), nn.ReLU(), nn.Linear(N_HIDDEN, N_CLASSES)
    ).to(dtype)
    with torch.no_grad():
        for layer, theta in zip((model[0], model[2]), thetas):
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(theta[:, 1:])))
            layer.bias.copy_(torch.from_numpy(theta[:, 0].copy()))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-8)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y.astype(np.int64))
    generator = np.random.default_rng(0)
    weights = (model[0].weight, model[2].weight)

    def epoch():
        order = torch.from_numpy(generator.permutation(N_SAMPLES))
        for start in range(0, N_SAMPLES, batch):
            index = order[start : start + batch]
            xb, yb = X_t[index], y_t[index]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            penalty = sum((w * w).sum() for w in weights)
            loss = nn.functional.cross_entropy(logits, yb) + 0.5 * ALPHA * penalty / len(index)
            loss.backward()
            optimizer.step()

    return epoch


RUNNERS = {
    "GEMM floor": gemm_floor,
    "mlplab": mlplab_runner,
    "scikit-learn": sklearn_runner,
    "PyTorch": torch_runner,
}


def available(names):
    """Drop PyTorch when it is not installed."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return [n for n in names if n != "PyTorch"]
    return list(names)


# ---------------------------------------------------------------------- memory
def _current_rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_child(name: str, batch: int, dtype: str) -> None:
    """In a fresh process: peak RSS of one epoch over the RSS with data and model ready."""
    X, y = make_data(np.dtype(dtype))
    run = RUNNERS[name](X, y, batch, initial_weights(np.dtype(dtype)))
    ready = max(_current_rss_mib(), peak_rss_mib())
    run()
    print(json.dumps({"extra_mib": peak_rss_mib() - ready}))


def measure_memory(name: str, batch: int, dtype: str) -> float:
    """Run :func:`memory_child` in a subprocess and return its extra MiB."""
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory-child",
            name,
            "--batches",
            str(batch),
            "--dtype",
            dtype,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["extra_mib"]


# ---------------------------------------------------------------------- main
def run(batches, dtype: str, rounds: int, with_memory: bool) -> str:
    """Benchmark every implementation; return the markdown section."""
    X, y = make_data(np.dtype(dtype))
    thetas = initial_weights(np.dtype(dtype))
    names = available(RUNNERS)
    lines = [f"### mnist-shape, {dtype}, one epoch (seconds: median (min–max) of {rounds})", ""]
    rows = []
    for batch in batches:
        runners = {name: RUNNERS[name](X, y, batch, thetas) for name in names}
        for runner in runners.values():  # warm-up epoch: buffers, caches, first-touch
            runner()
        times = interleave(runners, rounds)
        floor = summary(times["GEMM floor"])[0]
        ours = summary(times["mlplab"])[0]
        flops = flops_per_epoch(batch)
        for name in names:
            median = summary(times[name])[0]
            rows.append(
                [
                    str(batch),
                    name,
                    fmt_seconds(times[name]),
                    f"{flops / median / 1e9:.0f}",
                    f"{median / floor:.2f}×",
                    "—" if name == "mlplab" else f"{median / ours:.2f}×",
                ]
            )
        print(f"batch {batch} done", file=sys.stderr)
    lines.append(
        markdown_table(
            ["batch", "implementation", "epoch s", "GFLOP/s", "vs GEMM floor", "vs mlplab"],
            rows,
        )
    )
    if with_memory:
        mem_rows = []
        batch = 128 if 128 in batches else batches[0]
        for name in names:
            if name == "GEMM floor":
                continue
            mem_rows.append([name, f"{measure_memory(name, batch, dtype):.1f}"])
        lines += [
            "",
            f"Peak memory during one epoch (batch {batch}, MiB over data and model):",
            "",
            markdown_table(["implementation", "extra peak RSS (MiB)"], mem_rows),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="32,128,512")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.memory_child:
        memory_child(args.memory_child, batches[0], args.dtype)
        return
    facts = machine_facts()
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()))
    print()
    print(run(batches, args.dtype, args.rounds, not args.no_memory))


if __name__ == "__main__":
    main()
