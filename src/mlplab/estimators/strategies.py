"""The multiclass strategies of :class:`~mlplab.MLPClassifier`: their names and wrappers.

"native" is one network with K outputs; "ovr" and "ovo" are scikit-learn's
:class:`~sklearn.multiclass.OneVsRestClassifier` and
:class:`~sklearn.multiclass.OneVsOneClassifier` around a binary classifier
(:mod:`mlplab.multiclass` explains and compares them).
"""

from __future__ import annotations

__all__ = ["STRATEGIES", "check_strategy", "multiclass_wrapper"]

STRATEGIES = ("native", "ovr", "ovo")


def check_strategy(strategy: str) -> str:
    """``strategy`` if it is a known strategy, else a ValueError listing them."""
    if strategy not in STRATEGIES:
        valid = ", ".join(repr(s) for s in STRATEGIES)
        raise ValueError(f"unknown multiclass strategy {strategy!r}; valid strategies are {valid}")
    return strategy


def multiclass_wrapper(strategy: str, binary_estimator):
    """scikit-learn's one-vs-rest or one-vs-one meta-estimator around a binary classifier.

    Parameters
    ----------
    strategy : {"ovr", "ovo"}
    binary_estimator : classifier
        Cloned once per network.

    Returns
    -------
    OneVsRestClassifier or OneVsOneClassifier
        Unfitted.
    """
    from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier

    if check_strategy(strategy) == "ovr":
        return OneVsRestClassifier(binary_estimator)
    if strategy == "ovo":
        return OneVsOneClassifier(binary_estimator)
    raise ValueError("the 'native' strategy is one network and needs no wrapper")
