"""The classifier's targets: class labels to the network's 0/1 targets, and back.

scikit-learn's :class:`~sklearn.preprocessing.LabelBinarizer` does the encoding: two
classes become one 0/1 column (one sigmoid unit), K classes K one-hot columns (softmax,
or the lecture's K sigmoid units), a multi-label indicator matrix stays as it is (one
sigmoid unit per label).
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from ..losses import resolve_output
from ._base import SPARSE_FORMATS
from ._split import unpack_pair

__all__ = ["LabelsMixin", "label_binarizer"]

_TASKS = {"binary": "binary", "multiclass": "multiclass", "multilabel-indicator": "multilabel"}


class LabelsMixin:
    """Target encoding, output layer and task of :class:`MLPClassifier`."""

    def _encode_targets(self, X, y, *, first_pass, incremental, classes):
        """Validate (X, y) and turn y into the network's targets Y, shape (m, n_outputs).

        Two classes become one 0/1 column, K classes K one-hot columns, a multi-label
        indicator matrix stays as it is (scikit-learn's LabelBinarizer does all three).
        """
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            accept_sparse=SPARSE_FORMATS,
            dtype=(np.float64, np.float32),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if incremental:
            if _check_partial_fit_first_call(self, classes):
                binarizer = LabelBinarizer()
                binarizer.fit(y if type_of_target(y).startswith("multilabel") else classes)
                self._label_binarizer = binarizer
                self.classes_ = binarizer.classes_
            # the first call too: labels outside ``classes`` would be encoded as negatives
            unknown = np.setdiff1d(unique_labels(y), self.classes_)
            if len(unknown):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {unique_labels(y)}."
                )
        elif first_pass:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            seen = unique_labels(y)
            if set(seen) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {seen}"
                )
        return X, self._label_binarizer.transform(y)

    def _encode_validation(self, validation_data):
        """(X_val, Y_val) from the user's (X_val, y_val), checked against the fit."""
        X_val, y_val = unpack_pair(validation_data)
        X_val = validate_data(
            self, X_val, reset=False, accept_sparse=SPARSE_FORMATS, dtype=(np.float64, np.float32)
        )
        y_val = check_array(y_val, ensure_2d=False, dtype=None)
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = column_or_1d(y_val)
        check_consistent_length(X_val, y_val)
        unknown = np.setdiff1d(unique_labels(y_val), self.classes_)
        if len(unknown):
            raise ValueError(
                f"validation_data has classes {unknown} that the training labels "
                f"{self.classes_} do not have"
            )
        return X_val, self._label_binarizer.transform(y_val)

    def _output_name(self, n_outputs: int) -> str:
        """K > 2 classes: ``output``; two classes and multi-label: sigmoid units."""
        if self._label_binarizer.y_type_ == "multiclass":
            return resolve_output(self.output)
        return "sigmoid"

    def _task(self) -> str:
        return _TASKS[self._label_binarizer.y_type_]

    def _stratify_labels(self, Y):
        """Class indices to stratify a validation split on (None for multi-label)."""
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return None
        # two classes: the (m, 1) positive-class flags scikit-learn stratifies on, so that
        # a class too small to split gets its error, naming the class 'True' or 'False'
        return Y[:, :1] >= 0.5 if Y.shape[1] == 1 else Y.argmax(axis=1)


def label_binarizer(classes: np.ndarray, target_type: str, *, sparse_output: bool = False):
    """The fitted LabelBinarizer that ``fit`` made for these classes and target type."""
    binarizer = LabelBinarizer(sparse_output=sparse_output)
    if target_type == "multilabel-indicator":
        binarizer.fit(np.eye(len(classes), dtype=np.int64))
    else:
        binarizer.fit(classes)
    binarizer.classes_ = classes  # the decoded array itself, dtype and all
    return binarizer
