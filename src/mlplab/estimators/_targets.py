"""Class labels as the network's targets, built directly in the network's dtype, and the
checks of a prediction's or ``partial_fit``'s input that can skip scikit-learn's."""

from __future__ import annotations

import numpy as np

#: The float dtypes ``validate_data(dtype=(np.float64, np.float32))`` keeps as they are.
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def encode_targets(binarizer, y, dtype) -> np.ndarray:
    """``binarizer.transform(y)`` as a C-contiguous array of ``dtype``, without a copy.

    scikit-learn's ``LabelBinarizer`` makes an int64 matrix, which training would then
    convert: for mnist's 60,000 × 10 one-hot targets that is 4.6 MiB more at the peak.
    Here one or two classes give the one 0/1 column of the positive class (all 0 for a
    single class), K classes the K one-hot columns, and a multi-label indicator matrix its
    own values. The labels of ``y`` are among ``binarizer.classes_`` (the caller checked).
    """
    if binarizer.y_type_ == "multilabel-indicator":
        return np.ascontiguousarray(binarizer.transform(y), dtype=dtype)
    index = np.searchsorted(binarizer.classes_, np.asarray(y))
    return _from_index(len(binarizer.classes_), index, dtype)


def _from_index(n_classes: int, index: np.ndarray, dtype) -> np.ndarray:
    """The targets of the class indices ``index`` (see :func:`encode_targets`)."""
    if n_classes <= 2:
        Y = np.zeros((len(index), 1), dtype=dtype)
        if n_classes == 2:
            Y[:, 0] = index
        return Y
    Y = np.zeros((len(index), n_classes), dtype=dtype)
    Y[np.arange(len(index)), index] = 1
    return Y


def plain_X(estimator, X):
    """``X`` itself if ``validate_data(estimator, X, reset=False)`` would return it as it is.

    That is a numpy float32 or float64 array (no subclass, no data frame) of at least one
    row and the fitted number of features, all finite, for an estimator fitted without
    feature names. Anything else gives None, and the caller validates as scikit-learn
    does (with its messages): repeated predictions and ``partial_fit`` calls on plain
    arrays skip the ~0.15 ms of the general checks.
    """
    if (
        type(X) is not np.ndarray
        or X.ndim != 2
        or X.dtype not in FLOAT_DTYPES
        or X.shape[0] == 0
        or X.shape[1] != estimator.__dict__.get("n_features_in_")
        or "feature_names_in_" in estimator.__dict__
    ):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(X.sum())  # an overflow to inf only sends X to the full check
    return X if finite else None


def known_label_targets(estimator, X, y, dtype):
    """(X, targets) of a ``partial_fit`` call after the first, when its input is plain.

    ``X`` passes :func:`plain_X` and ``y`` is a 1-D numpy array of as many labels, every
    one among the fitted classes (single-label). Else None: the caller runs the full
    checks, which also make the errors.
    """
    binarizer = estimator.__dict__.get("_label_binarizer")
    if (
        binarizer is None
        or binarizer.y_type_ == "multilabel-indicator"
        or type(y) is not np.ndarray
        or y.ndim != 1
        or plain_X(estimator, X) is None
        or len(y) != X.shape[0]
    ):
        return None
    classes = binarizer.classes_
    try:
        index = np.searchsorted(classes, y)
        np.minimum(index, len(classes) - 1, out=index)
        known = bool(np.all(classes[index] == y))
    except (TypeError, ValueError):  # labels that do not compare with the classes
        return None
    return (X, _from_index(len(classes), index, dtype)) if known else None
