"""small-batch: microseconds per optimizer step at a tiny batch (per-step overhead).

Digits (the 75/25 stratified split's 1347 training images), a 64-32-10 relu/softmax
network, Adam, batch 16: about 85 steps per epoch, where everything but the arithmetic —
Python-level validation, allocations, small ufunc calls — decides the speed. Each
implementation trains ``--epochs`` epochs per timed call (the same shuffled batches,
the same loss); the result is seconds / (epochs · steps).

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
from _harness import interleave, machine_facts, markdown_table, summary

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


def torch_runner(X, y, epochs):
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y.astype(np.int64))

    def run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10)).double()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    X, y = digits_train()
    runners = {"mlplab": mlplab_runner, "scikit-learn": sklearn_runner}
    try:
        import torch  # noqa: F401

        runners["PyTorch"] = torch_runner
    except ImportError:
        pass
    runs = {name: make(X, y, args.epochs) for name, make in runners.items()}
    for run in runs.values():
        run()
    times = interleave(runs, args.rounds)
    steps = args.epochs * math.ceil(X.shape[0] / BATCH)
    ours = summary(times["mlplab"])[0]
    rows = []
    for name, samples in times.items():
        median, low, high = summary(samples)
        rows.append(
            [
                name,
                f"{median / steps * 1e6:.1f} ({low / steps * 1e6:.1f}–{high / steps * 1e6:.1f})",
                "—" if name == "mlplab" else f"{ours / median:.2f}×",
            ]
        )
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine_facts().items()))
    print()
    print(
        f"### small-batch: digits 64-{HIDDEN}-10 relu, Adam, batch {BATCH}, float64 "
        f"(µs per step: median (min–max) of {args.rounds}, {steps} steps per call)"
    )
    print()
    print(markdown_table(["implementation", "µs per step", "mlplab time / this"], rows))


if __name__ == "__main__":
    main()
