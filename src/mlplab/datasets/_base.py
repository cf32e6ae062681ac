"""The result type every loader returns, one-hot targets, and shared argument checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_int

__all__ = ["Dataset", "one_hot"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled data set: m examples as the rows of ``X``, one target each in ``y``.

    Every generator and loader in :mod:`mlplab.datasets` returns one of these. The fields
    cannot be rebound (the dataclass is frozen); the arrays are fresh copies owned by the
    caller, so scaling ``X`` in place is fine.

    Parameters
    ----------
    X : array-like of shape (m, n)
        Features, one example per row (the lecture's x⁽ⁱ⁾ transposed); stored as float64.
    y : array-like of shape (m,)
        Targets. Class labels are integers ``0 .. K-1`` for the generated sets (so
        ``class_names[y[i]]`` names example i) or strings as read from a CSV file;
        regression targets are floats.
    feature_names : tuple of str, optional
        One name per column of ``X``. Default ``("x1", ..., "xn")``.
    feature_units : tuple of str, optional
        One unit per column of ``X`` (``"kg"``, ``"cm"``), ``""`` for a unitless feature.
        Default: all ``""``.
    class_names : tuple of str, optional
        Names of the classes in the order of :attr:`classes` (sorted label values).
        Default: the labels as strings, or ``()`` for float (regression) targets.
    name : str, default="dataset"
        Short name, as in the registry (``"xor"``, ``"animals"``) or a CSV file's stem.
    description : str, default=""
        One or two sentences on where the data comes from.
    target_name : str, default="y"
        What ``y`` measures (``"species"``, a CSV column name).
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...] = ()
    feature_units: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    name: str = "dataset"
    description: str = ""
    target_name: str = "y"

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float64)
        y = np.asarray(self.y)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array of shape (m, n), got shape {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
        n = X.shape[1]
        names = tuple(self.feature_names) or tuple(f"x{j + 1}" for j in range(n))
        units = tuple(self.feature_units) or ("",) * n
        for label, values in (("feature_names", names), ("feature_units", units)):
            if len(values) != n:
                raise ValueError(
                    f"{label} must have {n} entries (one per column of X), got {values}"
                )
        class_names = tuple(self.class_names)
        if not class_names and y.dtype.kind in "iuUSOb":
            class_names = tuple(str(c) for c in np.unique(y))
        # frozen: set the normalized values once, here
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "feature_units", units)
        object.__setattr__(self, "class_names", class_names)

    @property
    def n_samples(self) -> int:
        """m, the number of examples (rows of ``X``)."""
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        """n, the number of features (columns of ``X``)."""
        return self.X.shape[1]

    @property
    def classes(self) -> np.ndarray:
        """The distinct values of ``y``, sorted: the order of the one-hot columns."""
        return np.unique(self.y)

    def class_name(self, label) -> str:
        """The name of a label of ``y`` (compared as text), or the label itself as text."""
        labels = [str(c) for c in self.classes]
        names = dict(zip(labels, self.class_names)) if len(self.class_names) == len(labels) else {}
        return names.get(str(label), str(label))

    def one_hot(self) -> np.ndarray:
        """Return ``y`` one-hot encoded against :attr:`classes`, shape ``(m, K)``.

        See :func:`one_hot`.
        """
        return one_hot(self.y, self.classes)

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, class_names={self.class_names})"
        )


def one_hot(y, classes=None) -> np.ndarray:
    """Encode labels as one-hot rows: the lecture's target vectors y ∈ {0, 1}ᴷ.

    The lecture's four-class example wants h_θ(x) ≈ [1 0 0 0]ᵀ for "cat", [0 1 0 0]ᵀ for
    "dog", and so on; row i of the result is that vector for ``y[i]`` (batches are rows).

    Parameters
    ----------
    y : array-like of shape (m,)
        Labels (integers or strings).
    classes : array-like of shape (K,), optional
        The classes in column order. Default: the sorted distinct values of ``y``. Pass it
        explicitly when encoding a split that may lack some class, so that the columns of
        the training and test targets agree.

    Returns
    -------
    Y : ndarray of shape (m, K), float64
        ``Y[i, k] = 1`` if ``y[i] == classes[k]``, else 0.

    Examples
    --------
    >>> one_hot(["cat", "dog", "cat"], classes=["cat", "dog", "fox", "bird"])
    array([[1., 0., 0., 0.],
           [0., 1., 0., 0.],
           [1., 0., 0., 0.]])
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {y.shape}")
    classes = np.unique(y) if classes is None else np.asarray(classes)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError(f"classes must be a non-empty 1-D sequence, got {classes!r}")
    if np.unique(classes).size != classes.size:
        raise ValueError(f"classes must be distinct, got {classes.tolist()}")
    Y = (y[:, None] == classes[None, :]).astype(np.float64)
    unknown = y[Y.sum(axis=1) == 0]
    if unknown.size:
        raise ValueError(
            f"y contains labels not in classes: {np.unique(unknown).tolist()}; "
            f"classes are {classes.tolist()}"
        )
    return Y


def check_n_samples(n_samples, minimum: int) -> int:
    """Return ``n_samples`` as an int if it is an integer >= ``minimum``, else raise ValueError."""
    return check_int(
        "n_samples", n_samples, minimum=minimum, extra="(at least one example per class)"
    )


def balanced_counts(n_samples: int, n_groups: int) -> list[int]:
    """Split ``n_samples`` into ``n_groups`` counts differing by at most one, larger first."""
    base, extra = divmod(n_samples, n_groups)
    return [base + (k < extra) for k in range(n_groups)]


def shuffled_classes(rng: np.random.Generator, blocks, **fields) -> Dataset:
    """A Dataset of the class blocks (rows of class k: ``blocks[k]``), rows shuffled.

    Generators build the classes one block after another; shuffling keeps a naive
    "first 75% for training" split from seeing only some of the classes. ``fields`` are
    the other fields of the Dataset.
    """
    y = np.concatenate([np.full(len(X), k, dtype=np.int64) for k, X in enumerate(blocks)])
    order = rng.permutation(y.size)
    return Dataset(X=np.vstack(blocks)[order], y=y[order], **fields)
