"""blas threads: one matrix product of a training step on one BLAS thread and on two.

The training loop runs a step's products on one BLAS thread when the largest of them is
small (``mlplab.training.step.small_products``): waking and synchronizing a second
thread costs more than it saves on a small product, and on a busy machine a product
split over two threads waits for whichever is descheduled. This measures where the
crossover lies: the forward product z = [1, a] θᵀ of shape (m × (n + 1)) · ((n + 1) × u)
for the layer shapes of the benchmarks and a range of batch sizes, timed in blocks of
calls on one thread and on two, interleaved, after a pause (medians of ``--rounds``).
The ratio is one thread's time over two threads': above 1, two threads pay.

    python benchmarks/blas_threads.py [--rounds 5] [--dtype float64]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import PAUSE_SECONDS, facts_line, machine_facts, markdown_table, wait_for_quiet

#: (n inputs, u units) of the layers the benchmarks train.
LAYERS = ((64, 32), (64, 100), (64, 256), (784, 256), (256, 10))
BATCHES = (16, 32, 128, 200, 512)


def time_product(A: np.ndarray, B: np.ndarray, out: np.ndarray, threads: int) -> float:
    """Median µs of one ``A @ B`` into ``out`` on ``threads`` BLAS threads."""
    calls = max(5, int(2e8 / (A.shape[0] * A.shape[1] * B.shape[1] + 1)))
    calls = min(calls, 2000)
    with threadpool_limits(limits=threads, user_api="blas"):
        np.matmul(A, B, out=out)  # wake the pool
        time.sleep(PAUSE_SECONDS)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(calls):
                np.matmul(A, B, out=out)
            samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    args = parser.parse_args()
    dtype = np.dtype(args.dtype)
    rng = np.random.default_rng(0)
    wait_for_quiet()
    rows = []
    for n, u in LAYERS:
        for m in BATCHES:
            A = rng.random((m, n + 1)).astype(dtype)
            B = np.ascontiguousarray(rng.random((u, n + 1)).astype(dtype).T)
            out = np.empty((m, u), dtype)
            one, two = [], []
            for _ in range(args.rounds):  # interleaved
                one.append(time_product(A, B, out, 1))
                two.append(time_product(A, B, out, 2))
            t1, t2 = statistics.median(one), statistics.median(two)
            rows.append(
                [f"{m}×{n + 1}·{n + 1}×{u}", f"{m * (n + 1) * u:,}", f"{t1:.1f}", f"{t2:.1f}",
                 f"{t1 / t2:.2f}"]
            )  # fmt: skip
    print("Machine: " + facts_line(machine_facts()))
    print(f"\n### One product, {dtype.name} (µs per call, medians of {args.rounds} rounds)\n")
    print(
        markdown_table(
            ["product", "multiply-adds", "1 thread", "2 threads", "1 thread / 2 threads"], rows
        )
    )


if __name__ == "__main__":
    main()
