"""``mlplab train --class-weight balanced``: every class counts as much in the cost."""

from __future__ import annotations

import json

import numpy as np

import mlplab

from ._helpers import invoke, write_csv


def _imbalanced_csv(tmp_path):
    # 160 examples of "common", 20 of "rare", overlapping: unweighted training leans to
    # "common" wherever the two mix.
    rng = np.random.default_rng(0)
    common = rng.normal(0.0, 1.0, size=(160, 2))
    rare = rng.normal(1.0, 1.0, size=(20, 2))
    rows = [[f"{a:.5f}", f"{b:.5f}", "common"] for a, b in common]
    rows += [[f"{a:.5f}", f"{b:.5f}", "rare"] for a, b in rare]
    return write_csv(tmp_path / "imbalanced.csv", ["a", "b", "label"], rows)


def test_balanced_class_weight_moves_the_model_to_the_rare_class(tmp_path):
    csv = _imbalanced_csv(tmp_path)
    recall = {}
    for weighting in ("none", "balanced"):
        out = tmp_path / weighting
        extra = [] if weighting == "none" else ["--class-weight", "balanced"]
        result = invoke(
            "train", "--data", csv, "--hidden", "8", "--solver", "lbfgs", "--epochs", "200",
            "--seed", "0", "--quiet", "--out", out, *extra,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        config = json.loads((out / "config.json").read_text())
        assert config["model"]["class_weight"] == (None if weighting == "none" else "balanced")
        assert "--class-weight" not in config["doctor_command"]
        model = mlplab.load(out / "model.safetensors")
        X = np.loadtxt(csv, delimiter=",", skiprows=1, usecols=(0, 1))
        recall[weighting] = np.mean(model.predict(X[160:]) == "rare")
    # Unweighted, the rare class (a ninth of the data, overlapping the common one) is
    # mostly predicted as common; with "balanced" each class weighs half of the cost
    # (≈ 4.5 per rare example, 0.56 per common one) and most rare examples are found.
    assert recall["none"] < 0.5 < recall["balanced"], recall


def test_class_weight_on_a_regression_is_a_usage_error(tmp_path):
    rows = [[i / 10, (i % 7) / 7, f"{0.37 * i + 0.1:.4f}"] for i in range(60)]
    csv = write_csv(tmp_path / "curve.csv", ["a", "b", "y"], rows)
    out = tmp_path / "run"
    result = invoke("train", "--data", csv, "--class-weight", "balanced", "--out", out)
    assert result.exit_code == 2, result.output
    assert "--class-weight applies to classification" in result.output
    assert "regression" in result.output
    assert not (out / "config.json").exists()
