"""``mlplab doctor --out RUN`` diagnoses that run: its model, history and data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ._helpers import invoke
from ._sklearn_csv import sklearn_csv


def _diagnosis(run):
    return json.loads((run / "diagnostics.json").read_text(encoding="utf-8"))


def _measured(diagnosis) -> dict:
    return {f["check"] + str(f.get("layer")): f["measured"] for f in diagnosis["findings"]}


def test_doctor_on_a_run_reads_what_train_diagnose_reads(tmp_path):
    """The same findings as ``train --diagnose`` computed while the run was in memory."""
    out = tmp_path / "run"
    result = invoke("train", "--epochs", 30, "--diagnose", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    during = _diagnosis(out)
    result = invoke("doctor", "--out", out)
    assert result.exit_code == 0, result.output
    assert "diagnosing the run in" in result.output
    after = _diagnosis(out)
    assert after["source"].startswith("this run: its data, its initial and final weights and "
                                      "its 30 epochs of history")  # fmt: skip
    assert after["source"] == during["source"]
    assert [f["status"] for f in after["findings"]] == [f["status"] for f in during["findings"]]
    # measured from the saved model (its scaling unfolded again): equal up to rounding
    a, b = _measured(during), _measured(after)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(b[key], a[key], rtol=1e-6, atol=1e-12, err_msg=key)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Measured on this run" in page
    assert "an extra short run on a tiny subset, not this run" in page


def test_an_overfitting_regression_run_is_reported_as_such(tmp_path):
    """Diabetes with many epochs: the doctor reads the run's own history, not 150 epochs."""
    data = sklearn_csv(tmp_path, "diabetes")
    out = tmp_path / "diabetes"
    options = ["--data", data, "--task", "regression", "--hidden", "64,64", "--epochs", 400,
               "--no-early-stopping", "--alpha", 0]  # fmt: skip
    result = invoke("train", *options, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    result = invoke("doctor", *options, "--out", out)
    assert result.exit_code in (0, 1), result.output
    diagnosis = _diagnosis(out)
    assert "its 400 epochs of history" in diagnosis["source"]
    fit = {f["check"]: f for f in diagnosis["findings"]}
    train_r2 = config["metrics"]["train"]["r2"]
    val_r2 = config["metrics"]["validation"]["r2"]
    assert train_r2 - val_r2 > 0.2, (train_r2, val_r2)  # the run overfits ...
    # ... and the doctor, reading this run, says so and does not call it underfitting
    assert fit["overfitting"]["status"] != "PASS", fit["overfitting"]
    assert fit["underfitting"]["status"] == "PASS", fit["underfitting"]


def test_a_run_with_other_data_options_is_refused(tmp_path):
    out = tmp_path / "run"
    assert invoke("train", "--epochs", 5, "--out", out, "-q").exit_code == 0
    before = (out / "report.html").read_bytes()
    result = invoke("doctor", "--seed", 3, "--out", out)
    assert result.exit_code == 2
    assert "trained on other data or another split" in result.output
    assert "its own options: mlplab doctor --epochs 5 --out" in result.output
    assert (out / "report.html").read_bytes() == before
    assert not (out / "diagnostics.json").exists()


def test_an_empty_folder_gets_the_short_run_and_says_so(tmp_path):
    out = tmp_path / "findings"
    result = invoke("doctor", "--data", "xor", "--hidden", 4, "--out", out)
    assert result.exit_code in (0, 1), result.output
    assert "short run" in _diagnosis(out)["source"]
    assert "not a saved run" in _diagnosis(out)["source"]


@pytest.mark.parametrize("strategy", ["ovr"])
def test_a_run_of_binary_networks_is_refused(tmp_path, strategy):
    out = tmp_path / "run"
    options = ["--data", "animals"]
    result = invoke("train", *options, "--multiclass", strategy, "--epochs", 5, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    result = invoke("doctor", *options, "--out", out)
    assert result.exit_code == 2
    assert "the doctor diagnoses one network" in result.output
