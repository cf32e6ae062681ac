"""The estimators' exception."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = ["NotFittedError"]


class NotFittedError(_SklearnNotFittedError):
    """The estimator is used before ``fit``; a scikit-learn ``NotFittedError``.

    Like scikit-learn's it is both a ValueError and an AttributeError, so ``hasattr`` on
    a fitted attribute of an unfitted estimator is False.
    """
