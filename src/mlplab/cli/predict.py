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
@click.option(
    "--id",
    "id_column",
    default=None,
    metavar="COLUMN",
    help="Copy this column of INPUT.csv into the output, first, to name each row "
    "(default: the --id column of the training run, when the file has it).",
)
def predict(
    model_path: Path, input_path: Path, out_path: Path | None, id_column: str | None
) -> None:
    """Predict every row of a CSV file: the label and one probability column per class.

    INPUT.csv has a header row and the model's feature columns (raw, unscaled values).
    The columns are matched by the names of the training features, which the model file
    records: they may be in any order, any others (such as the target) are ignored, and
    a missing one is refused. Only a model without names takes the columns by position,
    and the file must then have exactly as many. The output has one row per input row:
    "prediction", then "p_<class>" for each class (regressors: only the prediction; a
    multi-label model: "prediction_<label>" 0/1 for each label, then "p_<label>"). With
    an ID column (--id, or the training run's) that column comes first.

    \b
    Examples:
      mlplab predict mlplab-run/model.safetensors new.csv
      mlplab predict mlplab-run/model.safetensors new.csv --id patient_id
      mlplab predict model.safetensors new.csv --out predictions.csv
    """
    refuse_overwriting_inputs(out_path, "--out", the_model=model_path, the_input_CSV=input_path)
    with data_errors():
        _predict(model_path, input_path, out_path, id_column)


def _predict(
    model_path: Path, input_path: Path, out_path: Path | None, id_column: str | None
) -> None:
    import numpy as np

    from ._data import read_column, read_features
    from ._model import (
        arrays_in_training_order,
        is_classifier,
        is_multilabel,
        load_estimator,
        model_dtype,
        training_record,
    )
    from ._overflow import check_inputs_fit, check_outputs_finite

    model = load_estimator(model_path)
    record = training_record(model, model_path)
    run_id = record["id_column"]
    X, names = read_features(
        input_path,
        feature_names=record["feature_names"],
        n_features=model.n_features_in_,
        drop=tuple(
            c for c in (record["target"], run_id, id_column, *record["drop"]) if c is not None
        ),
    )
    if id_column is None and run_id is not None:
        from ..datasets import read_csv_table

        id_column = run_id if run_id in read_csv_table(input_path).names else None
    ids = None if id_column is None else read_column(input_path, id_column)
    id_header = [] if ids is None else [id_column]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # one-vs-one classifiers vote: a label, no probabilities
    probabilities = is_classifier(model) and hasattr(model, "predict_proba")
    check_inputs_fit(X, names, model_dtype(model), input_path, True)
    with arrays_in_training_order():
        proba = model.predict_proba(X) if probabilities else None
        predictions = None if proba is not None else np.asarray(model.predict(X))
    if probabilities or not is_classifier(model):  # (votes are labels, finite by nature)
        check_outputs_finite(predictions if proba is None else proba, input_path, True)
    if is_classifier(model) and not probabilities:
        header = ["prediction"]
        rows = [[label] for label in predictions]
    elif is_multilabel(model):
        chosen = np.asarray(model.predict(X)).reshape(proba.shape)
        rows = [
            [*(str(int(v)) for v in flags), *(f"{p:.6g}" for p in row)]
            for flags, row in zip(chosen, proba)
        ]
        header = [
            *(f"prediction_{c}" for c in model.classes_),
            *(f"p_{c}" for c in model.classes_),
        ]
    elif is_classifier(model):
        labels = model.classes_[np.argmax(proba, axis=1)]
        rows = [[label, *(f"{p:.6g}" for p in row)] for label, row in zip(labels, proba)]
        header = ["prediction", *(f"p_{c}" for c in model.classes_)]
    else:
        if predictions.ndim == 1:
            header = ["prediction"]
            rows = [[f"{p:.10g}"] for p in predictions]
        else:
            header = [f"prediction_{k}" for k in range(predictions.shape[1])]
            rows = [[f"{p:.10g}" for p in row] for row in predictions]
    writer.writerow(id_header + header)
    for i, row in enumerate(rows):
        writer.writerow(([] if ids is None else [ids[i]]) + row)
    text = buffer.getvalue()
    if out_path is None:
        click.echo(text, nl=False)
        return
    from ..fileformat import atomic_write_bytes

    atomic_write_bytes(out_path, text.encode("utf-8"))
    echo_err(f"wrote {X.shape[0]} predictions to {os.fspath(out_path)}")
