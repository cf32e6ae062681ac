"""Data for the commands: load a data set by name or CSV, split it, and scale it.

``mlplab train``, ``doctor`` and ``evaluate`` see the same data the same way:

- **split**: a held-out test part first (stratified by class; for the digits exactly the
  project's :func:`mlplab.datasets.digits_split`), then a validation part of what is
  left, so that the learning curves have a training and a validation line;
- **scaling**, fitted on the training part only (so nothing of the validation or test
  examples leaks into it): the digits' pixels are divided by 16 (to [0, 1]), every other
  data set is standardized, x′ = (x − μ) / s per feature (scikit-learn's StandardScaler).

The scalings (:class:`~mlplab.cli._scaling.Scaling`, affine maps) fold into the trained
network: the saved model then takes the raw features (and a regressor predicts raw
targets), so ``mlplab predict``, ``evaluate`` and an ONNX export need no scaler file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._scaling import Scaling, ScalingOverflow

__all__ = [
    "TASKS",
    "PreparedData",
    "infer_task",
    "is_csv",
    "load_dataset",
    "not_features",
    "prepare",
    "prepare_data",
    "read_column",
    "read_features",
    "split_indices",
]

#: What ``--task`` accepts; "auto" decides from the targets (see :func:`infer_task`).
TASKS = ("auto", "classification", "regression")

#: Most distinct whole-number targets ``--task auto`` reads as class labels; more are far
#: likelier a quantity written without decimals (a count, a score, "151.0"), so auto
#: refuses to guess and asks for --task.
AUTO_MAX_CLASSES = 20

#: Data sets whose inputs are 8×8 images (hidden units can be drawn as images).
IMAGE_SHAPES = {"digits": (8, 8)}


@dataclass
class PreparedData:
    """A data set split into training, validation and test parts, raw and scaled.

    ``X_*`` are raw features (as loaded) of shape (m_part, n); ``scaled(X)`` gives what the
    network trains on. A regression target is standardized too (``target_scaling``,
    fitted on the training part; ``scaled_target(y)``), and the scaling is folded into
    the output layer after training, as the input scaling is folded into θ⁽¹⁾.
    Parts that are not used (a fraction of 0) have zero rows.
    """

    dataset: object
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaling: Scaling | None
    test_fraction: float
    validation_fraction: float
    seed: int
    source: str = ""
    target: str | None = None
    target_scaling: Scaling | None = None

    def scaled(self, X: np.ndarray) -> np.ndarray:
        """X as the network sees it during training."""
        return X if self.scaling is None else self.scaling.transform(X)

    def scaled_target(self, y: np.ndarray) -> np.ndarray:
        """y as the network sees it during training (regression: standardized), shape (m,)."""
        if self.target_scaling is None:
            return y
        return self.target_scaling.transform(np.asarray(y, dtype=np.float64)[:, None])[:, 0]

    @property
    def builtin(self) -> bool:
        """Whether the data is a registered data set (not a CSV file)."""
        return not is_csv(self.source)

    @property
    def image_shape(self) -> tuple[int, int] | None:
        """(h, w) when the inputs are images, else None."""
        return IMAGE_SHAPES.get(self.dataset.name) if self.builtin else None

    def parts(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The non-empty parts by name: "train", "validation", "test" → (X raw, y)."""
        parts = {
            "train": (self.X_train, self.y_train),
            "validation": (self.X_val, self.y_val),
            "test": (self.X_test, self.y_test),
        }
        return {name: part for name, part in parts.items() if part[0].shape[0]}

    def summary(self) -> dict:
        """The data and split, as plain values for config.json and the report."""
        from ..runs import source_fingerprint

        data = self.dataset
        summary = {
            "name": data.name,
            "source": self.source,
            "target": data.target_name,
            "description": data.description,
            "task": self.task,
            "n_examples": int(data.n_samples),
            "n_features": int(data.n_features),
            "feature_names": list(data.feature_names),
            "feature_units": list(data.feature_units),
            "fingerprint": source_fingerprint(data.X, data.y),
        }
        if self.task == "classification":
            labels, counts = np.unique(data.y, return_counts=True)
            summary["classes"] = [str(label) for label in labels]
            names = list(data.class_names)
            summary["class_names"] = names if len(names) == len(labels) else summary["classes"]
            summary["class_counts"] = [int(c) for c in counts]
        summary["split"] = {
            "test_fraction": self.test_fraction,
            "validation_fraction": self.validation_fraction,
            "seed": self.seed,
            "n_train": int(self.X_train.shape[0]),
            "n_validation": int(self.X_val.shape[0]),
            "n_test": int(self.X_test.shape[0]),
        }
        summary["scaling"] = None if self.scaling is None else self.scaling.to_dict()
        if self.target_scaling is not None:
            summary["target_scaling"] = self.target_scaling.to_dict()
        return summary


def load_dataset(data: str, target: str | None = None, *, seed: int = 0, drop=()):
    """:func:`mlplab.datasets.load` with the command line's wording in its errors.

    ``drop`` holds the columns of --drop and --id: neither is a feature.
    """
    from ..datasets import load

    for given, flag in ((target is not None, "--target"), (bool(drop), "--drop/--id")):
        if given and not is_csv(data):
            raise ValueError(
                f"{flag} applies only to CSV files; data set {data!r} has a fixed target"
            )
    return load(data, target=target, random_state=seed, drop=tuple(drop))


def is_csv(data: str) -> bool:
    """Whether ``--data`` names a file rather than a registered data set."""
    from ..datasets import DATASETS

    return data.strip().lower().replace("_", "-") not in DATASETS


def infer_task(y: np.ndarray, task: str = "auto", target_name: str = "target") -> str:
    """ "classification" for integer or string targets, "regression" for other numbers.

    With ``task="auto"``, whole-number targets with more than :data:`AUTO_MAX_CLASSES`
    distinct values (diabetes' disease progression, written ``151.0``) are refused with
    a message that asks for ``--task regression`` or ``--task classification``.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; valid tasks are {', '.join(TASKS)}")
    if task != "auto":
        if task == "regression" and y.dtype.kind not in "iuf":
            raise ValueError(
                "--task regression needs numeric targets, but the target column holds text "
                f"such as {str(y[0])!r}"
            )
        return task
    if y.dtype.kind == "f":
        return "regression"
    if y.dtype.kind in "iu":
        values = np.unique(y)
        if values.size > AUTO_MAX_CLASSES:
            examples = ", ".join(str(v) for v in y[:3])
            raise ValueError(
                f"the target {target_name!r} holds {values.size} distinct whole numbers "
                f"(such as {examples}), more than the {AUTO_MAX_CLASSES} classes --task "
                "auto reads as labels: if it is a quantity, give --task regression; if "
                "they are class labels, give --task classification"
            )
    return "classification"


def prepare_data(opts: dict) -> PreparedData:
    """The data set of the command's --data, split and with its scaling fitted."""
    dataset = load_dataset(opts["data"], opts["target"], seed=opts["seed"], drop=not_features(opts))
    return prepare(
        dataset,
        source=opts["data"],
        target=opts["target"],
        task=opts["task"],
        test_fraction=opts["test_fraction"],
        validation_fraction=opts["validation_fraction"],
        scale=opts["scale"],
        seed=opts["seed"],
    )


def not_features(opts: dict) -> tuple[str, ...]:
    """The CSV columns that are not features: --drop's and --id's."""
    id_column = opts.get("id_column")
    return tuple(dict.fromkeys([*opts.get("drop", ()), *([id_column] if id_column else [])]))


def split_indices(
    y: np.ndarray, fraction: float, seed: int, *, stratify: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (kept, held out) with ``fraction`` held out, stratified when possible.

    Stratifying needs at least two examples of every class and at least as many held-out
    examples as classes; otherwise the split is a plain seeded shuffle.
    """
    from sklearn.model_selection import train_test_split

    m = y.shape[0]
    index = np.arange(m)
    if fraction == 0:
        return index, index[:0]
    n_out = math.ceil(fraction * m)
    if n_out >= m:
        raise ValueError(
            f"a fraction of {fraction:g} of {m} examples leaves none to train on; "
            "use a smaller --test-fraction/--validation-fraction"
        )
    labels = y if stratify else None
    if stratify:
        _, counts = np.unique(y, return_counts=True)
        if counts.min() < 2 or n_out < counts.size or m - n_out < counts.size:
            labels = None
    kept, held = train_test_split(index, test_size=fraction, random_state=seed, stratify=labels)
    return kept, held


def prepare(
    dataset,
    *,
    source: str,
    target: str | None = None,
    task: str = "auto",
    test_fraction: float = 0.25,
    validation_fraction: float = 0.15,
    scale: bool = True,
    seed: int = 0,
) -> PreparedData:
    """Split ``dataset`` into train/validation/test and fit the scaling on the train part.

    Parameters
    ----------
    dataset : mlplab.datasets.Dataset
    source : str
        What ``--data`` said (a registered name or the CSV path).
    task : {"auto", "classification", "regression"}
    test_fraction : float in [0, 1)
        Held out first, stratified by class; for the digits the test part is that of
        :func:`mlplab.datasets.digits_split` with the same seed.
    validation_fraction : float in [0, 1)
        Of the rest, held out for the learning curves and early stopping.
    scale : bool
        Divide the digits by 16, standardize anything else (and a regression target);
        False keeps raw inputs and targets.
    seed : int
        Seeds both splits.
    """
    for name, value in (
        ("test_fraction", test_fraction),
        ("validation_fraction", validation_fraction),
    ):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    task = infer_task(dataset.y, task, dataset.target_name)
    classify = task == "classification"
    X, y = dataset.X, dataset.y
    if classify and np.unique(y).size < 2:
        raise ValueError(
            f"the target {dataset.target_name!r} has only one class ({str(y[0])!r}); a "
            "classifier needs at least two: check the target column (or --task regression)"
        )
    is_digits = dataset.name == "digits" and not is_csv(source)
    # For the digits this is exactly mlplab.datasets.digits_split (the same stratified
    # train_test_split with the same seed), without loading the images a second time.
    rest, test = split_indices(y, test_fraction, seed, stratify=classify)
    X_rest, X_test, y_rest, y_test = X[rest], X[test], y[rest], y[test]
    keep, val = split_indices(y_rest, validation_fraction, seed, stratify=classify)
    X_train, y_train = X_rest[keep], y_rest[keep]
    X_val, y_val = X_rest[val], y_rest[val]
    if classify:
        _check_classes_in_training(y, y_train, {"validation": y_val, "test": y_test})
    scaling = target_scaling = None
    if scale:
        kind = "divide" if is_digits else "standardize"
        try:
            scaling = Scaling.fit(X_train, kind, names=list(dataset.feature_names))
        except ScalingOverflow as error:
            from ._overflow import value_error

            name, row = dataset.feature_names[error.column], rest[keep][error.row]
            raise value_error(dataset, source, is_csv(source), name, int(row), error) from None
        if not classify:
            y_column = np.asarray(y_train, np.float64)[:, None]
            with np.errstate(over="ignore", invalid="ignore"):
                spread = float(np.std(y_column))
            # a target too large for its spread (1e300) is left as it is: the dtype
            # check names it with the fix, rather than a message about scaling
            if math.isfinite(spread):
                target_scaling = Scaling.fit(y_column, "standardize")
    return PreparedData(
        dataset=dataset,
        task=task,
        X_train=X_train,
        y_train=y_train,
        X_val=X_val,
        y_val=y_val,
        X_test=X_test,
        y_test=y_test,
        scaling=scaling,
        test_fraction=float(test_fraction),
        validation_fraction=float(validation_fraction),
        seed=int(seed),
        source=source,
        target=target,
        target_scaling=target_scaling,
    )


def _check_classes_in_training(y, y_train, held_out: dict) -> None:
    """Refuse a split whose validation or test part has a class the training part lacks."""
    known = set(np.unique(y_train).tolist())
    labels, counts = np.unique(y, return_counts=True)
    for part, values in held_out.items():
        missing = sorted(set(np.unique(values).tolist()) - known, key=str)
        if missing:
            count = dict(zip(labels.tolist(), counts.tolist()))[missing[0]]
            raise ValueError(
                f"class {str(missing[0])!r} has {count} example(s), too few to be in both the "
                f"training and the {part} part; add examples of it, remove it, or hold out "
                "less (--test-fraction, --validation-fraction)"
            )


def read_features(path, feature_names=None, n_features: int | None = None, drop=()):
    """Read the feature columns of a CSV file that may lack the target column.

    ``mlplab predict`` reads files that have no target, so it picks the columns itself,
    but through the same reader as training (:func:`mlplab.datasets.read_csv_table`): the
    same cells are accepted and the same errors, with file, line and column, are raised.

    Parameters
    ----------
    path : str or os.PathLike
    feature_names : sequence of str, optional
        The model's features: the header must name all of them (a missing one is
        refused, named), and those columns are taken in this order (any others, such as
        the target, are ignored).
    n_features : int, optional
        Without names, the file must have this many columns (after dropping ``drop``),
        taken by position.
    drop : sequence of str
        The training target (and columns that were not features, such as an ID): not a
        feature, but its cells, when present, must be what
        training accepts.

    Returns
    -------
    X : ndarray of shape (m, n), float64
    names : list of str
        The columns used, in order.
    """
    from ..datasets import read_csv_table

    table = read_csv_table(path)
    header = table.names
    if feature_names is not None and all(name in header for name in feature_names):
        columns = [header.index(name) for name in feature_names]
    else:
        columns = [j for j, name in enumerate(header) if name not in set(drop)]
        missing = [name for name in feature_names or () if name not in header]
        if missing or (n_features is not None and len(columns) != n_features):
            # A model that knows its features' names takes its columns by name only.
            if missing:
                raise table.error(
                    f"the file has no column {_names(missing, limit=max(6, min(len(missing), 12)))}"
                    f" (the model takes {len(feature_names)} features, matched by name: "
                    f"{_names(feature_names)}; {len(missing)} missing); add "
                    f"{'them' if len(missing) > 1 else 'it'} to the header",
                    line=table.header_line,
                )
            raise table.error(
                f"the model takes {n_features} features, but the file has "
                f"{len(columns)} columns ({_names([header[j] for j in columns])})",
                line=table.header_line,
            )
    # A target column the file still has is checked as training checks it.
    present = [header.index(name) for name in drop if name in header and name not in columns]
    X, _ = table.parse(columns, target=present[0] if present else None)
    return X, [header[j] for j in columns]


def read_column(path, name: str) -> list[str]:
    """The cells of one column of a CSV file (an ID column), stripped, as text."""
    from ..datasets import read_csv_table

    table = read_csv_table(path)
    if name not in table.names:
        raise table.error(
            f"no ID column {name!r}; the columns: {_names(table.names, limit=len(table.names))}",
            line=table.header_line,
        )
    j = table.names.index(name)
    return [fields[j].strip() if j < len(fields) else "" for _, fields in table.rows]


def _names(names, limit: int = 6) -> str:
    """Column names for a message, the middle left out when there are many."""
    quoted = [repr(str(name)) for name in names]
    if len(quoted) > limit:
        quoted = [*quoted[: limit - 2], "…", *quoted[-2:]]
    return ", ".join(quoted)
