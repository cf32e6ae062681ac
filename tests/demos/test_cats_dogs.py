"""Cats vs dogs is nearly linear; cat vs non-cat needs a hidden layer."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.datasets import cat_vs_noncat


@pytest.fixture(scope="module")
def cats(demo_run):
    return demo_run("cats-dogs")[0]


def test_cat_vs_noncat_needs_a_hidden_layer(cats):
    linear = cats.numbers["cat_vs_noncat_linear"]
    hidden = cats.numbers["cat_vs_noncat_hidden"]
    assert linear["hidden_layer_sizes"] == []
    assert hidden["hidden_layer_sizes"] == [8]
    assert linear["test_accuracy"] < 0.85
    assert hidden["test_accuracy"] > 0.93
    assert hidden["test_accuracy"] - linear["test_accuracy"] > 0.1
    # even on the data it was fitted to, the line stays far below the hidden layer
    assert hidden["train_accuracy"] - linear["train_accuracy"] > 0.1


def test_no_linear_classifier_separates_the_cats():
    # An independent oracle: scikit-learn's nearly unregularized logistic regression,
    # scored on its own training data, still misses many.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    data = cat_vs_noncat(600, random_state=0)
    X = StandardScaler().fit_transform(data.X)
    score = LogisticRegression(C=1e4, max_iter=10_000).fit(X, data.y).score(X, data.y)
    assert score < 0.85


def test_cats_vs_dogs_is_almost_linear(cats):
    numbers = cats.numbers["cats_vs_dogs"]
    assert numbers["hidden_layer_sizes"] == []
    assert 0.9 < numbers["test_accuracy"] < 1.0  # small dog breeds overlap the cats


def test_figures_are_drawn_in_kg_and_cm(cats):
    for key in ("linear", "noncat"):
        axes = [ax for ax in cats.figures[key].axes if ax.get_xlabel()]
        assert axes
        for ax in axes:
            assert ax.get_xlabel() == "weight (kg)"
            assert ax.get_ylabel() == "length (cm)"
    # the zoomed panels cover the cats' island in kg, not standardized units
    noncat = [ax for ax in cats.figures["noncat"].axes if ax.get_xlabel()]
    assert [ax.get_xlim() for ax in noncat] == [(0.0, 16.0), (0.0, 16.0)]
    assert np.allclose([ax.get_ylim() for ax in noncat], [(15.0, 90.0), (15.0, 90.0)])
