"""MLPRegressor: identity outputs, one or several targets, scikit-learn's conventions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.metrics import r2_score

from mlplab import MLPRegressor

from ._data import regression

LBFGS = {"hidden_layer_sizes": (20,), "activation": "tanh", "solver": "lbfgs", "random_state": 0}


def test_one_target_gives_1d_predictions():
    X, y = regression()
    reg = MLPRegressor(max_iter=1000, **LBFGS).fit(X, y)
    assert reg.out_activation_ == "identity"
    assert reg.network_.output == "identity"
    assert reg.n_outputs_ == 1
    predicted = reg.predict(X)
    assert predicted.shape == (200,)
    np.testing.assert_allclose(predicted, reg.network_.forward(X)[:, 0], rtol=0, atol=0)
    assert reg.score(X, y) == pytest.approx(r2_score(y, predicted), rel=1e-12)
    assert reg.score(X, y) > 0.99


def test_several_targets_give_2d_predictions():
    X, Y = regression(n_outputs=2)
    reg = MLPRegressor(max_iter=1000, **LBFGS).fit(X, Y)
    assert reg.n_outputs_ == 2
    assert [c.shape for c in reg.coefs_] == [(2, 20), (20, 2)]
    assert reg.predict(X).shape == (200, 2)
    assert reg.score(X, Y) > 0.99


def test_column_vector_y_warns_and_predicts_1d():
    X, y = regression()
    with pytest.warns(DataConversionWarning, match="column-vector y was passed"):
        reg = MLPRegressor(max_iter=1000, **LBFGS).fit(X, y.reshape(-1, 1))
    assert reg.predict(X).shape == (200,)


def test_training_loss_is_half_the_mean_squared_error_plus_penalty():
    X, y = regression()
    reg = MLPRegressor(
        hidden_layer_sizes=(10,), solver="gd", learning_rate_init=0.05, max_iter=3, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
    # gd takes one full batch per epoch, so the recorded loss is J of the weights the
    # epoch started from; after the run, J of the final weights is below the last one.
    final = 0.5 * np.mean((reg.predict(X) - y) ** 2) + reg.alpha / (2 * 200) * sum(
        float((c**2).sum()) for c in reg.coefs_
    )
    assert final < reg.loss_
    assert reg.loss_curve_[0] > reg.loss_curve_[-1]


def test_early_stopping_watches_validation_r2():
    X, y = regression()
    reg = MLPRegressor(
        hidden_layer_sizes=(20,),
        activation="tanh",
        learning_rate_init=0.01,
        early_stopping=True,
        n_iter_no_change=5,
        random_state=0,
        max_iter=500,
    ).fit(X, y)
    assert reg.stop_reason_ == "no_improvement"
    assert reg.best_loss_ is None
    np.testing.assert_array_equal(reg.validation_scores_, reg.history_["val_r2"])
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_validation_score_ > 0.8
    assert reg.t_ == 180 * reg.n_iter_  # 10% held out, not stratified


def test_partial_fit_and_warm_start():
    X, y = regression()
    reg = MLPRegressor(
        hidden_layer_sizes=(20,), activation="tanh", learning_rate_init=0.01, random_state=0
    )
    for _ in range(20):
        reg.partial_fit(X, y)
    assert reg.history_.n_epochs == 20
    assert reg.loss_curve_[-1] < 0.5 * reg.loss_curve_[0]
    with pytest.raises(ValueError, match="X has 3 features, but MLPRegressor is expecting 2"):
        reg.partial_fit(np.hstack([X, X[:, :1]]), y)
    warm = MLPRegressor(hidden_layer_sizes=(20,), max_iter=4, warm_start=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        warm.fit(X, y)
    with pytest.warns(ConvergenceWarning):
        warm.fit(X, y)
    assert len(warm.loss_curve_) == 8
    with pytest.raises(ValueError, match=r"the network has layer sizes \(2, 20, 1\)"):
        warm.fit(X, np.column_stack([y, y]))


def test_validation_data_for_regression():
    X, y = regression()
    reg = MLPRegressor(max_iter=50, **LBFGS)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X[:150], y[:150], validation_data=(X[150:], y[150:]))
    assert reg.validation_scores_[-1] == pytest.approx(reg.score(X[150:], y[150:]), rel=1e-9)


def test_regressor_specific_parameters():
    X, y = regression()
    with pytest.raises(ValueError, match="The 'loss' parameter of MLPRegressor must be a str"):
        MLPRegressor(loss="absolute_error").fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown label type|could not convert"):
        MLPRegressor(max_iter=5).fit(X, np.array(["a", "b"] * 100))
    assert not hasattr(MLPRegressor(), "predict_proba")
    assert not hasattr(MLPRegressor(solver="cg"), "partial_fit")


def test_poisson_loss_uses_the_exp_output_and_learns_a_log_linear_rate(tmp_path):
    import mlplab

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    rate = np.exp(X @ np.array([0.3, -0.2, 0.5]) + 0.2)
    y = rng.poisson(rate).astype(float)
    # one identity hidden unit: a log-linear model (a Poisson GLM), which L-BFGS solves
    reg = MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(1,),
        activation="identity",
        solver="lbfgs",
        max_iter=1000,
        random_state=0,
    ).fit(X, y)
    assert reg.out_activation_ == "exp"
    assert reg.network_.output == "exp"
    predicted = reg.predict(X)
    np.testing.assert_allclose(predicted, np.exp(reg.network_.decision_function(X)[:, 0]))
    assert predicted.min() > 0
    # loss_ is half the Poisson deviance of the fit (plus the small λ term), computed
    # here from its definition: 1/m Σ [y log(y/h) − y + h]
    from scipy.special import xlogy

    deviance = np.mean(xlogy(y, y / predicted) - y + predicted)
    penalty = reg.alpha / (2 * 400) * sum(float((c**2).sum()) for c in reg.coefs_)
    assert reg.loss_ == pytest.approx(deviance + penalty, rel=1e-6)
    # it learned the rate: closer to it than the squared error's fit of the same net is
    # not asked; closer than the constant mean rate is
    assert np.mean((predicted - rate) ** 2) < 0.1 * np.mean((y.mean() - rate) ** 2)
    mlplab.save(reg, tmp_path / "poisson.safetensors")
    loaded = mlplab.load(tmp_path / "poisson.safetensors")
    np.testing.assert_array_equal(loaded.predict(X), predicted)
    with pytest.raises(ValueError, match=r"loss='poisson' needs y >= 0 \(counts or rates\)"):
        MLPRegressor(loss="poisson").fit(X, y - 1)


def test_a_diverged_epoch_scores_nan_in_validation_scores_like_sklearn():
    from mlplab.training import DivergenceWarning

    X, y = regression()
    reg = MLPRegressor(
        hidden_layer_sizes=(20,),
        solver="sgd",
        learning_rate_init=1e3,
        early_stopping=True,
        random_state=0,
    )
    with pytest.warns(DivergenceWarning):
        reg.fit(X * 100, y)
    assert reg.stop_reason_ == "diverged"
    assert isinstance(reg.validation_scores_, list)
    assert np.isnan(reg.validation_scores_[-1])
    assert len(reg.validation_scores_) == len(reg.loss_curve_) + 1


def test_multi_output_loss_is_averaged_over_outputs_like_sklearn_and_cost_is_summed():
    X, y = regression(2)
    reg = MLPRegressor(max_iter=30, **LBFGS)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
    residual = reg.predict(X) - y
    penalty = reg.alpha / (2 * 200) * sum(float((c**2).sum()) for c in reg.coefs_)
    # scikit-learn's loss_: ½ · mean over examples *and* outputs, plus λ/(2m)‖W‖²
    assert reg.loss_ == pytest.approx(0.5 * np.mean(residual**2) + penalty, rel=1e-9)
    # the lecture's J, which the network computes and L-BFGS minimizes: summed over k
    summed = 0.5 * np.sum(residual**2) / 200 + penalty
    assert reg.network_.cost(X, y, lam=reg.alpha) == pytest.approx(summed, rel=1e-9)
    # epoch solvers record the same averaged figure per epoch
    # (val_loss, the data term of the final weights, here on the training data itself)
    gd = MLPRegressor(hidden_layer_sizes=(5,), solver="gd", max_iter=1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        gd.fit(X, y, validation_data=(X, y))
    assert gd.history_["val_loss"][0] == pytest.approx(
        0.5 * np.mean((gd.predict(X) - y) ** 2), rel=1e-9
    )
