"""``mlplab train``: the run folder, the data handling, usage and data errors, resume."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import mlplab
from mlplab.datasets import digits_split
from mlplab.training.history import History

from ._helpers import EPOCHS, invoke, write_csv

RUN_FILES = (
    "model.safetensors",
    "history.csv",
    "report.html",
    "config.json",
    "learning_curves.png",
    "update_ratios.png",
    "confusion_matrix.png",
    "hidden_units.png",
    "misclassified.png",
)
PNG = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------- the default run
def test_default_run_writes_every_file(digits_run):
    for name in RUN_FILES:
        path = digits_run / name
        assert path.is_file(), name
        assert path.stat().st_size > 0, name
        if name.endswith(".png"):
            assert path.read_bytes().startswith(PNG), name
    # 8×8 digits are not 2-D data: no decision regions
    assert not (digits_run / "decision_regions.png").exists()


def test_default_run_is_the_lab_setup(digits_config):
    data = digits_config["data"]
    assert data["name"] == "digits"
    # digits_split's 450 test examples, then 15% of the 1347 others for validation
    assert data["split"] == {
        "test_fraction": 0.25,
        "validation_fraction": 0.15,
        "seed": 0,
        "n_train": 1144,
        "n_validation": 203,
        "n_test": 450,
    }
    assert data["scaling"]["kind"] == "divide"
    assert set(data["scaling"]["scale"]) == {16.0}
    model = digits_config["model"]
    assert model["layer_sizes"] == [64, 64, 10]
    assert (model["activation"], model["output"], model["solver"]) == ("relu", "softmax", "adam")
    assert model["early_stopping"] is True
    assert digits_config["status"] == "finished"
    assert digits_config["command"] == f"mlplab train --epochs {EPOCHS} --out " + str(
        digits_config["run_dir"]
    )


def test_test_part_is_the_projects_digits_split(digits_run, digits_config):
    """The saved model scored on digits_split's test part gives the recorded test figures."""
    _, X_test, _, y_test = digits_split(test_size=0.25, random_state=0)
    model = mlplab.load(digits_run / "model.safetensors")
    # raw pixel values 0..16: the /16 scaling lives inside θ⁽¹⁾ of the saved model
    accuracy = float(np.mean(model.predict(X_test) == y_test))
    recorded = digits_config["metrics"]["test"]
    assert recorded["n"] == 450
    assert accuracy == pytest.approx(recorded["accuracy"], abs=1e-12)
    assert recorded["accuracy"] > 0.85


def test_history_and_metrics_agree(digits_run, digits_config):
    history = History.from_csv(digits_run / "history.csv")
    training = digits_config["training"]
    assert history.n_epochs == training["epochs_run"] <= EPOCHS
    assert {"train_loss", "val_loss", "train_accuracy", "val_accuracy"} <= set(history.columns)
    # early stopping keeps the weights of the best validation epoch
    best = training["best_epoch"]
    val_accuracy = history["val_accuracy"]
    assert val_accuracy[best - 1] == val_accuracy.max()
    assert digits_config["metrics"]["validation"]["accuracy"] == pytest.approx(
        val_accuracy[best - 1], abs=1e-12
    )
    assert math.isfinite(digits_config["metrics"]["train"]["loss"])


def test_summary_table_on_stdout(tmp_path):
    result = invoke("train", "--data", "xor", "--hidden", "4", "--epochs", "5", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "config.json").read_text())
    accuracy = config["metrics"]["test"]["accuracy"]
    assert f"{100 * accuracy:.2f}%" in result.stdout
    for word in ("train", "validation", "test", "accuracy", "log loss", "5 epochs"):
        assert word in result.stdout
    assert "training on xor" in result.stderr


def test_quiet_prints_nothing(tmp_path):
    result = invoke("train", "--data", "xor", "--epochs", "3", "--quiet", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == ""
    assert (tmp_path / "model.safetensors").is_file()


# ---------------------------------------------------------------------- other data
def test_two_dimensional_data_gets_decision_regions(tmp_path):
    result = invoke(
        "train", "--data", "cats-dogs", "--hidden", "3", "--epochs", "40", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "decision_regions.png").read_bytes().startswith(PNG)
    assert not (tmp_path / "hidden_units.png").exists()
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["data"]["feature_units"] == ["kg", "cm"]
    assert config["data"]["scaling"]["kind"] == "standardize"
    figures = [entry["file"] for entry in config["figures"]]
    assert "decision_regions.png" in figures


def test_csv_with_named_target_and_scaling(tmp_path, animals_csv):
    out = tmp_path / "run"
    result = invoke(
        "train", "--data", animals_csv, "--target", "species", "--hidden", "4",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["classes"] == ["cat", "dog"]
    assert config["data"]["class_counts"] == [40, 40]
    assert config["data"]["feature_names"] == ["weight_kg", "length_cm"]
    scaling = config["data"]["scaling"]
    assert scaling["kind"] == "standardize"
    # the scaler was fitted on the training part: mean weight between the two groups
    assert 4 < scaling["mean"][0] < 30
    # the saved model takes raw features: the scaling is folded into θ⁽¹⁾
    model = mlplab.load(out / "model.safetensors")
    raw = np.array([[4.0, 46.0], [30.0, 95.0]])
    assert model.predict(raw).tolist() == ["cat", "dog"]
    assert config["metrics"]["test"]["accuracy"] == 1.0


def test_float_target_is_regression(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(80, 2))
    y = x[:, 0] ** 2 - x[:, 1] + 0.5
    csv = write_csv(
        tmp_path / "curve.csv", ["a", "b", "y"], [[*row, f"{t:.6f}"] for row, t in zip(x, y)]
    )
    out = tmp_path / "run"
    result = invoke("train", "--data", csv, "--hidden", "16", "--epochs", "30", "--out", out)
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert config["data"]["task"] == "regression"
    assert config["model"]["kind"] == "MLPRegressor"
    assert {"r2", "loss", "n"} == set(config["metrics"]["test"])
    assert "R²" in result.stdout
    assert not (out / "confusion_matrix.png").exists()
    assert "R²" in (out / "report.html").read_text(encoding="utf-8")
    # predict and evaluate speak regression too (the target column "y" is ignored)
    predicted = invoke("predict", out / "model.safetensors", csv)
    assert predicted.exit_code == 0, predicted.output
    lines = predicted.stdout.splitlines()
    assert lines[0] == "prediction"
    model = mlplab.load(out / "model.safetensors")
    np.testing.assert_allclose([float(v) for v in lines[1:]], model.predict(x), rtol=1e-9)
    evaluated = invoke("evaluate", out / "model.safetensors", "--data", csv, "--part", "test")
    assert evaluated.exit_code == 0, evaluated.output
    assert f"{config['metrics']['test']['r2']:.4f}" in evaluated.stdout


def test_integer_target_as_regression_with_task(tmp_path):
    rows = [[i, i % 7, 3 * i] for i in range(60)]
    csv = write_csv(tmp_path / "counts.csv", ["a", "b", "y"], rows)
    out = tmp_path / "run"
    result = invoke(
        "train", "--data", csv, "--task", "regression", "--epochs", "3", "--quiet", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "config.json").read_text())["model"]["kind"] == "MLPRegressor"


def test_float32_model(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--dtype", "float32", "--epochs", "3", "-q", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    model = mlplab.load(tmp_path / "model.safetensors")
    assert model.network_.dtype == np.float32


def test_no_validation_part_means_no_early_stopping(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--validation-fraction", "0", "--test-fraction", "0",
        "--epochs", "4", "-q", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model"]["early_stopping"] is False
    assert list(config["metrics"]) == ["train"]
    assert config["training"]["epochs_run"] == 4
    assert "val_loss" not in History.from_csv(tmp_path / "history.csv")


def test_gradcheck_option_adds_the_table(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--hidden", "3", "--activation", "tanh", "--epochs", "3",
        "--gradcheck", "-q", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "gradcheck.json").read_text())
    assert record["verdict"] in ("good", "acceptable")
    assert len(record["layer_errors"]) == 2
    assert record["layer_shapes"] == [[3, 3], [1, 4]]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="gradient-check"' in page
    assert (tmp_path / "gradient_check.png").is_file()


def test_diagnose_option_adds_the_findings(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--hidden", "4", "--epochs", "3", "--diagnose", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    diagnosis = json.loads((tmp_path / "diagnostics.json").read_text())
    checks = {finding["check"] for finding in diagnosis["findings"]}
    assert {"gradient_check", "initial_loss", "loss_trend"} <= checks
    assert "Gradient check" in result.stdout
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "mlplab-diagnosis" in page
    assert "Not run" not in page


# ---------------------------------------------------------------------- the run folder
def test_refuses_a_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    result = invoke("train", "--data", "xor", "--epochs", "2", "--out", tmp_path)
    assert result.exit_code == 1
    assert "not an mlplab run" in result.stderr
    assert "--force" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]

    result = invoke("train", "--data", "xor", "--epochs", "2", "-q", "--force", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "thesis.tex").read_text() == "precious"
    assert (tmp_path / "model.safetensors").is_file()


def test_refuses_a_file_as_out(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = invoke("train", "--data", "xor", "--epochs", "2", "--out", target)
    assert result.exit_code == 1
    assert "is a file" in result.stderr


def test_training_again_replaces_the_runs_files_only_when_forced(tmp_path):
    first = invoke("train", "--data", "xor", "--epochs", "2", "-q", "--out", tmp_path)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "decision_regions.png").is_file()
    (tmp_path / "notes.txt").write_text("mine")
    again = ["train", "--data", "digits", "--hidden", "8", "--epochs", "2", "-q"]
    refused = invoke(*again, "--out", tmp_path)
    assert refused.exit_code == 1
    assert "holds a run already; add --force to replace it" in refused.stderr
    assert (tmp_path / "decision_regions.png").is_file()
    second = invoke(*again, "--force", "--out", tmp_path)
    assert second.exit_code == 0, second.output
    # the old run's 2-D figure is gone; the user's own file stays
    assert not (tmp_path / "decision_regions.png").exists()
    assert (tmp_path / "hidden_units.png").is_file()
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_resume_continues_from_the_checkpoint(tmp_path):
    common = ["train", "--data", "xor", "--no-early-stopping", "--checkpoint-every", "1", "-q"]
    first = invoke(*common, "--epochs", "3", "--out", tmp_path)
    assert first.exit_code == 0, first.output
    before = History.from_csv(tmp_path / "history.csv")
    assert (tmp_path / "checkpoints").is_dir()
    resumed = invoke(*common, "--epochs", "6", "--resume", "--out", tmp_path)
    assert resumed.exit_code == 0, resumed.output
    after = History.from_csv(tmp_path / "history.csv")
    assert after.n_epochs == 6
    np.testing.assert_array_equal(after["train_loss"][:3], before["train_loss"])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["training"]["resumed"] is True


def test_resume_without_checkpoint_is_a_data_error(tmp_path):
    result = invoke("train", "--data", "xor", "--resume", "--out", tmp_path)
    assert result.exit_code == 1
    assert "nothing to resume" in result.stderr


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "10,x"], "positive unit counts"),
        (["--hidden", "-3"], "positive unit counts"),
        (["--epochs", "0"], "--epochs"),
        (["--validation-fraction", "1.5"], "not a fraction"),
        (["--learning-rate", "0"], "--learning-rate"),
        (["--alpha", "-1"], "--alpha"),
        (["--activation", "swish"], "swish"),
        (["--solver", "newton"], "newton"),
        (["--batch-size", "zero"], "neither a positive integer nor 'auto'"),
        (["--dtype", "float16"], "float16"),
        (
            ["--checkpoint-every", "2", "--solver", "lbfgs"],
            "'lbfgs' cannot be checkpointed or resumed (--checkpoint-every)",
        ),
        (["--early-stopping", "--validation-fraction", "0"], "needs a validation part"),
        (["--target", "species"], "only to CSV files"),
        (["--no-such-option"], "No such option"),
    ],
)
def test_usage_errors_exit_2(tmp_path, args, message):
    result = invoke("train", *args, "--out", tmp_path / "run")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("data", "content", "message"),
    [
        ("moons", None, "unknown data set 'moons'; valid names: digits, xor"),
        ("missing.csv", None, "no such CSV file"),
        ("bad.csv", "a,b,y\n1,2,0\n3,oops,1\n", "line 3, column 2 ('b'): 'oops' is not a number"),
        ("empty.csv", "", "the file is empty"),
        ("one.csv", "a,b,y\n1,2,0\n3,4,0\n", "only one class"),
    ],
)
def test_data_errors_exit_1_with_one_line(tmp_path, data, content, message):
    path = tmp_path / data
    if content is not None:
        path.write_text(content, encoding="utf-8")
    source = data if data == "moons" else str(path)
    result = invoke("train", "--data", source, "--out", tmp_path / "run")
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_missing_target_column_lists_the_columns(tmp_path, animals_csv):
    result = invoke("train", "--data", animals_csv, "--target", "kind", "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert "target column 'kind' not found" in result.stderr
    assert "'species'" in result.stderr


def test_a_class_too_rare_to_split_is_a_data_error(tmp_path):
    rows = [[i, i % 3, "x" if i % 2 else "y"] for i in range(8)] + [[9, 9, "z"]]
    csv = write_csv(tmp_path / "rare.csv", ["a", "b", "kind"], rows)
    # seed 1 puts the single "z" into the test part
    result = invoke("train", "--data", csv, "--seed", "1", "--out", tmp_path / "run")
    assert result.exit_code == 1, result.output
    assert "class 'z' has 1 example(s), too few to be in both the training and the" in (
        result.stderr
    )
    # holding nothing out trains on every class
    result = invoke(
        "train", "--data", csv, "--test-fraction", "0", "--validation-fraction", "0",
        "--epochs", "2", "-q", "--out", tmp_path / "run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_divergence_in_the_first_epoch_still_leaves_a_run(tmp_path):
    result = invoke(
        "train", "--hidden", "8", "--solver", "sgd", "--learning-rate", "50", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    assert "warning: training diverged in epoch 1" in result.stderr
    assert "Try a smaller --learning-rate" in result.stderr
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["training"]["stop_reason"] == "diverged"
    assert config["training"]["epochs_run"] == 0
    # no epoch, no curves; the rest of the run folder is there and the report rebuilds
    assert not (tmp_path / "learning_curves.png").exists()
    assert (tmp_path / "model.safetensors").is_file()
    assert invoke("report", tmp_path).exit_code == 0
    assert "diverged" in (tmp_path / "report.html").read_text(encoding="utf-8")
