"""lab: the course's lab setting — digits, Adam, batch 200, 200 epochs, five seeds.

Two networks, 64-25-10 logistic and 64-100-10 relu, trained by mlplab's and by
scikit-learn's MLPClassifier with the same parameters (exactly 200 epochs: tol=0), on the
project's standard 75/25 stratified split of digits scaled to [0, 1]. Reports fit time
and test accuracy, medians over the seeds, and their ratios.

    python benchmarks/lab.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import PAUSE_SECONDS, machine_facts, markdown_table

SETUPS = {"64-25-10 logistic": ((25,), "logistic"), "64-100-10 relu": ((100,), "relu")}


def fit_and_score(estimator_class, hidden, activation, seed, epochs, data):
    X_train, X_test, y_train, y_test = data
    clf = estimator_class(
        hidden_layer_sizes=hidden,
        activation=activation,
        solver="adam",
        batch_size=200,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=seed,
    )
    time.sleep(PAUSE_SECONDS)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return seconds, clf.score(X_test, y_test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    from sklearn.neural_network import MLPClassifier

    import mlplab
    from mlplab.datasets import digits_split

    X_train, X_test, y_train, y_test = digits_split()
    data = (X_train / 16.0, X_test / 16.0, y_train, y_test)
    rows = []
    for setup, (hidden, activation) in SETUPS.items():
        results = {"mlplab": [], "scikit-learn": []}
        for seed in range(args.seeds):  # interleaved: each seed runs both
            for name, cls in (("mlplab", mlplab.MLPClassifier), ("scikit-learn", MLPClassifier)):
                results[name].append(
                    fit_and_score(cls, hidden, activation, seed, args.epochs, data)
                )
        ours_time = statistics.median(t for t, _ in results["mlplab"])
        for name, pairs in results.items():
            fit_time = statistics.median(t for t, _ in pairs)
            accuracy = statistics.median(a for _, a in pairs)
            rows.append(
                [
                    setup,
                    name,
                    f"{fit_time:.3f} ({min(t for t, _ in pairs):.3f}–"
                    f"{max(t for t, _ in pairs):.3f})",
                    f"{accuracy:.4f}",
                    "—" if name == "mlplab" else f"{ours_time / fit_time:.2f}",
                ]
            )
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine_facts().items()))
    print()
    print(f"### lab: digits, Adam, batch 200, {args.epochs} epochs, {args.seeds} seeds (medians)")
    print()
    print(
        markdown_table(
            ["network", "implementation", "fit s (min–max)", "test accuracy", "mlplab time / this"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
