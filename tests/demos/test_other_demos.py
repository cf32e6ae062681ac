"""The numbers of the animals, features, init, gradcheck and digits demos."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.demos import demo_gradcheck


def test_animals_compares_the_three_strategies(demo_run):
    result, _ = demo_run("animals")
    strategies = result.numbers["strategies"]
    assert list(strategies) == ["native", "ovr", "ovo"]
    assert {k: v["n_networks"] for k, v in strategies.items()} == {
        "native": 1,
        "ovr": 4,
        "ovo": 6,
    }
    for outcome in strategies.values():
        assert outcome["accuracy"] > 0.9
        assert outcome["fit_seconds"] > 0
    lines = result.tables["comparison"].splitlines()
    assert lines[0].split() == ["strategy", "networks", "test", "accuracy", "fit", "seconds"]
    assert [line.split()[0] for line in lines[2:]] == ["native", "ovr", "ovo"]


def test_animals_native_outputs_approach_the_one_hot_targets(demo_run):
    result, _ = demo_run("animals")
    outputs = result.numbers["outputs"]
    assert list(outputs) == ["cat", "dog", "fox", "bird"]
    for k, h in enumerate(outputs.values()):
        assert len(h) == 4
        assert int(np.argmax(h)) == k  # h_θ(x) ≈ the class's one-hot vector
    assert "[1 0 0 0]" in result.tables["outputs"]


def test_features_hidden_units_learn_the_circles(demo_run):
    result, _ = demo_run("features")
    assert result.numbers["circles_accuracy"] > 0.95
    assert result.numbers["digits_test_accuracy"] > 0.9
    units = result.figures["units"]
    titled = [ax.get_title() for ax in units.axes if ax.get_title().startswith("unit")]
    assert titled == [f"unit {i}" for i in range(1, result.numbers["hidden_units"] + 1)]
    grid = result.figures["digit-weights"].axes[0]  # the units' images in one axes
    labels = [t.get_text() for t in grid.texts]
    assert labels == [f"unit {i}" for i in range(1, result.numbers["digits_hidden_units"] + 1)]
    assert len(grid.get_images()) == 1  # one mosaic of 8×8 tiles (tested in plots)


def test_init_zero_weights_keep_the_hidden_units_identical(demo_run):
    result, _ = demo_run("init")
    zeros, uniform = result.numbers["zeros"], result.numbers["uniform"]
    assert zeros["unit_spread"] < 1e-8  # copies of each other, up to rounding
    assert zeros["accuracy"] <= 0.75
    assert uniform["unit_spread"] > 1.0
    assert uniform["accuracy"] > 0.95
    assert uniform["final_loss"] < zeros["final_loss"]


def test_gradcheck_passes_backprop_and_catches_the_bug(demo_run):
    result, _ = demo_run("gradcheck")
    numbers = result.numbers
    assert numbers["relative_error"] < 1e-7
    assert max(numbers["layer_errors"]) < 1e-7
    assert numbers["verdict"] == "good"
    assert numbers["loop_vs_vectorized"] < 1e-12
    assert numbers["bug_relative_error"] > 1e-2
    assert numbers["bug_verdict"] == "wrong"
    assert numbers["n_params"] == 5 * 5 + 3 * 6


def test_gradcheck_without_regularization_has_no_bug_to_find():
    # With λ = 0 the "forgotten λθ/m" changes nothing: the check must pass both ways.
    result = demo_gradcheck(lam=0.0, layer_sizes=(2, 3, 2), n_samples=5)
    assert result.numbers["relative_error"] < 1e-7
    assert result.numbers["bug_relative_error"] == pytest.approx(result.numbers["relative_error"])


def test_digits_lab_learns_and_records_its_curves(demo_run):
    result, _ = demo_run("digits")
    numbers = result.numbers
    assert numbers["layer_sizes"] == [64, 32, 10]
    assert numbers["n_train"] + numbers["n_val"] + numbers["n_test"] == 1797
    assert numbers["test_accuracy"] > 0.95
    assert numbers["train_accuracy"] >= numbers["val_accuracy"]
    assert 1 <= numbers["best_epoch"] <= numbers["epochs"] == 60
    assert numbers["n_misclassified"] == round((1 - numbers["test_accuracy"]) * numbers["n_test"])
    curves = result.figures["learning-curves"]
    assert [ax.get_title() for ax in curves.axes] == ["Loss", "Accuracy"]
    assert result.tables["history"].splitlines()[-1].split()[0] == "60"
