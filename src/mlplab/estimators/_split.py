"""The validation split of early stopping, and validation data passed as a pair."""

from __future__ import annotations

from sklearn.model_selection import train_test_split

__all__ = ["hold_out", "unpack_pair"]


def hold_out(X, Y, *, seed: int, fraction: float, stratify):
    """Split off ``fraction`` of (X, Y): (X_train, Y_train, (X_val, Y_val)).

    ``stratify`` holds the labels to stratify on (None: a plain random split). Two
    classes (boolean flags) are stratified as in scikit-learn, whose error a class too
    small to split raises. For K > 2 classes scikit-learn does not stratify; mlplab does
    when every class can be represented, and falls back to scikit-learn's plain random
    split when not (a class with one example, fewer held-out examples than classes).
    """
    try:
        X_train, X_val, Y_train, Y_val = train_test_split(
            X, Y, random_state=seed, test_size=fraction, stratify=stratify
        )
    except ValueError:
        if stratify is None or stratify.dtype == bool:
            raise
        X_train, X_val, Y_train, Y_val = train_test_split(
            X, Y, random_state=seed, test_size=fraction
        )
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the "
            "size of your dataset."
        )
    return X_train, Y_train, (X_val, Y_val)


def unpack_pair(validation_data):
    """(X_val, y_val) from a pair, or a ValueError saying what was expected."""
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError(
            f"validation_data must be a pair (X_val, y_val), got {type(validation_data).__name__}"
        ) from None
    return X_val, y_val
