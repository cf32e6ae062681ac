"""``mlplab train --multiclass ovr|ovo``: several binary networks, one run folder."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

import mlplab
from mlplab.datasets import load
from mlplab.plots.base import png_texts
from mlplab.training.history import History

from ._helpers import invoke, write_csv
from ._sklearn_csv import sklearn_csv

EPOCHS = 40
ANIMALS = ("cat", "dog", "fox", "bird")


def _config(run):
    return json.loads((run / "config.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def animal_runs(tmp_path_factory):
    """An ovr and an ovo run on the four animals (a few epochs)."""
    folder = tmp_path_factory.mktemp("multiclass")
    runs = {}
    for strategy in ("ovr", "ovo"):
        out = folder / strategy
        result = invoke(
            "train", "--data", "animals", "--multiclass", strategy, "--epochs", EPOCHS,
            "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        runs[strategy] = (out, result)
    return runs


@pytest.mark.parametrize(
    ("strategy", "names"),
    [
        ("ovr", [f"{a} vs rest" for a in ANIMALS]),
        ("ovo", [f"{ANIMALS[i]} vs {ANIMALS[j]}" for i in range(4) for j in range(i + 1, 4)]),
    ],
)
def test_each_binary_network_has_its_history_and_entry(animal_runs, strategy, names):
    out, result = animal_runs[strategy]
    config = _config(out)
    assert config["model"]["multiclass"] == strategy
    assert config["model"]["n_networks"] == len(names)
    networks = config["training"]["networks"]
    assert [n["name"] for n in networks] == names
    history = History.from_csv(out / "history.csv")
    assert history.columns == ["epoch"] + [n["column"] for n in networks]
    model = mlplab.load(out / "model.safetensors")
    assert len(model.estimators_) == len(names)
    for entry, estimator in zip(networks, model.estimators_):
        losses = np.asarray(history[entry["column"]])
        # the column is that network's own training loss, NaN once it stopped
        assert np.isfinite(losses).sum() == entry["epochs_run"] == estimator.n_iter_
        assert entry["final_train_loss"] == pytest.approx(losses[entry["epochs_run"] - 1])
        assert np.isnan(losses[entry["epochs_run"] :]).all()
        assert entry["layer_sizes"] == [2, 64, 1]
    assert config["training"]["epochs_run"] == max(n["epochs_run"] for n in networks)
    assert config["model"]["n_params"] == len(names) * (3 * 64 + 65)
    assert f"{len(names)} binary networks (--multiclass {strategy})" in result.stdout
    # the loss figure names every network
    texts = png_texts(out / "learning_curves.png")
    assert "Training loss of each binary network: animals" in texts
    assert set(names) <= set(texts)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"{len(names)} × 2–64–1" in report
    assert f"{len(names)} ({strategy})" in report
    assert "Not available: the checks read one network" in report


def test_ovr_has_probabilities_and_ovo_votes(animal_runs):
    ovr, _ = animal_runs["ovr"]
    ovo, _ = animal_runs["ovo"]
    assert (ovr / "calibration.png").exists()
    assert not (ovo / "calibration.png").exists()  # no probabilities to calibrate
    for run in (ovr, ovo):
        assert (run / "decision_regions.png").exists()
        assert (run / "confusion_matrix.png").exists()
        assert not (run / "update_ratios.png").exists()
    assert "loss" in _config(ovr)["metrics"]["test"]
    assert "loss" not in _config(ovo)["metrics"]["test"]
    assert "one-vs-one networks vote" in (ovo / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("strategy", ["ovr", "ovo"])
def test_evaluate_predict_and_export_the_saved_networks(animal_runs, tmp_path, strategy):
    out, _ = animal_runs[strategy]
    config = _config(out)
    result = invoke("evaluate", out / "model.safetensors", "--data", "animals", "--part", "test")
    assert result.exit_code == 0, result.output
    accuracy = config["metrics"]["test"]["accuracy"]
    assert f"{accuracy:.2%}" in result.stdout
    dataset = load("animals")
    new = write_csv(
        tmp_path / "new.csv", list(dataset.feature_names), [list(x) for x in dataset.X[:20]]
    )
    result = invoke("predict", out / "model.safetensors", new)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(result.stdout.splitlines()))
    model = mlplab.load(out / "model.safetensors")
    assert [r[0] for r in rows[1:]] == [str(c) for c in model.predict(dataset.X[:20])]
    if strategy == "ovo":
        assert rows[0] == ["prediction"]  # votes: no probability columns
    else:
        assert rows[0][0] == "prediction"
        assert len(rows[0]) == 1 + 4
    onnxruntime = pytest.importorskip("onnxruntime")
    onnx_file = tmp_path / "m.onnx"
    result = invoke("export", out / "model.safetensors", "--onnx", onnx_file)
    assert result.exit_code == 0, result.output
    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    X = dataset.X.astype(np.float32)  # the exported input's default dtype
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, {"X": X})))
    assert outputs["label"].tolist() == model.predict(X).tolist()


def test_ovr_on_a_csv_of_three_classes(tmp_path):
    data = sklearn_csv(tmp_path, "wine")
    out = tmp_path / "wine-ovr"
    result = invoke(
        "train", "--data", data, "--multiclass", "ovr", "--epochs", 60, "--out", out, "-q"
    )
    assert result.exit_code == 0, result.output
    config = _config(out)
    assert [n["name"] for n in config["training"]["networks"]] == [
        f"class_{c} vs rest" for c in (0, 1, 2)
    ]
    assert config["metrics"]["test"]["accuracy"] > 0.85
    assert math.isfinite(config["metrics"]["test"]["loss"])
    result = invoke("evaluate", out / "model.safetensors", "--data", data, "--part", "test")
    assert result.exit_code == 0, result.output
    assert f"{config['metrics']['test']['accuracy']:.2%}" in result.stdout
    # the report rebuilt from the folder shows the same
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    assert "3 × 13–64–1" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--gradcheck"], "--gradcheck works with --multiclass native only"),
        (["--diagnose"], "--diagnose works with --multiclass native only"),
        (["--early-stopping"], "--early-stopping works with --multiclass native only"),
        (["--checkpoint-every", "5"], "--checkpoint-every works with --multiclass native only"),
        (["--resume"], "--multiclass native only"),
    ],
)
def test_options_of_one_network_are_refused(tmp_path, extra, named):
    out = tmp_path / "r"
    result = invoke("train", "--data", "animals", "--multiclass", "ovo", "--out", out, *extra)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--data", "xor"], "needs more than two classes, but xor has 2"),
        (["--data", "diabetes.csv", "--task", "regression"], "is a regression task"),
    ],
)
def test_multiclass_needs_more_than_two_classes(tmp_path, args, named):
    if args[1] == "diabetes.csv":
        args = ["--data", sklearn_csv(tmp_path, "diabetes"), *args[2:]]
    out = tmp_path / "r"
    result = invoke("train", *args, "--multiclass", "ovr", "--out", out)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert not out.exists()
