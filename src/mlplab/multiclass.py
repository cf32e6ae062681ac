"""Three ways to classify K > 2 classes with networks, and a comparison of them.

The lecture's options:

==========  ===================  ==========================================================
strategy    networks             how a class is chosen
==========  ===================  ==========================================================
native      1 (K outputs)        the largest of the K outputs; one network with one-hot
                                 targets is "essentially one-vs-all" (the hidden layers
                                 are shared by the K output units)
ovr         K                    one-vs-all: network k separates class k from the rest;
                                 the most confident network wins
ovo         K(K−1)/2             one-vs-one: one network per pair of classes; each votes,
                                 the class with most votes wins
==========  ===================  ==========================================================

"ovr" and "ovo" are scikit-learn's :class:`~sklearn.multiclass.OneVsRestClassifier` and
:class:`~sklearn.multiclass.OneVsOneClassifier` around a binary
:class:`mlplab.MLPClassifier`; ``MLPClassifier(multiclass=...)`` uses them, and
:func:`compare_multiclass` trains all three on the same data and reports test accuracy,
number of networks and training time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .estimators import MLPClassifier
from .estimators.strategies import STRATEGIES, check_strategy, multiclass_wrapper

__all__ = [
    "STRATEGIES",
    "MulticlassResult",
    "compare_multiclass",
    "format_comparison",
    "multiclass_wrapper",
]


@dataclass(frozen=True)
class MulticlassResult:
    """One strategy's outcome in :func:`compare_multiclass`."""

    strategy: str
    #: Fraction of the test examples classified right.
    accuracy: float
    #: Networks trained: 1, K or K(K−1)/2.
    n_networks: int
    #: Wall time of ``fit``, in seconds.
    fit_seconds: float

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


def compare_multiclass(
    X_train,
    y_train,
    X_test,
    y_test,
    strategies: Sequence[str] = STRATEGIES,
    **estimator_params,
) -> list[MulticlassResult]:
    """Train an :class:`mlplab.MLPClassifier` per strategy and measure it on test data.

    Parameters
    ----------
    X_train, y_train : array-like of shape (m, n) and (m,)
    X_test, y_test : array-like of shape (m_test, n) and (m_test,)
    strategies : sequence of {"native", "ovr", "ovo"}
    **estimator_params
        Parameters of every MLPClassifier (``hidden_layer_sizes``, ``random_state``, ...).

    Returns
    -------
    list of MulticlassResult
        In the order of ``strategies``; print them with :func:`format_comparison`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from mlplab.multiclass import compare_multiclass
    >>> X, y = load_iris(return_X_y=True)
    >>> results = compare_multiclass(X[::2], y[::2], X[1::2], y[1::2], solver="lbfgs",
    ...                              hidden_layer_sizes=(5,), max_iter=500, random_state=0)
    >>> [r.n_networks for r in results]
    [1, 3, 3]
    """
    if "multiclass" in estimator_params:
        raise ValueError("pass the strategies in `strategies`, not as multiclass=")
    results = []
    for strategy in strategies:
        estimator = MLPClassifier(multiclass=check_strategy(strategy), **estimator_params)
        started = time.perf_counter()
        estimator.fit(X_train, y_train)
        seconds = time.perf_counter() - started
        results.append(
            MulticlassResult(
                strategy=strategy,
                accuracy=float(estimator.score(X_test, y_test)),
                n_networks=int(estimator.n_networks_),
                fit_seconds=seconds,
            )
        )
    return results


def format_comparison(results: Sequence[MulticlassResult]) -> str:
    """A plain-text table of :func:`compare_multiclass` results, one row per strategy."""
    header = ("strategy", "networks", "test accuracy", "fit seconds")
    rows = [
        (r.strategy, str(r.n_networks), f"{r.accuracy:.4f}", f"{r.fit_seconds:.2f}")
        for r in results
    ]
    widths = [max(len(line[i]) for line in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths))
        )
        for line in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
