"""Handwritten digits: scikit-learn's bundled 8×8 images (no download)."""

from __future__ import annotations

import numpy as np

from .._rng import as_seed
from .._validation import check_fraction
from ._base import Dataset

__all__ = ["digits", "digits_split"]


def digits(scale: bool = False) -> Dataset:
    """The 1797 handwritten digits bundled with scikit-learn (UCI optdigits test set).

    Each example is an 8×8 image of a digit 0–9, flattened row by row into 64 features:
    ``X[i].reshape(8, 8)`` is the image. The data ship with scikit-learn, so nothing is
    downloaded. A network with 64 inputs and 10 outputs, one per digit, is the lecture's
    one-vs-all multiclass setting (``dataset.one_hot()`` gives the targets).

    Parameters
    ----------
    scale : bool, default=False
        If True, divide the pixel values by 16 so they lie in [0, 1]. Sigmoid units
        learn faster from inputs of order one; the raw counts 0–16 saturate them sooner.

    Returns
    -------
    Dataset
        ``X`` of shape (1797, 64), float64, pixel values 0–16 (integers; in [0, 1] when
        scaled); ``y`` of shape (1797,), int64 0–9; ``feature_names`` ``"pixel_r_c"``
        (row r, column c of the image); ``class_names`` ``("0", ..., "9")``.
    """
    # imported here: ``import mlplab.datasets`` must not pull in scikit-learn
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = np.asarray(bunch.data, dtype=np.float64)
    if scale:
        X /= 16.0
    value_range = "[0, 1] (divided by 16)" if scale else "0-16"
    return Dataset(
        X=X,
        y=np.asarray(bunch.target, dtype=np.int64),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)),
        class_names=tuple(str(d) for d in range(10)),
        name="digits",
        description=(
            "1797 handwritten digits as 8x8 images flattened to 64 pixels, values "
            f"{value_range}; scikit-learn's copy of the UCI optdigits test set."
        ),
        target_name="digit",
    )


def digits_split(test_size: float = 0.25, random_state=0, scale: bool = False):
    """The project's standard split of :func:`digits`: stratified, 75% train / 25% test.

    Stratified means every digit keeps its share in both parts, so the test accuracy is
    not skewed by an unlucky draw of classes.

    Parameters
    ----------
    test_size : float, default=0.25
        Fraction of the examples held out for testing, in (0, 1).
    random_state : None, int or numpy.random.Generator, default=0
        Which split. An int gives exactly
        ``sklearn.model_selection.train_test_split(X, y, test_size=test_size,
        stratify=y, random_state=random_state)``; a Generator is turned into such a seed.
    scale : bool, default=False
        Divide the pixel values by 16 (see :func:`digits`).

    Returns
    -------
    X_train : ndarray of shape (m_train, 64)
    X_test : ndarray of shape (m_test, 64)
    y_train : ndarray of shape (m_train,)
    y_test : ndarray of shape (m_test,)
        With the defaults m_train = 1347 and m_test = 450.
    """
    check_fraction("test_size", test_size)
    from sklearn.model_selection import train_test_split

    seed = as_seed(random_state)
    data = digits(scale=scale)
    return train_test_split(
        data.X, data.y, test_size=float(test_size), stratify=data.y, random_state=seed
    )
