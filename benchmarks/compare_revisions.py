"""Compare two revisions of mlplab on the same workloads, interleaved in the same runs.

    python benchmarks/compare_revisions.py --base 76826c7              # base vs working tree
    python benchmarks/compare_revisions.py --base A --head B --runs 3 --rounds 5

A refactoring must not make training slower, and a single run on a shared machine drifts by
10–25 %: so each revision runs in a process of its own (its ``src/`` first on the path),
both are timed round by round between the same scikit-learn calls, and each revision's
time is expressed as a ratio to scikit-learn's measured in the same rounds. A revision is
taken from git (``git archive``) into a temporary folder; ``--head`` defaults to the
working tree. The whole comparison is repeated ``--runs`` times and the table reports, per
workload, the median over runs of each revision's ratio to scikit-learn and the change.

Both revisions get the same explicit ``dtype``, so the comparison holds the work fixed
even across a change of the estimators' default dtype.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (
    Remote,
    facts_line,
    interleave_healthy,
    load_average,
    machine_facts,
    markdown_table,
    serve,
    wait_for_quiet,
)

HERE = os.path.dirname(os.path.abspath(__file__))


def _mnist_shape(dtype, batch):
    import mnist_shape

    X, y = mnist_shape.make_data(np.dtype(dtype))
    params = {
        "hidden_layer_sizes": (mnist_shape.N_HIDDEN,),
        "activation": "relu",
        "solver": "adam",
        "alpha": mnist_shape.ALPHA,
        "batch_size": batch,
        "learning_rate_init": mnist_shape.LEARNING_RATE,
        "random_state": 0,
    }
    return X, y, params, np.arange(mnist_shape.N_CLASSES)


def _epoch_runner(estimator_class, X, y, params, classes, batch):
    """One epoch per ``partial_fit``; the first call (two batches) loads what it needs."""
    clf = estimator_class(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(X[: 2 * batch], y[: 2 * batch], classes=classes)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y)

    return epoch


def _fit_runner(estimator_class, X, y, params):
    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator_class(**params).fit(X, y)

    return fit


def _digits(scale=16.0):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / scale, y


def make_runner(workload: str, library: str):
    """The runner of ``workload`` for ``library`` ("mlplab" or "scikit-learn")."""
    if library == "mlplab":
        from mlplab import MLPClassifier as estimator_class
    else:
        from sklearn.neural_network import MLPClassifier as estimator_class
    extra = {}
    if workload.startswith("mnist-shape"):
        _, batch, dtype = workload.split()
        batch = int(batch[1:])
        dtype = {"f32": "float32", "f64": "float64"}[dtype]
        X, y, params, classes = _mnist_shape(dtype, batch)
        if library == "mlplab":
            extra["dtype"] = np.dtype(dtype)
        return _epoch_runner(estimator_class, X, y, {**params, **extra}, classes, batch)
    fixed = {"tol": 0.0, "random_state": 0}
    if workload == "small-batch b16":
        X, y = _digits()
        params = {
            "hidden_layer_sizes": (32,),
            "batch_size": 16,
            "max_iter": 10,
            "n_iter_no_change": 11,
        }
    elif workload == "lab 64-100-10 relu":
        X, y = _digits()
        params = {
            "hidden_layer_sizes": (100,),
            "batch_size": 200,
            "max_iter": 200,
            "n_iter_no_change": 201,
        }
    elif workload == "gd 64-25-10 logistic":
        # the slides' full-batch gradient descent; scikit-learn's is sgd over all m rows
        X, y = _digits()
        params = {
            "hidden_layer_sizes": (25,),
            "activation": "logistic",
            "learning_rate_init": 0.5,
            "max_iter": 300,
            "n_iter_no_change": 301,
        }
        if library == "mlplab":
            params["solver"] = "gd"
        else:
            params.update(
                solver="sgd",
                batch_size=X.shape[0],
                momentum=0.0,
                nesterovs_momentum=False,
                learning_rate="constant",
            )
    else:
        raise ValueError(f"unknown workload {workload!r}")
    return _fit_runner(estimator_class, X, y, {**params, **fixed})


WORKLOADS = (
    "mnist-shape b128 f32",
    "mnist-shape b32 f32",
    "mnist-shape b128 f64",
    "small-batch b16",
    "lab 64-100-10 relu",
    "gd 64-25-10 logistic",
)


def checkout(revision: str, folder: str) -> str:
    """``revision``'s ``src/`` extracted into ``folder``; return the path of that src."""
    archive = subprocess.run(
        ["git", "archive", revision, "src"],
        check=True,
        capture_output=True,
        cwd=os.path.dirname(HERE),
    ).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return os.path.join(folder, "src")


def remote(workload: str, src: str) -> Remote:
    """``workload``'s mlplab runner in a process that imports mlplab from ``src``."""
    return Remote([sys.executable, __file__, "--serve", workload, "--src", src])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="git revision to compare against")
    parser.add_argument("--head", default=None, help="git revision (default: working tree)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--src", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.path.insert(0, args.src)
        serve(make_runner(args.serve, "mlplab"))
        return
    workloads = args.workloads.split(",")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as base_dir, tempfile.TemporaryDirectory() as head_dir:
        sources = {"base": checkout(args.base, base_dir)}
        sources["head"] = (
            checkout(args.head, head_dir)
            if args.head
            else os.path.join(os.path.dirname(HERE), "src")
        )
        ratios: dict[str, dict[str, list[float]]] = {w: {"base": [], "head": []} for w in workloads}
        for run in range(args.runs):
            for workload in workloads:
                runners = {"scikit-learn": make_runner(workload, "scikit-learn")}
                remotes = {name: remote(workload, src) for name, src in sources.items()}
                runners.update(remotes)
                for runner in runners.values():
                    runner()  # warm-up: caches, first touch
                wait_for_quiet()
                times, _ = interleave_healthy(runners, args.rounds)
                for remote_runner in remotes.values():
                    remote_runner.close()
                reference = statistics.median(times["scikit-learn"])
                for name in sources:
                    ratios[workload][name].append(statistics.median(times[name]) / reference)
                print(f"run {run + 1}: {workload} done", file=sys.stderr)
    rows = []
    for workload in workloads:
        base = statistics.median(ratios[workload]["base"])
        head = statistics.median(ratios[workload]["head"])
        rows.append(
            [
                workload,
                f"{base:.3f}",
                f"{head:.3f}",
                f"{(head / base - 1) * 100:+.1f} %",
                ", ".join(f"{b:.2f}/{h:.2f}" for b, h in zip(*ratios[workload].values())),
            ]
        )
    print("Machine: " + facts_line(machine_facts()))
    print(
        f"base = {args.base}, head = {args.head or 'working tree'}; {args.runs} runs of "
        f"{args.rounds} interleaved rounds; load average at the end {load_average()}; "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print(
        markdown_table(
            [
                "workload",
                "base time / scikit-learn's",
                "head time / scikit-learn's",
                "change",
                "per run (base/head)",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
