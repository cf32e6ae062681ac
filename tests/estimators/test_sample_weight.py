"""Sample weights: scikit-learn's weighting (Σw in place of m), in fit, partial_fit and J.

A weight wᵢ makes example i count wᵢ times: the cost of a batch is
Σ wᵢ·lossᵢ/Σw + λ/(2Σw) Σ W² (scikit-learn's MLP). So with a full-batch solver an integer
weight is the same as repeating the row, and a zero weight the same as dropping it.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.ensemble import AdaBoostClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import has_fit_parameter

from mlplab import MLPClassifier, MLPRegressor, Network, numerical_gradient
from mlplab._kernels import use_backend

from ._data import iris, regression


@contextlib.contextmanager
def _no_warning_check():
    """Let the ConvergenceWarning of a deliberately short fit through silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# Weighted and repeated fits evaluate the same J, but sum its terms in another order
# (wᵢ·lossᵢ once vs wᵢ copies; Σw vs the count of rows), so each cost and gradient
# differs by a few ulps (~1e-16 relative). L-BFGS and gradient descent carry such
# differences through 60 iterations of a well-conditioned problem (λ large enough that
# the line searches do not amplify them: iris with λ = 1e-4 reaches 3e-2 after 40 L-BFGS
# iterations, with λ = 0.1 4e-9); measured max |Δ| of the predictions: iris gd 2e-16,
# lbfgs 4e-9; regression targets of scale ~1: gd 5e-10, lbfgs 2e-9. 1e-6 leaves room for
# another BLAS kernel and still fails by orders of magnitude when a weight is ignored
# (Δ 0.6 and more).
ATOL = 1e-6


def _weights(m, seed=0, high=3):
    return np.random.default_rng(seed).integers(0, high, m)


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_integer_weights_are_repeated_rows_and_zero_weights_dropped_rows(solver):
    X, y = iris()
    w = _weights(len(y))  # 0, 1 or 2: dropped, once, twice
    params = {
        "hidden_layer_sizes": (6,),
        "alpha": 0.1,  # well conditioned: with λ = 1e-4 L-BFGS amplifies ulps to 1e-2
        "solver": solver,
        "random_state": 0,
        "max_iter": 60,
        "tol": 0.0,
    }
    params["learning_rate_init"] = 0.5  # gd's η
    with _no_warning_check():  # 60 iterations on purpose
        weighted = MLPClassifier(**params).fit(X, y, sample_weight=w)
        repeated = MLPClassifier(**params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
        plain = MLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=ATOL)
    assert weighted.n_iter_ == repeated.n_iter_
    # and the weights matter: unweighted is another model
    assert np.abs(plain.predict_proba(X) - weighted.predict_proba(X)).max() > 100 * ATOL


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_regressor_zero_weights_drop_rows(solver):
    X, y = regression()
    w = _weights(len(y), seed=1).astype(float)
    params = {
        "hidden_layer_sizes": (5,),
        "solver": solver,
        "random_state": 0,
        "max_iter": 60,
        "tol": 0.0,
        "learning_rate_init": 0.05,
    }
    kept = w > 0
    with _no_warning_check():  # 60 iterations on purpose
        weighted = MLPRegressor(**params).fit(X, y, sample_weight=w)
        dropped = MLPRegressor(**params).fit(X[kept], y[kept], sample_weight=w[kept])
        repeated = MLPRegressor(**params).fit(
            np.repeat(X, w.astype(int), axis=0), np.repeat(y, w.astype(int))
        )
    np.testing.assert_allclose(weighted.predict(X), dropped.predict(X), atol=ATOL)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), atol=ATOL)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unit_weights_train_the_unweighted_model(backend, dtype):
    # Mini-batch Adam with early stopping: weights of one change nothing (scikit-learn's
    # own test of this is run unmodified in test_sklearn_own_tests.py). With the numpy
    # kernels δ⁽ᴸ⁾·(1/Σw)·1 is bit for bit δ⁽ᴸ⁾/m, so the steps are identical. The numba
    # backend computes a weighted output layer with numpy's pass and an unweighted one
    # with its own fused loop: rounding apart (measured max |Δp| 1.1e-16 in float64,
    # 1.2e-7 = 1 ulp in float32, after 15 epochs).
    if backend == "numba":
        pytest.importorskip("numba")
    X, y = iris()
    X = X.astype(dtype)
    params = {
        "hidden_layer_sizes": (8,),
        "batch_size": 16,
        "max_iter": 15,
        "random_state": 0,
        "early_stopping": True,
    }
    with use_backend(backend), _no_warning_check():
        weighted = MLPClassifier(**params).fit(X, y, sample_weight=np.ones(len(y)))
        plain = MLPClassifier(**params).fit(X, y)
    if backend == "numpy":
        np.testing.assert_array_equal(weighted.predict_proba(X), plain.predict_proba(X))
    else:
        atol = 1e-13 if dtype == np.float64 else 1e-5
        np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X), atol=atol)
    assert weighted.validation_scores_ == plain.validation_scores_
    # the reported loss sums Σ 1·lossᵢ in another order: ulps
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(weighted.loss_curve_, plain.loss_curve_, rtol=rtol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_and_numpy_kernels_agree_on_weighted_minibatch_training(dtype):
    pytest.importorskip("numba")
    X, y = iris()
    X = X.astype(dtype)
    w = np.random.default_rng(3).uniform(0.0, 3.0, len(y))
    params = {"hidden_layer_sizes": (8,), "batch_size": 16, "max_iter": 5, "random_state": 0}
    models = {}
    for backend in ("numpy", "numba"):
        with use_backend(backend), _no_warning_check():
            models[backend] = MLPClassifier(**params).fit(X, y, sample_weight=w)
    # the hidden layers' passes run in each backend (fused multiply-adds, summation
    # order): 5 epochs × 10 steps of rounding differences, ~1e-15 (float64) and ~1e-6
    # (float32) relative per step, measured below 1e-13 / 1e-5 at the end
    atol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(
        models["numba"].predict_proba(X), models["numpy"].predict_proba(X), atol=atol
    )
    np.testing.assert_allclose(
        models["numba"].loss_curve_, models["numpy"].loss_curve_, rtol=100 * atol
    )


def test_partial_fit_takes_weights():
    X, y = iris()
    w = _weights(len(y), seed=2)
    kept = w > 0
    a = MLPClassifier(hidden_layer_sizes=(5,), solver="gd", random_state=0)
    b = MLPClassifier(hidden_layer_sizes=(5,), solver="gd", random_state=0)
    for _ in range(3):
        a.partial_fit(X, y, sample_weight=(w > 0).astype(float), classes=[0, 1, 2])
        b.partial_fit(X[kept], y[kept], classes=[0, 1, 2])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=ATOL)
    r = MLPRegressor(hidden_layer_sizes=(3,), random_state=0)
    Xr, yr = regression()
    r.partial_fit(Xr, yr, sample_weight=np.ones(len(yr)))
    assert r.n_iter_ == 1


def test_early_stopping_keeps_the_weights_of_held_out_examples():
    # The validation score is weighted (scikit-learn's score(..., sample_weight)): with
    # the weight of every held-out example of one class set to zero, that class cannot
    # lower the score; the split itself is the unweighted one.
    X, y = iris()
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0, "early_stopping": True}
    with _no_warning_check():
        plain = MLPClassifier(**params).fit(X, y)
        weighted = MLPClassifier(**params).fit(X, y, sample_weight=np.where(y == 0, 0.0, 1.0))
    assert len(weighted.validation_scores_) == len(plain.validation_scores_) == 3
    assert weighted.validation_scores_ != plain.validation_scores_


def test_weighted_cost_has_the_gradient_of_its_cost():
    # Central differences of J_w(θ) = Σ wᵢ·lossᵢ/Σw + λ/(2Σw) Σ W² against backprop's
    # D_w, in float64, for every output layer (each pairs with δ⁽ᴸ⁾ = w(a − y)/Σw).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    w = rng.uniform(0.0, 2.0, 12)
    w[3] = 0.0
    for output, Y in [
        ("softmax", np.eye(3)[rng.integers(0, 3, 12)]),
        ("sigmoid", rng.integers(0, 2, (12, 2)).astype(float)),
        ("identity", rng.normal(size=(12, 2))),
        ("exp", rng.poisson(2.0, (12, 2)).astype(float)),
    ]:
        net = Network([3, 4, Y.shape[1]], "tanh", output, random_state=1)
        lam = 0.3
        _, grad = net.cost_and_grad(X, Y, lam, sample_weight=w)

        def J(theta, net=net, Y=Y, lam=lam):
            return net.cost_and_grad(X, Y, lam, sample_weight=w)[0]

        numerical = numerical_gradient(J, net.theta)
        # central differences with ε = 1e-4: truncation error ~ε²·|J'''| ≈ 1e-8 here,
        # rounding ~eps·|J|/ε ≈ 1e-12; measured relative errors ≤ 1e-9
        error = np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical)
        assert error < 1e-7, (output, error)


def test_weighted_cost_is_the_cost_of_repeated_rows_dense_and_sparse():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 4))
    Y = np.eye(3)[rng.integers(0, 3, 10)]
    w = rng.integers(0, 4, 10)
    net = Network([4, 5, 3], "relu", "softmax", random_state=0)
    cost_r, grad_r = net.cost_and_grad(np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0), 0.2)
    cost_w, grad_w = net.cost_and_grad(X, Y, 0.2, sample_weight=w)
    cost_s, grad_s = net.cost_and_grad(sparse.csr_matrix(X), Y, 0.2, sample_weight=w)
    # the same terms summed in another order: a few ulps
    assert cost_w == pytest.approx(cost_r, rel=1e-13)
    assert cost_s == pytest.approx(cost_r, rel=1e-13)
    np.testing.assert_allclose(grad_w, grad_r, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad_s, grad_r, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (-np.ones(150), "Negative values"),
        (np.zeros(150), "zero"),
        (np.ones(149), "150|149"),
    ],
)
def test_bad_weights_are_refused(weights, message):
    X, y = iris()
    with pytest.raises(ValueError, match=message):
        MLPClassifier(max_iter=1).fit(X, y, sample_weight=weights)


def test_network_refuses_bad_weights_by_name():
    net = Network([2, 1], output="identity")
    X, Y = np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(3,\)"):
        net.cost_and_grad(X, Y, sample_weight=np.ones(2))
    with pytest.raises(ValueError, match="finite and >= 0"):
        net.cost_and_grad(X, Y, sample_weight=[1.0, np.nan, 1.0])


def test_weights_reach_the_model_through_scikit_learn_tools():
    X, y = iris()
    assert has_fit_parameter(MLPClassifier(), "sample_weight")
    assert has_fit_parameter(MLPRegressor(), "sample_weight")
    w = _weights(len(y), seed=4)
    params = {"hidden_layer_sizes": (5,), "solver": "lbfgs", "random_state": 0, "max_iter": 30}
    with _no_warning_check():
        pipe = make_pipeline(StandardScaler(), MLPClassifier(**params))
        pipe.fit(X, y, mlpclassifier__sample_weight=w)
        direct = MLPClassifier(**params).fit(StandardScaler().fit_transform(X), y, sample_weight=w)
        boosted = AdaBoostClassifier(MLPClassifier(**params), n_estimators=2, random_state=0)
        boosted.fit(X, y)
    np.testing.assert_allclose(pipe.predict_proba(X), direct.predict_proba(X), atol=ATOL)
    assert boosted.score(X, y) > 0.9


@pytest.mark.parametrize("strategy", ["ovr", "ovo"])
def test_one_vs_rest_and_one_vs_one_pass_the_weights_on(strategy):
    X, y = iris()
    w = _weights(len(y), seed=5)
    params = {"hidden_layer_sizes": (4,), "solver": "lbfgs", "random_state": 0, "max_iter": 30}
    with _no_warning_check():
        weighted = MLPClassifier(multiclass=strategy, **params).fit(X, y, sample_weight=w)
        repeated = MLPClassifier(multiclass=strategy, **params).fit(
            np.repeat(X, w, axis=0), np.repeat(y, w)
        )
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))
    if strategy == "ovr":
        np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=ATOL)


def test_a_checkpoint_refuses_to_resume_with_other_weights(tmp_path):
    X, y = iris()
    w = _weights(len(y), seed=6) + 1
    params = {"hidden_layer_sizes": (4,), "random_state": 0, "checkpoint_dir": tmp_path}
    with _no_warning_check():
        MLPClassifier(max_iter=2, **params).fit(X, y, sample_weight=w)
        with pytest.raises(ValueError, match="data contents"):
            MLPClassifier(max_iter=4, **params).fit(
                X, y, sample_weight=w[::-1], resume_from=tmp_path
            )
        resumed = MLPClassifier(max_iter=4, **params).fit(
            X, y, sample_weight=w, resume_from=tmp_path
        )
    assert len(resumed.loss_curve_) == 4
