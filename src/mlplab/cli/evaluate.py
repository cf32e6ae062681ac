"""``mlplab evaluate``: score a saved model on a data set."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import data_errors, stdout_console

PARTS = ("all", "train", "validation", "test")


@click.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "--data",
    required=True,
    metavar="NAME|PATH.csv",
    help="A data set name (digits, xor, ...) or a CSV file with the target column.",
)
@click.option("--target", default=None, metavar="COLUMN", help="Target column of a CSV file.")
@click.option(
    "--part",
    type=click.Choice(PARTS),
    default="all",
    show_default=True,
    help="Score every example, or only one part of the training run's split (needs the "
    "run's config.json next to the model, and the run's own data: checked by the "
    "fingerprint the run recorded).",
)
@click.pass_context
def evaluate(ctx: click.Context, model_path: Path, data: str, target: str | None, part: str):
    """Score a saved model: accuracy and log loss (R² and mean squared error for a
    regressor), with precision and recall per class.

    The model takes raw features (mlplab train folds its input scaling into the first
    layer). With --part test the examples are those the run held out for its test.

    \b
    Examples:
      mlplab evaluate mlplab-run/model.safetensors --data digits --part test
      mlplab evaluate model.safetensors --data measurements.csv --target species
    """
    with data_errors():
        _evaluate(model_path, data, target, part)


def _evaluate(model_path: Path, data: str, target: str | None, part: str) -> None:
    from ..runs import check_same_data
    from ._data import is_csv, load_dataset, prepare
    from ._model import (
        arrays_in_training_order,
        class_metrics,
        is_classifier,
        is_multilabel,
        load_estimator,
        matched_by_name,
        model_dtype,
        score_part,
        training_record,
    )
    from ._overflow import check_inputs_fit, check_outputs_finite, refuse_text_targets

    model = load_estimator(model_path)
    if is_multilabel(model):
        raise ValueError(
            f"{str(model_path)!r} is a multi-label model: it is scored on one 0/1 column per "
            "label, which evaluate does not read (it reads one target column); score it "
            "with mlplab.load and its score method"
        )
    record = training_record(model, model_path)
    run = record["config"]
    seed = int((record["split"] or {}).get("seed", 0))
    dataset = load_dataset(data, target, seed=seed, drop=_run_not_features(record, data))
    dataset = matched_by_name(model, dataset, data, record["feature_names"])
    X, y = dataset.X, dataset.y
    if not is_classifier(model):
        refuse_text_targets(dataset, data, is_csv(data))
    names = dataset.feature_names
    check_inputs_fit(X, names, model_dtype(model), data, is_csv(data), dataset)
    if not is_classifier(model) or hasattr(model, "predict_proba"):  # (one-vs-one votes)
        with arrays_in_training_order():
            outputs = model.predict_proba(X) if is_classifier(model) else model.predict(X)
        check_outputs_finite(outputs, data, is_csv(data))
    if part != "all":
        if record["other_run"]:
            raise ValueError(
                f"--part {part}: the config.json in {str(model_path.parent)!r} is about another "
                "model (its data or features differ from those the model file records), so "
                "its split is not this model's; use --part all, or the model's own run folder"
            )
        if run is None:
            raise ValueError(
                f"--part {part} needs the training run's config.json next to the model "
                f"(in {str(model_path.parent)!r}); use --part all"
            )
        check_same_data(record["fingerprint"], X, y, source=data, part=part)
        split = record["split"]
        if not split or not {"seed", "test_fraction", "validation_fraction"} <= set(split):
            raise ValueError(
                f"--part {part} needs the run's split (seed and fractions) in the config.json "
                f"next to the model (in {str(model_path.parent)!r}), which has none; use "
                "--part all"
            )
        prepared = prepare(
            dataset,
            source=data,
            target=target,
            task="classification" if is_classifier(model) else "regression",
            test_fraction=split["test_fraction"],
            validation_fraction=split["validation_fraction"],
            scale=False,
            seed=split["seed"],
        )
        parts = prepared.parts()
        if part not in parts:
            raise ValueError(f"the run has no {part} part (its fraction was 0)")
        X, y = parts[part]
    with arrays_in_training_order():
        metrics = score_part(model, X, y)
        rows = class_metrics(model, X, y) if is_classifier(model) else []

    from rich.table import Table

    from ..runs import format_loss, format_percent, format_score

    console = stdout_console()
    classifier = is_classifier(model)
    from rich.text import Text

    heading = f"{model_path} on {dataset.name}, " + (
        "all examples" if part == "all" else f"the run's {part} part"
    )
    console.print(Text(heading, style="bold"))
    table = Table()
    table.add_column("examples", justify="right")
    table.add_column("accuracy" if classifier else "R²", justify="right")
    table.add_column("log loss" if classifier else "mean sq. error", justify="right")
    score = format_score(metrics["accuracy" if classifier else "r2"], not classifier)
    table.add_row(str(metrics["n"]), score, format_loss(metrics.get("loss")))
    console.print(table)
    if classifier:
        per_class = Table()
        for column in ("class", "precision", "recall", "F1", "examples"):
            per_class.add_column(column, justify="left" if column == "class" else "right")
        for row in rows:
            per_class.add_row(
                dataset.class_name(row["class"]),
                format_percent(row["precision"]),
                format_percent(row["recall"]),
                format_percent(row["f1"]),
                str(row["support"]),
            )
        console.print(per_class)


def _run_not_features(record: dict, data: str) -> tuple[str, ...]:
    """The run's --drop and --id columns, when evaluating on a CSV file that has them."""
    from ..datasets import read_csv_table
    from ._data import is_csv

    if not is_csv(data):
        return ()
    names = [*record["drop"], record["id_column"]]
    names = [n for n in names if isinstance(n, str)]
    if not names:
        return ()
    header = read_csv_table(data).names
    return tuple(n for n in names if n in header)
