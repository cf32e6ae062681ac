"""mlplab.Scaling: x′ = (x − μ)/s fitted on training data, and folded into θ⁽¹⁾ (or θ⁽ᴸ⁻¹⁾)."""

from __future__ import annotations

import doctest
import io

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import mlplab
from mlplab import MLPClassifier, Network, Scaling, ScalingOverflow
from mlplab.persistence import dumps, loads


def test_the_public_name_is_the_module_class_and_its_example_runs():
    assert mlplab.Scaling is mlplab.scaling.Scaling
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(mlplab.scaling.Scaling, "Scaling", globs={}):
        runner.run(test, out=io.StringIO().write)
    assert runner.tries >= 5
    assert runner.failures == 0


def test_fit_standardizes_on_the_data_given(rng):
    X = rng.normal(loc=[5.0, -300.0, 0.0], scale=[2.0, 50.0, 1.0], size=(200, 3))
    X[:, 2] = 7.0  # a constant feature: its scale is taken as 1, so x′ = 0, not 0/0
    scaling = Scaling.fit(X)
    assert scaling.kind == "standardize"
    np.testing.assert_allclose(scaling.mean, X.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(scaling.scale[:2], X[:, :2].std(axis=0), rtol=1e-15)
    assert scaling.scale[2] == 1.0
    scaled = scaling.transform(X)
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(scaled[:, :2].std(axis=0), 1.0, rtol=1e-13)
    assert np.all(scaled[:, 2] == 0.0)
    divide = Scaling.fit(X, "divide")
    np.testing.assert_array_equal(divide.transform(X), X / 16.0)
    assert Scaling.fit(X).to_dict() == {
        "kind": "standardize", "mean": list(scaling.mean), "scale": list(scaling.scale),
    }  # fmt: skip


def test_what_cannot_be_scaled_is_refused_by_name():
    with pytest.raises(ValueError, match="kind must be one of standardize, divide; got 'minmax'"):
        Scaling.fit(np.ones((3, 2)), "minmax")
    with pytest.raises(ValueError, match=r"2-D array \(examples × features\), got shape \(3,\)"):
        Scaling.fit(np.ones(3))
    X = np.array([[1.0, 1e308], [2.0, -1e308], [3.0, 0.0]])
    message = (
        "feature 'weight' holds 1e+308, too large to standardize in float64 (its square "
        "overflows); rescale the column (e.g. to other units)"
    )
    with pytest.raises(ScalingOverflow, match="too large to standardize") as caught:
        Scaling.fit(X, names=["length", "weight"])
    assert str(caught.value) == message
    # where it is, for messages that name the place (a CSV file's line and column)
    assert (caught.value.column, caught.value.row, caught.value.value) == (1, 0, 1e308)
    assert message.endswith(", " + caught.value.reason)
    # the command line names its own way out; the scaling is the library's
    from mlplab.cli._scaling import Scaling as CommandScaling

    with pytest.raises(ValueError, match="too large to standardize") as caught:
        CommandScaling.fit(X, "standardize", names=["length", "weight"])
    assert str(caught.value) == message + " or use --no-scale"
    assert issubclass(CommandScaling, Scaling)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_folded_estimator_takes_raw_features_and_keeps_its_predictions(rng, dtype):
    # weight in kg and length in cm, far from 0 and of different spreads
    X = rng.normal(loc=[20.0, 80.0], scale=[8.0, 25.0], size=(120, 2))
    y = (X[:, 0] / 8 + X[:, 1] / 25 > 20 / 8 + 80 / 25).astype(int)
    scaling = Scaling.fit(X)
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=40, random_state=0, dtype=dtype)
    with pytest.warns(ConvergenceWarning):  # 40 epochs: on purpose
        model.fit(scaling.transform(X), y)
    expected = model.predict_proba(scaling.transform(X).astype(dtype))
    copy = loads(dumps(model))
    scaling.fold_into(copy.network_)  # coefs_ and intercepts_ are views: they follow
    got = loads(dumps(copy)).predict_proba(X.astype(dtype))
    # z⁽²⁾ = b + W x′ and (b − Wμ/s) + (W/s) x differ by a few ulps of their terms
    # (|W x / s| ≲ 1e1 here: ~1e-14 in float64, ~1e-5 in float32), and every later
    # factor (σ′ ≤ 1/4, weights of a few units) keeps h's change at or below that.
    # Measured: 2.2e-16 and 1.2e-7.
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance)


def test_a_target_scaling_folds_into_an_identity_output(rng):
    net = Network([3, 4, 2], activation="tanh", output="identity", random_state=0)
    y = rng.normal(loc=[1e3, -5.0], scale=[2e2, 0.1], size=(50, 2))
    target = Scaling.fit(y)
    X = rng.normal(size=(50, 3))
    expected = target.mean + target.scale * net.forward(X)  # y = μ + s h′
    target.fold_into_output(net)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-13, atol=1e-12)
    sigmoid = Network([3, 2], output="sigmoid", random_state=0)
    with pytest.raises(ValueError, match="only an identity output layer"):
        target.fold_into_output(sigmoid)
