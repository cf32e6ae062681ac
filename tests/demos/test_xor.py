"""XOR: no hidden layer stays at or below 75%, a hidden layer of two units reaches 100%."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlplab.datasets import boolean_function
from mlplab.demos import XOR_SEED, fit_xor


def test_no_line_separates_xor():
    # The oracle: any line θ₀ + θ₁x₁ + θ₂x₂ = 0 gets at most 3 of the 4 points right.
    table = boolean_function("xor")
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((20000, 3))
    z = theta[:, :1] + theta[:, 1:] @ table.X.T  # (lines, 4 points)
    accuracy = ((z >= 0) == table.y.astype(bool)).mean(axis=1)
    assert accuracy.max() == 0.75


@pytest.mark.parametrize("solver", ["gd", "adam", "lbfgs"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_no_hidden_layer_never_exceeds_75_percent(solver, seed):
    net, history, accuracy = fit_xor(0, solver=solver, random_state=seed)
    assert net.layer_sizes == (2, 1)
    assert accuracy <= 0.75
    # the best the single unit can do in cross-entropy is h = 0.5 everywhere: J = ln 2
    assert history["train_loss"][-1] >= math.log(2) - 1e-6


def test_two_hidden_units_reach_100_percent_for_the_documented_seed():
    net, history, accuracy = fit_xor(2, solver="gd", random_state=XOR_SEED)
    assert net.layer_sizes == (2, 2, 1)
    assert accuracy == 1.0
    assert history["train_loss"][-1] < 0.01
    table = boolean_function("xor")
    assert np.array_equal((net.forward(table.X)[:, 0] >= 0.5).astype(int), table.y)


def test_demo_reports_both_networks(demo_run):
    result, _ = demo_run("xor")
    numbers = result.numbers
    assert numbers["random_state"] == XOR_SEED
    assert numbers["accuracy_hidden"] == 1.0
    assert numbers["accuracy_no_hidden"] <= 0.75
    assert numbers["best_accuracy_no_hidden"] <= 0.75
    assert set(numbers["sweep"]) == {f"{s}/{k}" for s in ("gd", "adam", "lbfgs") for k in (0, 1, 2)}
    assert numbers["final_loss_no_hidden"] == pytest.approx(math.log(2), abs=1e-3)
    assert numbers["final_loss_hidden"] < 0.01
    fig = result.figures["boundaries"]
    titles = [ax.get_title() for ax in fig.axes]
    assert "No hidden layer (2-1): accuracy 50%" in titles
    assert "Hidden layer of 2 units (2-2-1): accuracy 100%" in titles
    loss_axes = next(ax for ax in fig.axes if ax.get_title() == "Loss per epoch")
    assert loss_axes.get_ylabel() == "training loss J(θ)"
    assert len(loss_axes.get_lines()) == 3  # two curves and the ln 2 line
