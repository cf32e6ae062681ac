"""mnist-shape: one training epoch of a 784-256-10 relu/softmax network with Adam.

Synthetic data of MNIST's shape (60000 × 784, 10 classes), trained by mlplab's and
scikit-learn's MLPClassifier (one epoch per ``partial_fit``) and by an equivalent
PyTorch CPU loop (when installed): same architecture, same initial weights
(scikit-learn's Glorot rule, drawn once and copied into each), same loss (cross-entropy
plus 0.5·alpha·‖W‖²/batch, biases excluded), Adam with the same hyperparameters, and
mini-batches of a fresh random permutation every epoch (each implementation draws its
own; the work does not depend on the order). The "GEMM floor" times only the five
matrix products of each step (two forward, three backward) into preallocated buffers —
what no implementation can beat with this BLAS.

Each implementation trains one warm-up epoch, then one epoch per round; rounds are
interleaved, with a pause before each timed epoch. PyTorch runs in a process of its own
(its idle thread pool slowed numpy's matrix products in the same process by half). Peak
memory is measured in a fresh process per implementation: the peak RSS of one epoch over
the RSS once data and model are ready, and the peak RSS of the whole process.

    python benchmarks/mnist_shape.py                     # float32, batches 32/128/512
    python benchmarks/mnist_shape.py --dtype float64 --batches 128
    python benchmarks/mnist_shape.py --batches 128 --only "mlplab, dtype= given" --no-memory
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (
    Remote,
    current_rss_mib,
    facts_line,
    fmt_seconds,
    interleave_healthy,
    machine_facts,
    markdown_table,
    paired_ratio,
    peak_rss_mib,
    peak_rss_since_reset_mib,
    reset_peak_rss,
    serve,
    summary,
    wait_for_quiet,
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


def flops_per_epoch() -> float:
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


def mlplab_runner(X, y, batch: int, thetas, **params):
    """mlplab's estimator, one epoch per partial_fit, given X as a user would give it.

    No ``dtype=``: the default follows X (float32 data trains in float32), so this
    measures what a scikit-learn user gets. ``params`` are further estimator parameters.
    """
    import mlplab

    clf = mlplab.MLPClassifier(
        **params,
        hidden_layer_sizes=(N_HIDDEN,),
        activation="relu",
        solver="adam",
        alpha=ALPHA,
        batch_size=batch,
        learning_rate_init=LEARNING_RATE,
        random_state=0,
    )
    classes = np.arange(N_CLASSES)
    # Two batches, so that this first call already takes the mini-batch path and loads
    # what it needs (the compiled kernels), as importing torch does for PyTorch.
    clf.partial_fit(X[: 2 * batch], y[: 2 * batch], classes=classes)
    clf.network_.thetas = thetas

    def epoch():
        clf.partial_fit(X, y)

    return epoch


def mlplab_dtype_given_runner(X, y, batch: int, thetas):
    """The same estimator with ``dtype=`` set to X's dtype: what the default must match."""
    return mlplab_runner(X, y, batch, thetas, dtype=X.dtype)


def trainer_runner(X, y, batch: int, thetas):
    """mlplab's Trainer itself, given one-hot targets in X's dtype (memory table only)."""
    import mlplab
    from mlplab.training import Trainer, TrainingConfig

    net = mlplab.Network(
        [N_FEATURES, N_HIDDEN, N_CLASSES], "relu", "softmax", initializer="zeros", dtype=X.dtype
    )
    net.thetas = thetas
    Y = np.zeros((N_SAMPLES, N_CLASSES), dtype=X.dtype)
    Y[np.arange(N_SAMPLES), y] = 1.0
    config = TrainingConfig(alpha=ALPHA, batch_size=batch, learning_rate_init=LEARNING_RATE)
    trainer = Trainer(net, config, random_state=0)
    trainer.fit(X[: 2 * batch], Y[: 2 * batch], epochs=1)  # loads the compiled kernels

    def epoch():
        trainer.fit(X, Y, epochs=1)

    return epoch


def mlplab_numpy_runner(X, y, batch: int, thetas):
    """mlplab's estimator on its numpy reference kernels (what runs without numba)."""
    from mlplab import _kernels

    with _kernels.use_backend("numpy"):
        epoch = mlplab_runner(X, y, batch, thetas)

    def epoch_on_numpy():
        with _kernels.use_backend("numpy"):
            epoch()

    return epoch_on_numpy


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
    "mlplab, dtype= given": mlplab_dtype_given_runner,
    "mlplab, numpy kernels": mlplab_numpy_runner,
    "scikit-learn": sklearn_runner,
    "PyTorch": torch_runner,
}


#: Measured for memory only: the training loop without the estimator's target encoding.
MEMORY_ONLY = {"mlplab Trainer (float one-hot Y given)": trainer_runner}

#: Implementations that run in a process of their own (see _harness.Remote).
SEPARATE_PROCESS = ("PyTorch",)


def available(names):
    """Drop PyTorch when it is not installed."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return [n for n in names if n != "PyTorch"]
    return list(names)


def make_runner(name: str, X, y, batch: int, thetas):
    """The runner ``name``, built here or, for PyTorch, in a separate process."""
    if name in SEPARATE_PROCESS:
        command = [sys.executable, __file__, "--serve", name, "--batches", str(batch)]
        return Remote([*command, "--dtype", X.dtype.name])
    return RUNNERS[name](X, y, batch, thetas)


# ---------------------------------------------------------------------- memory
def memory_child(name: str, batch: int, dtype: str) -> None:
    """In a fresh process: RSS with data and model ready, and its peak during one epoch.

    The peak is reset once everything is ready (making the data had temporaries of its
    own), so it is the epoch's: what the implementation allocates on top of X.
    """
    X, y = make_data(np.dtype(dtype))
    run = {**RUNNERS, **MEMORY_ONLY}[name](X, y, batch, initial_weights(np.dtype(dtype)))
    ready = current_rss_mib()
    reset_peak_rss()
    run()
    peak = peak_rss_since_reset_mib()
    print(
        json.dumps(
            {
                "ready_mib": ready,
                "peak_mib": peak,
                "extra_mib": peak - ready,
                "process_peak_mib": peak_rss_mib(),
            }
        )
    )


def measure_memory(name: str, batch: int, dtype: str) -> dict[str, float]:
    """Run :func:`memory_child` in a subprocess and return its figures (MiB)."""
    command = [sys.executable, __file__, "--memory-child", name]
    command += ["--batches", str(batch), "--dtype", dtype]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- main
def _cpu_logged(run, log: list):
    """``run``, also appending the CPU time of each call (all threads) to ``log``."""

    def logged():
        start = time.process_time()
        run()
        log.append(time.process_time() - start)

    return logged


def run(
    batches,
    dtype: str,
    rounds: int,
    with_memory: bool,
    with_numpy_kernels: bool = True,
    only=None,
) -> tuple[str, dict]:
    """Benchmark every implementation; return the markdown section and the raw results."""
    X, y = make_data(np.dtype(dtype))
    thetas = initial_weights(np.dtype(dtype))
    names = available(RUNNERS)
    if not with_numpy_kernels:
        names.remove("mlplab, numpy kernels")
    if only:
        names = [n for n in names if n in (*only, "GEMM floor", "mlplab")]
    dtype_pair = ("mlplab", "mlplab, dtype= given")
    cpu_rows = []
    flops = flops_per_epoch()
    results: dict = {"dtype": dtype, "batches": {}, "memory": {}}
    rows = []
    for batch in batches:
        runners = {name: make_runner(name, X, y, batch, thetas) for name in names}
        cpu = {name: [] for name in dtype_pair if name in runners}
        for name, log in cpu.items():
            runners[name] = _cpu_logged(runners[name], log)
        for runner in runners.values():  # warm-up epoch: buffers, caches, first-touch
            runner()
        for log in cpu.values():
            log.clear()
        wait_for_quiet()
        times, discarded = interleave_healthy(runners, rounds)
        for runner in runners.values():
            if isinstance(runner, Remote):
                runner.close()
        results["batches"][batch] = {"times": times, "discarded": discarded}
        floor = summary(times["GEMM floor"])[0]
        ours = summary(times["mlplab"])[0]
        for name in names:
            median = summary(times[name])[0]
            to_floor = paired_ratio(times[name], times["GEMM floor"])
            to_ours = paired_ratio(times[name], times["mlplab"])
            rows.append(
                [
                    str(batch),
                    name,
                    fmt_seconds(times[name]),
                    f"{flops / median / 1e9:.1f}",
                    f"{median / floor:.2f}× ({to_floor:.2f}×)",
                    "—"
                    if name in ("mlplab", "GEMM floor")
                    else f"{median / ours:.2f}× ({to_ours:.2f}×)",
                ]
            )
        if len(cpu) == 2:
            default, given = (cpu[name] for name in dtype_pair)
            cpu_rows.append(
                [
                    str(batch),
                    f"{paired_ratio(times[dtype_pair[0]], times[dtype_pair[1]]):.3f}",
                    f"{paired_ratio(default, given):.3f}",
                    f"{statistics.median(default):.3f} / {statistics.median(given):.3f}",
                ]
            )
        print(f"mnist-shape {dtype} batch {batch} done", file=sys.stderr)
    lines = [
        f"### mnist-shape, {dtype}, one epoch (seconds: median (min–max) of {rounds} "
        "interleaved rounds)",
        "",
        "Ratios are of medians; in brackets, the median of the same ratio taken round by round.",
        "",
        markdown_table(
            [
                "batch",
                "implementation",
                "epoch s",
                "GFLOP/s",
                "time / GEMM floor",
                "time / mlplab's",
            ],
            rows,
        ),
    ]
    if cpu_rows:
        lines += [
            "",
            "mlplab with X's dtype by default (no ``dtype=``) against ``dtype=`` given, "
            "the median over rounds of the ratio in each round, by wall time and by CPU "
            "time of the process (every round, discarded ones too):",
            "",
            markdown_table(
                ["batch", "wall ratio", "CPU ratio", "CPU s: default / given (medians)"],
                cpu_rows,
            ),
        ]
    discarded = {b: r["discarded"] for b, r in results["batches"].items()}
    lines += [
        "",
        "Rounds discarded because the machine stalled (batch: rounds): "
        + ", ".join(f"{b}: {d}" for b, d in discarded.items())
        + ".",
    ]
    if with_memory:
        mem_rows = []
        batch = 128 if 128 in batches else batches[0]
        for name in [*names, *MEMORY_ONLY]:
            if name in ("GEMM floor", "mlplab, numpy kernels", "mlplab, dtype= given"):
                continue
            figures = measure_memory(name, batch, dtype)
            results["memory"][name] = figures
            mem_rows.append(
                [
                    name,
                    f"{figures['extra_mib']:.1f}",
                    f"{figures['ready_mib']:.0f}",
                    f"{figures['peak_mib']:.0f}",
                    f"{figures['process_peak_mib']:.0f}",
                ]
            )
        data_mib = X.nbytes / 2**20
        lines += [
            "",
            f"Peak memory of one epoch (batch {batch}, {dtype}; X itself is "
            f"{data_mib:.0f} MiB), each in a fresh process:",
            "",
            markdown_table(
                [
                    "implementation",
                    "epoch peak − ready (MiB)",
                    "RSS ready",
                    "epoch peak RSS",
                    "process peak RSS (incl. making the data)",
                ],
                mem_rows,
            ),
        ]
    return "\n".join(lines), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="32,128,512")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated implementations to run besides 'mlplab' and 'GEMM floor' "
        f"(of: {', '.join(RUNNERS)})",
    )
    parser.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if args.serve:
        dtype = np.dtype(args.dtype)
        X, y = make_data(dtype)
        serve(RUNNERS[args.serve](X, y, batches[0], initial_weights(dtype)))
        return
    if args.memory_child:
        memory_child(args.memory_child, batches[0], args.dtype)
        return
    print("Machine: " + facts_line(machine_facts()))
    print()
    only = None if args.only is None else [n.strip() for n in args.only.split(",")]
    unknown = sorted(set(only or ()) - set(RUNNERS))
    if unknown:
        parser.error(f"--only: unknown implementation(s) {unknown}; choose from {list(RUNNERS)}")
    print(run(batches, args.dtype, args.rounds, not args.no_memory, only=only)[0])


if __name__ == "__main__":
    main()
