"""paths: the calls around training — prediction, ``partial_fit`` per call, a cold start.

Digits (1,797 images of 8×8 pixels scaled to [0, 1]), a 64-64-10 relu/softmax
``MLPClassifier`` of mlplab and of scikit-learn with the same parameters (float64, Adam,
10 epochs). Per call, in microseconds:

- ``predict_proba`` on all 1,797 rows, and on one row;
- ``partial_fit`` on 32 rows (consecutive batches of the data, the same for both).

Rounds are interleaved (each round times ``--calls`` calls of every implementation in
turn, after a pause), and the figures are medians over rounds with min–max.

Cold start: a fresh Python process per implementation and round imports the library,
loads digits and fits 64-64-10 for 10 epochs; the table gives the process's whole wall
time (interpreter start to exit, as a user waits for it) and, inside it, the import and
the fit, and the process's CPU time (all its threads: BLAS threads that spin count too).
A joblib worker pays the same per process. The children may write bytecode caches
(``PYTHONDONTWRITEBYTECODE`` is dropped from their environment) and one unmeasured cold
start per implementation comes first: an installed package has its ``.pyc`` files, and
compiling mlplab's sources on every start would measure the compiler instead.

    python benchmarks/paths.py                 # 5 rounds
    python benchmarks/paths.py --rounds 3 --calls 200
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import PAUSE_SECONDS, facts_line, machine_facts, markdown_table, summary

IMPLEMENTATIONS = ("mlplab", "scikit-learn")
HIDDEN, EPOCHS, PARTIAL_ROWS = 64, 10, 32

#: The child of a cold start: everything a user's script does, timed from inside too.
COLD_START = """
import sys, time, warnings
started = time.perf_counter()
warnings.simplefilter("ignore")
from sklearn.datasets import load_digits
X, y = load_digits(return_X_y=True)
X = X / 16.0
loaded = time.perf_counter()
if sys.argv[1] == "mlplab":
    from mlplab import MLPClassifier
else:
    from sklearn.neural_network import MLPClassifier
imported = time.perf_counter()
MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, random_state=0).fit(X, y)
done = time.perf_counter()
print(imported - loaded, done - imported, done - started, time.process_time())
"""


def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def make_model(name: str):
    """A fresh 64-64-10 classifier of implementation ``name``."""
    if name == "mlplab":
        from mlplab import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    return MLPClassifier(hidden_layer_sizes=(HIDDEN,), max_iter=EPOCHS, random_state=0)


def call_runners(X, y) -> dict[str, dict[str, object]]:
    """{path: {implementation: run(calls) -> seconds per call}} on fitted models."""
    classes = np.unique(y)
    one = X[:1].copy()
    n_batches = len(X) // PARTIAL_ROWS
    batches = [
        (X[k * PARTIAL_ROWS : (k + 1) * PARTIAL_ROWS], y[k * PARTIAL_ROWS : (k + 1) * PARTIAL_ROWS])
        for k in range(n_batches)
    ]

    def per_call(run, calls):
        time.sleep(PAUSE_SECONDS)
        start = time.perf_counter()
        run(calls)
        return (time.perf_counter() - start) / calls

    def predict_all(model, calls):
        for _ in range(calls):
            model.predict_proba(X)

    def predict_one(model, calls):
        for _ in range(calls):
            model.predict_proba(one)

    def partial(model, calls):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k in range(calls):
                model.partial_fit(*batches[k % n_batches])

    runners: dict[str, dict[str, object]] = {"all": {}, "one": {}, "partial_fit": {}}
    for name in IMPLEMENTATIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = make_model(name).fit(X, y)
            incremental = make_model(name).partial_fit(*batches[0], classes=classes)
        for path, run, model in (
            ("all", predict_all, fitted),
            ("one", predict_one, fitted),
            ("partial_fit", partial, incremental),
        ):
            runners[path][name] = lambda calls, run=run, model=model: per_call(
                lambda n: run(model, n), calls
            )
    return runners


def cold_start(name: str) -> dict[str, float]:
    """Seconds of one fresh process (whole, import, fit) for implementation ``name``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    time.sleep(PAUSE_SECONDS)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", COLD_START, name],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    whole = time.perf_counter() - start
    imported, fitted, _, cpu = (float(v) for v in result.stdout.split())
    return {"process": whole, "import": imported, "fit": fitted, "cpu": cpu}


PATHS = {
    "all": "predict_proba, 1,797 rows",
    "one": "predict_proba, one row",
    "partial_fit": f"partial_fit, {PARTIAL_ROWS} rows",
}
#: Calls per round of each path (a round of each takes ~0.1–0.5 s).
CALLS = {"all": 100, "one": 2000, "partial_fit": 300}


def run(rounds: int, calls_scale: float = 1.0) -> tuple[str, dict]:
    """Benchmark every path; return the markdown section and the raw results."""
    X, y = digits()
    runners = call_runners(X, y)
    results: dict = {"calls": {}, "cold": {name: [] for name in IMPLEMENTATIONS}}
    for path, by_name in runners.items():
        calls = max(1, int(CALLS[path] * calls_scale))
        for run_ in by_name.values():
            run_(max(1, calls // 10))  # warm-up
        times = {name: [] for name in by_name}
        for _ in range(rounds):
            for name, run_ in by_name.items():
                times[name].append(run_(calls))
        results["calls"][path] = times
    for name in IMPLEMENTATIONS:
        cold_start(name)  # writes the bytecode caches an installed package has
    for _ in range(rounds):
        for name in IMPLEMENTATIONS:
            results["cold"][name].append(cold_start(name))
    return report(results, rounds), results


def report(results: dict, rounds: int) -> str:
    rows = []
    for path, times in results["calls"].items():
        theirs = summary(times["scikit-learn"])[0]
        for name, samples in times.items():
            median, low, high = summary(samples)
            ratio = "—" if name == "scikit-learn" else f"{median / theirs:.2f}×"
            rows.append(
                [PATHS[path], name, f"{median * 1e6:.0f} ({low * 1e6:.0f}–{high * 1e6:.0f})", ratio]
            )
    calls = markdown_table(["call", "implementation", "µs per call", "÷ scikit-learn's"], rows)
    cold_rows = []
    for name, samples in results["cold"].items():
        cells = [name]
        for part in ("process", "import", "fit", "cpu"):
            median, low, high = summary([s[part] for s in samples])
            cells.append(f"{median:.3f} ({low:.3f}–{high:.3f})")
        cold_rows.append(cells)
    cold = markdown_table(
        ["implementation", "whole process s", "import s", "fit s", "process CPU s"], cold_rows
    )
    return (
        f"### Paths around training: digits 64-64-10, float64 (median (min–max) of {rounds} "
        "interleaved rounds)\n\n"
        + calls
        + f"\n\nCold start: a fresh process imports, loads digits and fits {EPOCHS} epochs "
        f"(seconds, median (min–max) of {rounds} interleaved rounds):\n\n" + cold
    )


def check(results: dict) -> list[list]:
    """[target, measured, met?] rows: each call ≤ scikit-learn's, cold start ≤ its + 0.1 s."""
    rows = []
    for path, times in results["calls"].items():
        ours, theirs = summary(times["mlplab"])[0], summary(times["scikit-learn"])[0]
        rows.append(
            [
                f"{PATHS[path]}: ≤ scikit-learn's",
                f"{ours * 1e6:.0f} vs {theirs * 1e6:.0f} µs",
                "met" if ours <= theirs else "**not met**",
            ]
        )
    ours = summary([s["process"] for s in results["cold"]["mlplab"]])[0]
    theirs = summary([s["process"] for s in results["cold"]["scikit-learn"]])[0]
    rows.append(
        [
            "cold start (fresh process, digits 10 epochs): ≤ scikit-learn's + 0.1 s",
            f"{ours:.3f} vs {theirs:.3f} s",
            "met" if ours <= theirs + 0.1 else "**not met**",
        ]
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=float, default=1.0, help="scale the calls per round")
    parser.add_argument("--json", default=None, help="also write the raw results here")
    args = parser.parse_args()
    print("Machine: " + facts_line(machine_facts()) + "\n")
    text, results = run(args.rounds, args.calls)
    print(text + "\n")
    print(markdown_table(["target", "measured (medians)", ""], check(results)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle)


if __name__ == "__main__":
    main()
