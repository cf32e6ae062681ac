"""``mlplab predict``: labels and class probabilities for the rows of a CSV file."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import click

from ._common import data_errors, echo_err, refuse_overwriting_inputs


@click.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the predictions here instead of standard output.",
)
def predict(model_path: Path, input_path: Path, out_path: Path | None) -> None:
    """Predict every row of a CSV file: the label and one probability column per class.

    INPUT.csv has a header row and the model's feature columns (raw, unscaled values).
    When the header names the training features, those columns are used in the
    training order and any others (such as the target) are ignored; otherwise the file
    must have exactly as many columns as the model has features. The output has one row
    per input row: "prediction", then "p_<class>" for each class (regressors: only the
    prediction).

    \b
    Examples:
      mlplab predict mlplab-run/model.safetensors new.csv
      mlplab predict model.safetensors new.csv --out predictions.csv
    """
    refuse_overwriting_inputs(out_path, "--out", the_model=model_path, the_input_CSV=input_path)
    with data_errors():
        _predict(model_path, input_path, out_path)


def _predict(model_path: Path, input_path: Path, out_path: Path | None) -> None:
    import numpy as np

    from ._data import read_features
    from ._model import arrays_in_training_order, is_classifier, load_estimator

    model = load_estimator(model_path)
    feature_names, target = _training_columns(model, model_path)
    X, _ = read_features(
        input_path,
        feature_names=feature_names,
        n_features=model.n_features_in_,
        drop=() if target is None else (target,),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with arrays_in_training_order():
        proba = model.predict_proba(X) if is_classifier(model) else None
        predictions = None if proba is not None else np.asarray(model.predict(X))
    if is_classifier(model):
        labels = model.classes_[np.argmax(proba, axis=1)]
        writer.writerow(["prediction", *(f"p_{c}" for c in model.classes_)])
        for label, row in zip(labels, proba):
            writer.writerow([label, *(f"{p:.6g}" for p in row)])
    else:
        if predictions.ndim == 1:
            writer.writerow(["prediction"])
            writer.writerows([f"{p:.10g}"] for p in predictions)
        else:
            writer.writerow([f"prediction_{k}" for k in range(predictions.shape[1])])
            writer.writerows([f"{p:.10g}" for p in row] for row in predictions)
    text = buffer.getvalue()
    if out_path is None:
        click.echo(text, nl=False)
        return
    from ..fileformat import atomic_write_bytes

    atomic_write_bytes(out_path, text.encode("utf-8"))
    echo_err(f"wrote {X.shape[0]} predictions to {os.fspath(out_path)}")


def _training_columns(model, model_path: Path) -> tuple[list[str] | None, str | None]:
    """The feature names (in training order) and target the model was trained with."""
    from ..runs import RunFolder

    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        return [str(n) for n in names], None
    config = RunFolder(model_path.parent).read_config()
    if config is not None:
        data = config.get("data") or {}
        features = data.get("feature_names")
        if isinstance(features, list) and len(features) == model.n_features_in_:
            return [str(f) for f in features], data.get("target")
    return None, None
