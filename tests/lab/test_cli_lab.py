"""The command line as the lab uses it: every epoch asked for, the lecture preset, the init ε."""

from __future__ import annotations

import json

import pytest

from mlplab import History
from tests.cli._helpers import invoke


def test_no_early_stopping_gives_every_epoch_asked_for(tmp_path):
    # On the XOR plateau the training-loss rule used to stop this run after 25 epochs.
    result = invoke(
        "train", "--data", "xor", "--hidden", "2", "--activation", "sigmoid", "--solver", "gd",
        "--learning-rate", "2", "--epochs", "300", "--alpha", "0", "--no-early-stopping",
        "--quiet", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(History.from_csv(tmp_path / "history.csv")) == 300


def test_without_the_flag_the_training_loss_rule_still_applies(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--hidden", "2", "--activation", "sigmoid", "--solver", "gd",
        "--learning-rate", "2", "--epochs", "300", "--alpha", "0", "--quiet", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(History.from_csv(tmp_path / "history.csv")) < 300


def test_the_lecture_preset_in_one_word(tmp_path):
    result = invoke(
        "train", "--data", "animals", "--preset", "lecture", "--hidden", "5", "--epochs", "5",
        "--quiet", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    params = json.loads((tmp_path / "config.json").read_text())["model"]["estimator_params"]
    import mlplab

    expected = mlplab.preset("lecture")
    assert {name: params[name] for name in expected} == expected
    assert params["hidden_layer_sizes"] == [5]


def test_an_option_given_explicitly_wins_over_the_preset(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--preset", "lecture", "--hidden", "3", "--epochs", "5",
        "--learning-rate", "0.5", "--init-epsilon", "0.3", "--quiet", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    params = json.loads((tmp_path / "config.json").read_text())["model"]["estimator_params"]
    assert (params["learning_rate_init"], params["init_epsilon"]) == (0.5, 0.3)
    assert (params["solver"], params["initializer"]) == ("gd", "uniform")


def test_initializer_and_its_epsilon_on_the_command_line(tmp_path):
    result = invoke(
        "train", "--data", "xor", "--hidden", "3", "--epochs", "2", "--initializer", "uniform",
        "--init-epsilon", "0.05", "--quiet", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    params = json.loads((tmp_path / "config.json").read_text())["model"]["estimator_params"]
    assert (params["initializer"], params["init_epsilon"]) == ("uniform", 0.05)
    bad = invoke("train", "--data", "xor", "--init-epsilon", "0", "--out", tmp_path / "x")
    assert bad.exit_code == 2
    assert "--init-epsilon" in bad.stderr


def test_python_preset_builds_the_slides_network():
    import mlplab

    clf = mlplab.MLPClassifier(hidden_layer_sizes=(4,), **mlplab.preset("lecture"))
    assert (clf.activation, clf.output, clf.solver) == ("logistic", "sigmoid", "gd")
    with pytest.raises(ValueError, match="valid presets are lecture"):
        mlplab.preset("slides")
