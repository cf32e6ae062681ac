"""The command line on a practitioner's own CSV files, made from scikit-learn's bundled sets."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from mlplab.training.history import History

from ._helpers import invoke
from ._sklearn_csv import sklearn_csv


def _config(run):
    return json.loads((run / "config.json").read_text(encoding="utf-8"))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(text.splitlines()))


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_monitor_val_loss_and_val_accuracy(tmp_path, name):
    """Both monitors: the kept epoch is the best one of the monitored column."""
    data = sklearn_csv(tmp_path, name)
    kept = {}
    for monitor in ("val_loss", "val_accuracy"):
        out = tmp_path / monitor
        extra = [] if monitor == "val_loss" else ["--monitor", monitor]  # val_loss: the default
        result = invoke(
            "train", "--data", data, "--out", out, "--epochs", 150, "--early-stopping", *extra
        )
        assert result.exit_code == 0, result.output
        assert f"by {monitor}" in result.stdout
        config = _config(out)
        assert config["model"]["monitor"] == monitor
        history = History.from_csv(out / "history.csv")
        values = np.asarray(history[monitor])
        best = config["training"]["best_epoch"]
        pick = np.argmin if monitor == "val_loss" else np.argmax
        assert best == int(history["epoch"][int(pick(values))])
        kept[monitor] = (best, config["training"]["epochs_run"], np.asarray(history["val_loss"]))
        assert f"best epoch by {monitor} (weights kept)" in (out / "report.html").read_text()
    # Same seed, same trajectory until one of them stops: the run that watches the loss
    # keeps an epoch whose validation loss is at most that of the accuracy run's epoch.
    (b_loss, _, loss_run), (b_acc, _, acc_run) = kept["val_loss"], kept["val_accuracy"]
    common = min(loss_run.size, acc_run.size)
    np.testing.assert_array_equal(loss_run[:common], acc_run[:common])
    if b_acc <= loss_run.size:
        assert loss_run[b_loss - 1] <= acc_run[b_acc - 1]


def test_monitor_must_fit_the_task(tmp_path):
    data = sklearn_csv(tmp_path, "iris")
    result = invoke("train", "--data", data, "--out", tmp_path / "r", "--monitor", "val_r2")
    assert result.exit_code == 2
    assert "--monitor val_r2 does not apply to classification" in result.output


def test_auto_task_refuses_whole_numbers_with_many_values(tmp_path):
    data = sklearn_csv(tmp_path, "diabetes")
    result = invoke("train", "--data", data, "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert "give --task regression" in result.output
    assert "'target' holds 214 distinct whole numbers" in result.output


def test_regression_target_scaling_is_folded_into_the_saved_model(tmp_path):
    data = sklearn_csv(tmp_path, "diabetes", id_column="patient_id")
    out = tmp_path / "run"
    result = invoke(
        "train", "--data", data, "--task", "regression", "--id", "patient_id", "--out", out
    )
    assert result.exit_code == 0, result.output
    config = _config(out)
    scaling = config["data"]["target_scaling"]
    assert 100 < scaling["mean"][0] < 200  # diabetes' progression scores are ~25..346
    assert "patient_id" not in config["data"]["feature_names"]
    # The saved model predicts raw targets: trained on standardized y, an unfolded model
    # would predict values near 0, an R² far below 0 against targets near 150.
    assert config["metrics"]["test"]["r2"] > 0.2
    predicted = invoke("predict", out / "model.safetensors", data)
    assert predicted.exit_code == 0, predicted.output
    rows = _rows(predicted.stdout)
    assert rows[0] == ["patient_id", "prediction"]
    assert [r[0] for r in rows[1:4]] == ["1001", "1002", "1003"]
    values = np.array([float(r[1]) for r in rows[1:]])
    assert 100 < values.mean() < 200
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "predicted_vs_actual.png" in report
    assert "residuals.png" in report


def test_closing_note_follows_the_validation_curve(tmp_path):
    """An overfitting run that reaches --epochs is not told that more epochs may help."""
    data = sklearn_csv(tmp_path, "diabetes")
    result = invoke(
        "train", "--data", data, "--task", "regression", "--out", tmp_path / "r",
        "--no-early-stopping", "--patience", 1000, "--epochs", 400, "--hidden", "64,64",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "more --epochs may help" not in result.output
    assert "the network overfits, so more --epochs will not help" in result.output


def test_drop_id_and_text_columns(tmp_path):
    data = sklearn_csv(tmp_path, "iris", id_column="flower_id", text_column="colour")
    refused = invoke("train", "--data", data, "--out", tmp_path / "r1")
    assert refused.exit_code == 1
    assert "feature column(s) 'flower_id'" not in refused.output  # whole numbers are numbers
    assert "'colour' hold text (such as 'b')" in refused.output
    assert "--drop COLUMN" in refused.output
    assert "one 0/1 column per category" in refused.output
    out = tmp_path / "r2"
    result = invoke(
        "train", "--data", data, "--drop", "colour", "--id", "flower_id", "--out", out,
        "--epochs", 20,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    features = _config(out)["data"]["feature_names"]
    assert "colour" not in features
    assert "flower_id" not in features
    assert len(features) == 4
    # predict passes the run's ID column through, first
    predicted = invoke("predict", out / "model.safetensors", data)
    assert predicted.exit_code == 0, predicted.output
    rows = _rows(predicted.stdout)
    assert rows[0][:2] == ["flower_id", "prediction"]
    assert rows[1][0] == "1001"
    assert len(rows) == 151


def test_missing_feature_column_is_named(tmp_path, digits_run):
    data = sklearn_csv(tmp_path, "wine")
    out = tmp_path / "run"
    assert invoke("train", "--data", data, "--out", out, "--epochs", 5).exit_code == 0
    lines = data.read_text().splitlines()
    # leave out the column 'magnesium'
    header = lines[0].split(",")
    j = header.index("magnesium")
    cut = tmp_path / "cut.csv"
    cut.write_text(
        "\n".join(",".join(c for k, c in enumerate(line.split(",")) if k != j) for line in lines)
    )
    result = invoke("predict", out / "model.safetensors", cut)
    assert result.exit_code == 1
    assert "the file has no column 'magnesium'" in result.output


def test_export_opset_out_of_range_is_a_usage_error(digits_run, tmp_path):
    import onnx

    newest = onnx.defs.onnx_opset_version()
    for opset in (5, newest + 1):
        result = invoke(
            "export", digits_run / "model.safetensors", "--onnx", tmp_path / "m.onnx",
            "--opset", opset,
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert f"choose 13 to {newest}" in result.output
    ok = invoke(
        "export", digits_run / "model.safetensors", "--onnx", tmp_path / "m.onnx",
        "--opset", newest,
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output


def test_wine_gradcheck_is_good(tmp_path):
    """relu inputs near the kink do not make a correct network look wrong."""
    data = sklearn_csv(tmp_path, "wine")
    out = tmp_path / "run"
    result = invoke("train", "--data", data, "--out", out, "--gradcheck", "-q")
    assert result.exit_code == 0, result.output
    check = json.loads((out / "gradcheck.json").read_text(encoding="utf-8"))
    assert check["verdict"] == "good"
    # float64 central differences with ε = 1e-4: truncation ~ε² ≈ 1e-8, rounding
    # ~eps·|J|/ε ≈ 1e-12; far from a kink the relative error stays well under 1e-4.
    assert max(check["layer_errors"]) < 1e-4


def test_diagnose_reports_this_run_in_cli_words(tmp_path):
    """An overfitting diabetes run is diagnosed from its own weights and history."""
    data = sklearn_csv(tmp_path, "diabetes")
    out = tmp_path / "run"
    result = invoke(
        "train", "--data", data, "--task", "regression", "--out", out, "--diagnose",
        "--no-early-stopping", "--patience", 1000, "--epochs", 300, "--hidden", "64,64",
        "--alpha", 0.003,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    diagnosis = json.loads((out / "diagnostics.json").read_text(encoding="utf-8"))
    assert diagnosis["source"].startswith("this run")
    assert "300 epochs of history" in diagnosis["source"]
    findings = {f["check"]: f for f in diagnosis["findings"]}
    config = _config(out)
    gap = findings["overfitting"]
    assert gap["status"] == "WARN"
    # the figures are the run's own train and validation R² (the saved model scores the
    # same network on the same rows, only with the scalings folded in)
    assert gap["details"]["train_score"] == pytest.approx(
        config["metrics"]["train"]["r2"], abs=1e-9
    )
    assert gap["details"]["val_score"] == pytest.approx(
        config["metrics"]["validation"]["r2"], abs=1e-9
    )
    assert "λ = 0.003" in findings["regularization"]["threshold"]
    assert "extra short run" in findings["overfit_small"]["message"]
    text = json.dumps(diagnosis["findings"], ensure_ascii=False)
    assert "learning_rate_init" not in text
    assert "EarlyStopping" not in text
    assert "--alpha" in gap["advice"]
    assert "--early-stopping --monitor val_loss" in gap["advice"]
    # the target, not the features, is off-scale: no advice to standardize the features
    assert "standardize the features" not in findings["feature_scale"]["advice"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Measured on this run" in report
