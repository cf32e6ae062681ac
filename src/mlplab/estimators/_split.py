"""The validation split of early stopping, and validation data passed as a pair."""

from __future__ import annotations

from sklearn.model_selection import train_test_split

__all__ = ["hold_out", "unpack_pair"]


def hold_out(X, Y, *, seed: int, fraction: float, stratify, sample_weight=None):
    """Split off ``fraction`` of (X, Y): (X_train, Y_train, w_train, (X_val, Y_val[, w_val])).

    Example weights (if any) go with their examples, as in scikit-learn: the same rows
    are held out with or without them, and the validation part keeps its weights.

    ``stratify`` holds the labels to stratify on (None: a plain random split). Two
    classes (boolean flags) are stratified as in scikit-learn, whose error a class too
    small to split raises. For K > 2 classes scikit-learn does not stratify; mlplab does
    when every class can be represented, and falls back to scikit-learn's plain random
    split when not (a class with one example, fewer held-out examples than classes).
    """
    arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
    try:
        parts = train_test_split(*arrays, random_state=seed, test_size=fraction, stratify=stratify)
    except ValueError:
        if stratify is None or stratify.dtype == bool:
            raise
        parts = train_test_split(*arrays, random_state=seed, test_size=fraction)
    X_train, X_val, Y_train, Y_val = parts[:4]
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the "
            "size of your dataset."
        )
    if sample_weight is None:
        return X_train, Y_train, None, (X_val, Y_val)
    return X_train, Y_train, parts[4], (X_val, Y_val, parts[5])


def unpack_pair(validation_data):
    """(X_val, y_val) from a pair, or a ValueError saying what was expected."""
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError(
            f"validation_data must be a pair (X_val, y_val), got {type(validation_data).__name__}"
        ) from None
    return X_val, y_val
