"""Class labels as the network's targets, built directly in the network's dtype."""

from __future__ import annotations

import numpy as np


def encode_targets(binarizer, y, dtype) -> np.ndarray:
    """``binarizer.transform(y)`` as a C-contiguous array of ``dtype``, without a copy.

    scikit-learn's ``LabelBinarizer`` makes an int64 matrix, which training would then
    convert: for mnist's 60,000 × 10 one-hot targets that is 4.6 MiB more at the peak.
    Here one or two classes give the one 0/1 column of the positive class (all 0 for a
    single class), K classes the K one-hot columns, and a multi-label indicator matrix its
    own values. The labels of ``y`` are among ``binarizer.classes_`` (the caller checked).
    """
    dtype = np.dtype(dtype)
    if binarizer.y_type_ == "multilabel-indicator":
        return np.ascontiguousarray(binarizer.transform(y), dtype=dtype)
    classes = binarizer.classes_
    y = np.asarray(y)
    if len(classes) <= 2:
        Y = np.zeros((len(y), 1), dtype=dtype)
        if len(classes) == 2:
            Y[:, 0] = y == classes[1]
        return Y
    Y = np.zeros((len(y), len(classes)), dtype=dtype)
    Y[np.arange(len(y)), np.searchsorted(classes, y)] = 1
    return Y
