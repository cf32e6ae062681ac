"""MLPClassifier: scikit-learn's behaviour, label handling, training controls and the extras."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
import sklearn.exceptions
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlplab import Callback, MLPClassifier
from mlplab.estimators import NotFittedError
from mlplab.training import DivergenceWarning

from ._data import iris, multilabel

# A quick, converging setup for the small problems below.
LBFGS = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "max_iter": 500, "random_state": 0}


class ThetaRecorder(Callback):
    """Keeps a copy of θ at the start and after every epoch."""

    def __init__(self):
        self.initial = None
        self.thetas = []

    def on_train_begin(self, trainer):
        self.initial = trainer.net.theta.copy()

    def on_epoch_end(self, trainer, epoch, logs):
        self.thetas.append(trainer.net.theta.copy())


# ---------------------------------------------------------------------- scikit-learn tools
def test_pipeline_cross_val_score_and_grid_search():
    X, y = iris()
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(**LBFGS))])
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.9
    search = GridSearchCV(
        pipe, {"mlp__hidden_layer_sizes": [(2,), (8,)], "mlp__alpha": [1e-4, 1.0]}, cv=3
    )
    search.fit(X, y)
    assert search.best_params_["mlp__hidden_layer_sizes"] in [(2,), (8,)]
    assert search.best_score_ > 0.9
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert search.predict(X).shape == (150,)


def test_dataframes_in_and_out_of_a_pipeline():
    X, y = iris()
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    labels = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y], name="species")
    pipe = Pipeline(
        [
            ("scale", StandardScaler().set_output(transform="pandas")),
            ("mlp", MLPClassifier(**LBFGS)),
        ]
    )
    pipe.fit(frame, labels)
    mlp = pipe.named_steps["mlp"]
    assert list(mlp.feature_names_in_) == list(frame.columns)
    assert mlp.n_features_in_ == 4
    predicted = pipe.predict(frame)
    assert set(predicted) <= {"setosa", "versicolor", "virginica"}
    assert (predicted == labels.to_numpy()).mean() > 0.95

    direct = MLPClassifier(**LBFGS).fit(frame, labels)
    assert list(direct.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        direct.predict(frame.to_numpy())
    renamed = frame.rename(columns={"petal_w": "petal_width"})
    with pytest.raises(ValueError, match="The feature names should match those that were passed"):
        direct.predict(renamed)


def test_pickle_and_clone():
    X, y = iris()
    clf = MLPClassifier(**LBFGS).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.coefs_[0], clf.coefs_[0])
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params()
    assert not hasattr(fresh, "coefs_")


# ---------------------------------------------------------------------- labels and outputs
@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog"]), np.array([-1, 1]), np.array([2.0, 5.0]), np.array([True, False])],
    ids=["strings", "minus-one-one", "floats", "bools"],
)
def test_binary_labels_are_kept_and_use_one_sigmoid_output(labels):
    X, y = iris()
    keep = y < 2
    X, y = X[keep], labels[y[keep]]
    clf = MLPClassifier(**LBFGS).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    assert clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    predicted = clf.predict(X)
    assert predicted.dtype == y.dtype
    assert set(predicted) <= set(labels)
    assert (predicted == y).mean() == 1.0
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    # the sigmoid output p is the probability of classes_[1]; column 0 is 1 − p
    p = clf.network_.forward(X)[:, 0]
    np.testing.assert_allclose(proba[:, 1], p, rtol=0, atol=0)
    np.testing.assert_allclose(proba[:, 0], 1 - p, rtol=0, atol=0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], predicted)


def test_string_multiclass_labels_with_softmax():
    X, y = iris()
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    clf = MLPClassifier(**LBFGS).fit(X, names)
    assert clf.out_activation_ == "softmax"
    assert clf.n_outputs_ == 3
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-12)
    assert clf.score(X, names) > 0.95


def test_lecture_sigmoid_outputs_for_multiclass():
    X, y = iris()
    clf = MLPClassifier(output="sigmoid", activation="sigmoid", **LBFGS).fit(X, y)
    assert clf.out_activation_ == "logistic"
    assert clf.network_.output == "sigmoid"
    assert clf.n_outputs_ == 3
    raw = clf.network_.forward(X)
    assert not np.allclose(raw.sum(axis=1), 1.0)  # K independent units...
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)  # ...normalized like OvR
    np.testing.assert_allclose(proba, raw / raw.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), raw.argmax(axis=1))
    assert clf.score(X, y) > 0.95


def test_multilabel_indicator_targets():
    X, Y = multilabel()
    clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=2000, random_state=0)
    clf.fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    predicted = clf.predict(X)
    assert predicted.shape == Y.shape
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(predicted.dtype))
    assert (predicted == Y).mean() > 0.9  # per label
    assert clf.score(X, Y) > 0.7  # every label right (subset accuracy)


def test_column_vector_y_warns_like_sklearn():
    X, y = iris()
    with pytest.warns(DataConversionWarning, match="column-vector y was passed"):
        clf = MLPClassifier(**LBFGS).fit(X, y.reshape(-1, 1))
    assert clf.predict(X).shape == (150,)


# ---------------------------------------------------------------------- errors
def test_not_fitted_error_is_sklearns():
    clf = MLPClassifier()
    assert issubclass(NotFittedError, sklearn.exceptions.NotFittedError)
    with pytest.raises(NotFittedError, match="This MLPClassifier instance is not fitted yet"):
        clf.predict(np.zeros((2, 4)))
    with pytest.raises(sklearn.exceptions.NotFittedError):
        clf.predict_proba(np.zeros((2, 4)))
    assert not hasattr(clf, "coefs_")
    assert not hasattr(clf, "intercepts_")
    with pytest.raises(NotFittedError, match="Call 'fit' first"):
        clf.coefs_ = [np.zeros((4, 100)), np.zeros((100, 3))]


def test_input_errors_use_sklearn_wording():
    X, y = iris()
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        MLPClassifier(**LBFGS).fit(bad, y)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        MLPClassifier(**LBFGS).fit(bad, y)
    clf = MLPClassifier(**LBFGS).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 3 features, but MLPClassifier is expecting 4 features as input"
    ):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict_proba(bad * np.nan)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        clf.predict(X[0])
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        MLPClassifier(**LBFGS).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="Found input variables with inconsistent numbers"):
        MLPClassifier(**LBFGS).fit(X, y[:-1])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"alpha": -1.0},
            r"The 'alpha' parameter of MLPClassifier must be a float in the range \[0.0, inf\)",
        ),
        ({"solver": "newton"}, r"The 'solver' parameter of MLPClassifier must be a str among"),
        ({"output": "identity"}, r"The 'output' parameter of MLPClassifier must be a str among"),
        ({"multiclass": "all"}, r"The 'multiclass' parameter of MLPClassifier must be a str among"),
        ({"initializer": "xavier"}, r"The 'initializer' parameter of MLPClassifier must be a str"),
        ({"max_iter": 0}, r"The 'max_iter' parameter of MLPClassifier must be an int in the range"),
        ({"hidden_layer_sizes": (5, 0)}, r"hidden_layer_sizes must be > 0, got \[5, 0\]"),
        ({"dtype": np.float16}, r"dtype must be float32 or float64"),
        ({"callbacks": [print]}, r"callbacks must be objects with on_train_begin"),
    ],
)
def test_bad_parameters_are_refused_at_fit_not_in_init(params, message):
    X, y = iris()
    clf = MLPClassifier(**{**LBFGS, **params})
    assert clf.get_params()[next(iter(params))] is next(iter(params.values()))  # stored as given
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        LBFGS,
        {"solver": "adam", "random_state": 0, "n_iter_no_change": 2, "tol": 0.1},
        {"solver": "sgd", "early_stopping": True, "random_state": 0, "n_iter_no_change": 2},
    ],
    ids=["lbfgs", "adam", "sgd-early-stopping"],
)
def test_input_arrays_are_never_modified(params):
    X, y = iris()
    X = np.asfortranarray(X)
    X_before, y_before = X.copy(order="K"), y.copy()
    X.flags.writeable = False  # a read-only input must be enough, too
    y.flags.writeable = False
    clf = MLPClassifier(**params).fit(X, y)
    clf.predict(X)
    clf.predict_proba(X)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


# ---------------------------------------------------------------------- fitted attributes
def test_fitted_attributes_match_sklearns_meaning():
    X, y = iris()
    clf = MLPClassifier(hidden_layer_sizes=(6, 5), max_iter=30, random_state=0, n_iter_no_change=50)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(30\) reached"):
        clf.fit(X, y)
    assert clf.n_iter_ == 30
    assert clf.n_layers_ == 4
    assert clf.t_ == 30 * 150
    assert [c.shape for c in clf.coefs_] == [(4, 6), (6, 5), (5, 3)]
    assert [b.shape for b in clf.intercepts_] == [(6,), (5,), (3,)]
    assert len(clf.loss_curve_) == 30
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None
    assert clf.best_validation_score_ is None
    np.testing.assert_array_equal(clf.history_["train_loss"], clf.loss_curve_)
    assert clf.stop_reason_ == "max_iter"
    assert clf.n_networks_ == 1
    # J of the final weights over the whole set, plus the penalty once per batch of the
    # epoch (one batch here), is what the last epoch's mean batch cost approximates
    cost = clf.network_.cost(X, np.eye(3)[y], lam=clf.alpha)
    assert abs(cost - clf.loss_) < 0.05 * clf.loss_


def test_coefs_and_intercepts_are_views_with_copying_setters():
    X, y = iris()
    clf = MLPClassifier(**LBFGS).fit(X, y)
    theta = clf.network_.thetas
    np.testing.assert_array_equal(clf.coefs_[0], theta[0][:, 1:].T)
    np.testing.assert_array_equal(clf.intercepts_[1], theta[1][:, 0])
    clf.coefs_[1][2, 0] = 42.0  # writing into the view writes into θ⁽²⁾
    assert theta[1][0, 3] == 42.0
    clf.intercepts_[0][1] = -7.0
    assert theta[0][1, 0] == -7.0

    new_coefs = [np.full((4, 8), 0.5), np.full((8, 3), -0.25)]
    clf.coefs_ = new_coefs
    new_coefs[0][...] = 99.0  # the setter copied: the caller's arrays stay theirs
    assert (clf.coefs_[0] == 0.5).all()
    assert (clf.network_.thetas[1][:, 1:] == -0.25).all()
    clf.intercepts_ = [np.arange(8.0), np.arange(3.0)]
    np.testing.assert_array_equal(clf.network_.thetas[1][:, 0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"coefs_\[1\] must have shape \(8, 3\), got \(3, 8\)"):
        clf.coefs_ = [np.zeros((4, 8)), np.zeros((3, 8))]
    with pytest.raises(
        ValueError, match=r"intercepts_ must hold 2 arrays \(one per layer\), got 1"
    ):
        clf.intercepts_ = [np.zeros(8)]


@pytest.mark.parametrize(("activation", "gain"), [("relu", 6.0), ("logistic", 2.0)])
def test_glorot_initialization_is_sklearns_rule(activation, gain):
    # scikit-learn draws every layer, the output layer too, from U[−b, b] with
    # b = √(gain / (fan_in + fan_out)) and the gain of the hidden activation.
    X, y = iris()
    recorder = ThetaRecorder()
    clf = MLPClassifier((40,), activation, solver="lbfgs", max_iter=5, callbacks=[recorder])
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    initial = clf.callbacks_[0].initial
    start = 0
    for fan_in, fan_out in [(4, 40), (40, 3)]:
        layer = initial[start : start + fan_out * (fan_in + 1)]
        start += layer.size
        bound = np.sqrt(gain / (fan_in + fan_out))
        assert np.abs(layer).max() <= bound
        assert np.abs(layer).max() > 0.8 * bound


def test_uniform_initializer_uses_init_epsilon():
    X, y = iris()
    recorder = ThetaRecorder()
    clf = MLPClassifier(
        (5,),
        initializer="uniform",
        init_epsilon=0.01,
        callbacks=[recorder],
        **{k: v for k, v in LBFGS.items() if k != "hidden_layer_sizes"},
    )
    clf.fit(X, y)
    initial = clf.callbacks_[0].initial
    assert np.abs(initial).max() <= 0.01
    assert np.abs(initial).max() > 0.008


@pytest.mark.parametrize("initializer", ["zeros", "uniform"])
def test_zero_initialization_keeps_sigmoid_hidden_units_identical(initializer):
    # "Not to zero!": with θ = 0 every sigmoid hidden unit has a = ½ and, once θ⁽²⁾ has
    # moved, the same δ⁽²⁾ and the same update, so the units stay copies of one another.
    # The gradient must be non-zero for this to mean anything: setosa against the rest
    # (50 vs 100, one sigmoid output) gives Σ (a⁽³⁾ − y) = 75 − 50 ≠ 0 at θ = 0, whereas
    # balanced classes with a softmax give exactly zero and only rounding noise moves θ.
    X, y = iris()
    y = (y == 0).astype(int)
    n_iter, m = 50, X.shape[0]
    clf = MLPClassifier(
        (5,),
        "logistic",
        solver="gd",
        learning_rate_init=0.5,
        max_iter=n_iter,
        initializer=initializer,
        init_epsilon=0.01,
        n_iter_no_change=n_iter,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.network_.output == "sigmoid"
    units = [clf.coefs_[0], clf.intercepts_[0][None, :], clf.coefs_[1].T]  # one column each
    scale = max(np.abs(w).max() for w in units)
    # Weights moved well above rounding (rounding alone moves θ = 0 by ~1e-16).
    assert scale > 0.1
    # Each step's gradient entry is a sum over the m examples; BLAS may sum the columns of
    # Xᵀδ in different orders, so two units' steps may differ by up to m·eps of the step
    # (γₘ, the bound for a sum of m terms), and over n_iter steps by n_iter·m·eps of the
    # weights' scale: 50 · 150 · 2.2e-16 ≈ 1.7e-12 relative.
    tolerance = n_iter * m * np.finfo(np.float64).eps * scale
    spread = max(np.abs(w - w[:, :1]).max() for w in units)
    if initializer == "zeros":
        assert spread <= tolerance  # every unit alike
    else:
        assert spread > 1e-2 * scale  # a random ±ε start breaks the symmetry


def test_float32_runs_in_float32():
    X, y = iris()
    clf = MLPClassifier(dtype=np.float32, **LBFGS).fit(X, y)
    assert clf.network_.dtype == np.float32
    assert clf.coefs_[0].dtype == np.float32
    assert clf.predict_proba(X).dtype == np.float32
    assert clf.score(X, y) > 0.95


@pytest.mark.parametrize(
    ("x_dtype", "dtype", "expected"),
    [
        (np.float32, None, np.float32),  # the default follows X, as scikit-learn does
        (np.float64, None, np.float64),
        (np.int64, None, np.float64),
        (np.float16, None, np.float64),  # anything but float32 trains in float64
        (np.float32, np.float64, np.float64),  # dtype= forces one
        (np.float64, np.float32, np.float32),
    ],
)
def test_dtype_none_follows_X_and_dtype_forces(x_dtype, dtype, expected):
    X, y = iris()
    X = (X * 4).astype(x_dtype)
    clf = MLPClassifier(dtype=dtype, **LBFGS).fit(X, y)
    assert clf.get_params()["dtype"] is dtype
    assert clf.network_.dtype == expected
    assert all(c.dtype == expected for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X).dtype == expected


def test_dtype_none_warm_start_keeps_the_networks_dtype():
    X, y = iris()
    clf = MLPClassifier(warm_start=True, **{**LBFGS, "max_iter": 20})
    with pytest.warns(ConvergenceWarning):
        clf.fit(X.astype(np.float32), y)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)  # float64 data continues the float32 network
    assert clf.network_.dtype == np.float32
    clf.set_params(dtype=np.float64)
    with pytest.raises(ValueError, match="the network has dtype float32"):
        clf.fit(X, y)


def test_item_assignment_to_coefs_and_intercepts_writes_into_the_network():
    # scikit-learn's own idiom: est.coefs_[l] = W (a plain list would drop it silently)
    X, y = iris()
    clf = MLPClassifier(**LBFGS).fit(X, y)
    W = np.arange(32.0).reshape(4, 8)
    clf.coefs_[0] = W
    W[...] = 0.0  # copied: the caller's array stays theirs
    np.testing.assert_array_equal(clf.network_.thetas[0][:, 1:], np.arange(32.0).reshape(4, 8).T)
    clf.intercepts_[1] = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(clf.network_.thetas[1][:, 0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(clf.intercepts_[1], [1.0, 2.0, 3.0])
    # the predictions use the new weights: zero output weights give equal probabilities
    clf.coefs_[1] = np.zeros((8, 3))
    clf.intercepts_[1] = np.zeros(3)
    np.testing.assert_allclose(clf.predict_proba(X), 1 / 3, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match=r"coefs_\[1\] must have shape \(8, 3\), got \(3, 8\)"):
        clf.coefs_[1] = np.zeros((3, 8))
    with pytest.raises(TypeError, match="one layer at a time"):
        clf.coefs_[0:1] = [W]
    copied = pickle.loads(pickle.dumps(clf.coefs_))  # a plain list of arrays
    assert type(copied) is list
    np.testing.assert_array_equal(copied[1], np.zeros((8, 3)))


# ---------------------------------------------------------------------- training control
def test_convergence_warnings_for_each_kind_of_solver():
    X, y = iris()
    with pytest.warns(ConvergenceWarning, match=r"Stochastic Optimizer: Maximum iterations \(3\)"):
        MLPClassifier(max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 2 iterations"):
        MLPClassifier(solver="lbfgs", max_iter=2, random_state=0).fit(X, y)
    # stopping by the n_iter_no_change rule is convergence: no warning (warnings are errors)
    clf = MLPClassifier(solver="sgd", learning_rate_init=0.1, tol=1e-2, random_state=0)
    clf.fit(X, y)
    assert clf.stop_reason_ == "no_improvement"
    assert clf.n_iter_ < 200


def test_n_iter_no_change_rule_is_sklearns():
    X, y = iris()
    clf = MLPClassifier(
        solver="sgd", learning_rate_init=0.1, tol=1e-2, n_iter_no_change=4, random_state=0
    ).fit(X, y)
    losses = np.array(clf.loss_curve_)
    # Stopped when more than 4 epochs in a row failed to beat the best loss by tol.
    best_before = np.minimum.accumulate(losses)
    no_gain = losses[1:] > best_before[:-1] - 1e-2
    assert no_gain[-5:].all()
    assert clf.n_iter_ == len(losses)
    never = MLPClassifier(
        solver="sgd",
        learning_rate_init=0.1,
        tol=1e-2,
        n_iter_no_change=np.inf,
        max_iter=40,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        never.fit(X, y)
    assert never.n_iter_ == 40


def test_early_stopping_restores_the_best_validation_epoch():
    X, y = iris()
    recorder = ThetaRecorder()
    clf = MLPClassifier(
        (10,),
        solver="sgd",
        learning_rate_init=0.05,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        random_state=0,
        callbacks=[recorder],
    )
    clf.fit(X, y)
    assert clf.stop_reason_ == "no_improvement"
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # 20% of 150 held out, stratified: the solver saw 120 examples per epoch
    assert clf.t_ == 120 * clf.n_iter_
    best_epoch = int(np.argmax(clf.validation_scores_))
    np.testing.assert_array_equal(clf.network_.theta, clf.callbacks_[0].thetas[best_epoch])
    assert recorder.thetas == []  # the caller's callback was copied, not used


def test_validation_data_is_recorded_and_replaces_the_held_out_split():
    X, y = iris()
    rng = np.random.default_rng(0)
    order = rng.permutation(150)
    train, val = order[:100], order[100:]
    clf = MLPClassifier((10,), max_iter=15, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X[train], y[train], validation_data=(X[val], y[val]))
    assert "val_loss" in clf.history_
    np.testing.assert_array_equal(clf.validation_scores_, clf.history_["val_accuracy"])
    recomputed = MLPClassifier((10,), max_iter=15, random_state=0)
    with pytest.warns(ConvergenceWarning):
        recomputed.fit(X[train], y[train])
    assert clf.validation_scores_[-1] == recomputed.score(X[val], y[val])

    stopper = MLPClassifier(
        (10,), early_stopping=True, n_iter_no_change=3, random_state=0, max_iter=300
    ).fit(X[train], y[train], validation_data=(X[val], y[val]))
    assert stopper.t_ == 100 * stopper.n_iter_  # nothing held out of the training data
    with pytest.raises(ValueError, match=r"validation_data has classes \[7\]"):
        MLPClassifier(**LBFGS).fit(X[train], y[train], validation_data=(X[val], np.full(50, 7)))
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        MLPClassifier(**LBFGS).fit(X, y, validation_data=X)


def test_warm_start_starts_a_fresh_optimizer_from_the_last_weights():
    X, y = iris()
    binary = y == 1
    # Full-batch SGD with heavy momentum, one epoch per fit: with a fresh optimizer each
    # fit (scikit-learn's rule) the velocity starts at 0, so fit k is θ ← θ − η ∇J(θ).
    # Carried over, the velocity would add μ·(−η ∇J(θ_prev)) to the second step.
    params = {
        "hidden_layer_sizes": (6,),
        "solver": "sgd",
        "momentum": 0.9,
        "nesterovs_momentum": False,
        "batch_size": 150,
        "learning_rate_init": 0.5,
        "max_iter": 1,
        "warm_start": True,
        "random_state": 0,
    }
    warm = MLPClassifier(**params)
    with pytest.warns(ConvergenceWarning):
        warm.fit(X, binary)
    network = warm.network_.copy()
    Y = binary.reshape(-1, 1).astype(float)
    for _ in range(2):
        _, grad = network.cost_and_grad(X, Y, lam=warm.alpha)
        network.theta -= 0.5 * grad  # what a fresh optimizer's first step does
        with pytest.warns(ConvergenceWarning):
            warm.fit(X, binary)
        # The same full-batch J and ∇J, evaluated in another order of operations: the
        # step agrees to float64 rounding of a few hundred terms (≈ 1e-13 relative).
        np.testing.assert_allclose(warm.network_.theta, network.theta, rtol=1e-10, atol=1e-12)
    assert warm.n_iter_ == 1  # this fit's epochs, as in scikit-learn
    assert len(warm.loss_curve_) == 3

    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        warm.fit(X, y)
    warm.set_params(hidden_layer_sizes=(11,))
    with pytest.raises(ValueError, match=r"the network has layer sizes \(4, 6, 1\)"):
        warm.fit(X, binary)
    cold = MLPClassifier(**{**params, "warm_start": False, "max_iter": 5})
    with pytest.warns(ConvergenceWarning):
        cold.fit(X, y)
    old = cold.network_
    with pytest.warns(ConvergenceWarning):
        cold.fit(X, y)
    assert cold.network_ is not old
    np.testing.assert_array_equal(cold.network_.theta, old.theta)  # same seed, same run


def test_warm_start_carries_the_stopping_rule_like_sklearn():
    X, y = iris()
    # tol so large that no epoch counts as an improvement: the first epoch sets the best
    # loss, epochs 2-4 raise the count to 3 > n_iter_no_change = 2, and training stops.
    params = {"solver": "sgd", "tol": 1e9, "n_iter_no_change": 2, "random_state": 0}
    warm = MLPClassifier(warm_start=True, **params).fit(X, y)
    assert warm.n_iter_ == 4
    assert warm.best_loss_ == min(warm.loss_curve_)
    # The count (3) carries over: one more epoch without improvement stops again at
    # once, as scikit-learn's carried _no_improvement_count does.
    warm.fit(X, y)
    assert warm.n_iter_ == 1
    assert len(warm.loss_curve_) == 5
    assert warm.best_loss_ == min(warm.loss_curve_)
    cold = MLPClassifier(**params).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 4


def test_first_partial_fit_refuses_labels_outside_classes():
    X, y = iris()
    clf = MLPClassifier(solver="sgd")
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        clf.partial_fit(X, y, classes=[0, 1])  # y has a 2, which would train as class 0
    assert not hasattr(clf, "network_")
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        clf.partial_fit(X[:2], [1, 0], classes=[2])
    clf.partial_fit(X, y, classes=[0, 1, 2, 3])  # a class not (yet) seen is fine
    assert clf.classes_.tolist() == [0, 1, 2, 3]


def test_partial_fit_trains_one_epoch_per_call():
    X, y = iris()
    clf = MLPClassifier((10,), learning_rate_init=0.03, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call to partial_fit"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # not every class in every batch
    assert clf.n_outputs_ == 3
    losses = []
    for _ in range(30):
        clf.partial_fit(X, y)
        losses.append(clf.loss_)
        assert clf.n_iter_ == 1
    assert clf.history_.n_epochs == 31
    assert clf.t_ == 100 + 30 * 150
    assert losses[-1] < 0.5 * losses[0]
    assert clf.score(X, y) > 0.8
    with pytest.raises(ValueError, match=re.escape("`y` has classes not in `self.classes_`")):
        clf.partial_fit(X, y + 1)
    with pytest.raises(ValueError, match="is not the same as on last call to partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    lbfgs = MLPClassifier(solver="lbfgs")
    assert not hasattr(lbfgs, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as excinfo:
        lbfgs.partial_fit(X, y, classes=[0, 1, 2])
    assert "only available for stochastic optimizers. lbfgs" in str(excinfo.value.__cause__)
    assert not hasattr(MLPClassifier(multiclass="ovr"), "partial_fit")


def test_callbacks_are_deep_copied_per_fit():
    X, y = iris()
    recorder = ThetaRecorder()
    clf = MLPClassifier(callbacks=[recorder], **LBFGS).fit(X, y)
    assert recorder.initial is None
    assert recorder.thetas == []
    used = clf.callbacks_[0]
    assert used is not recorder
    assert len(used.thetas) == clf.n_iter_
    clf.fit(X, y)
    assert clf.callbacks_[0] is not used  # a new fit, new copies
    assert clf.get_params()["callbacks"][0] is recorder


def test_checkpoints_resume_to_the_same_model(tmp_path):
    X, y = iris()
    params = {"hidden_layer_sizes": (10,), "random_state": 0, "n_iter_no_change": 100}
    straight = MLPClassifier(max_iter=12, **params)
    with pytest.warns(ConvergenceWarning):
        straight.fit(X, y)
    first = MLPClassifier(max_iter=7, checkpoint_dir=tmp_path, checkpoint_every=1, **params)
    with pytest.warns(ConvergenceWarning):
        first.fit(X, y)
    assert sorted(p.name for p in tmp_path.iterdir())[-1] == "checkpoint-000007.safetensors"
    resumed = MLPClassifier(max_iter=12, checkpoint_dir=tmp_path, **params)
    with pytest.warns(ConvergenceWarning):
        resumed.fit(X, y, resume_from=tmp_path)
    assert resumed.n_iter_ == 12
    np.testing.assert_array_equal(resumed.network_.theta, straight.network_.theta)
    np.testing.assert_array_equal(resumed.loss_curve_, straight.loss_curve_)
    with pytest.raises(ValueError, match="cannot resume from"):
        MLPClassifier(max_iter=12, checkpoint_dir=tmp_path, **params).fit(
            X[::-1], y[::-1], resume_from=tmp_path
        )


def test_divergence_warning_passes_through_with_finite_weights():
    X, y = iris()
    clf = MLPClassifier((10,), solver="sgd", learning_rate_init=1e4, momentum=0.0, random_state=0)
    with pytest.warns(DivergenceWarning, match="training diverged"):
        clf.fit(X * 100, y)
    assert clf.stop_reason_ == "diverged"
    assert np.isfinite(clf.network_.theta).all()
    assert clf.predict(X).shape == (150,)


def test_batch_size_larger_than_the_data_is_clipped_with_sklearns_warning():
    X, y = iris()
    clf = MLPClassifier(batch_size=1000, max_iter=2, random_state=0)
    with (
        pytest.warns(UserWarning, match="It is going to be clipped"),
        pytest.warns(ConvergenceWarning),
    ):
        clf.fit(X, y)
    assert clf.t_ == 2 * 150


def test_multiclass_strategies_hide_the_single_network_attributes():
    X, y = iris()
    clf = MLPClassifier(multiclass="ovr", **LBFGS).fit(X, y)
    assert not hasattr(clf, "coefs_")
    with pytest.raises(AttributeError, match=re.escape("read estimators_[k].coefs_")):
        clf.coefs_
    assert clf.estimators_[0].coefs_[0].shape == (4, 8)


def test_verbose_prints_sklearns_iteration_lines_and_the_bar_on_request(capsys):
    X, y = iris()
    clf = MLPClassifier(verbose=True, max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    captured = capsys.readouterr()
    expected = [f"Iteration {i}, loss = {loss:.8f}" for i, loss in enumerate(clf.loss_curve_, 1)]
    assert captured.out.splitlines() == expected
    assert captured.err == ""
    # early stopping adds the validation score, and the stopping rule says why it stopped
    stopper = MLPClassifier(
        verbose=1, early_stopping=True, n_iter_no_change=2, tol=1.0, random_state=0
    ).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"Validation score: {stopper.validation_scores_[0]:f}"
    assert lines[-1] == (
        "Validation score did not improve more than tol=1.000000 for 2 consecutive "
        "epochs. Stopping."
    )
    MLPClassifier(verbose="progress", **LBFGS).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "training" in captured.err
    MLPClassifier(verbose=2, **LBFGS).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out.startswith("Iteration 1, loss = ")
    assert "training" in captured.err
    MLPClassifier(**LBFGS).fit(X, y)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("solver", ["adam", "gd", "lbfgs"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_X_trains_and_predicts_as_the_dense_one(solver, fmt):
    X, y = iris()
    X = np.vstack([X] * 8)  # 1200 rows: more than a chunk of the sparse cost (1024 rows)
    y = np.concatenate([y] * 8)
    X[np.abs(X) < 0.5] = 0.0  # a sparse matrix with real zeros
    params = {"hidden_layer_sizes": (6,), "solver": solver, "max_iter": 5, "random_state": 0}
    with pytest.warns(ConvergenceWarning):
        dense = MLPClassifier(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        sparse = MLPClassifier(**params).fit(scipy.sparse.csr_matrix(X).asformat(fmt), y)
    if solver == "lbfgs":
        # J and ∇J of a sparse X are summed chunk by chunk (another order of float64
        # additions, ~1e-16 relative per evaluation); five L-BFGS iterations keep that
        # far below 1e-10.
        np.testing.assert_allclose(sparse.network_.theta, dense.network_.theta, atol=1e-10)
    else:  # the batches are the same rows, made dense: the same arithmetic
        np.testing.assert_array_equal(sparse.network_.theta, dense.network_.theta)
    # prediction multiplies the sparse X by W itself (scipy's product: the same few
    # terms per unit, summed in another order, so equal to rounding)
    np.testing.assert_allclose(
        sparse.predict_proba(scipy.sparse.csr_matrix(X)), sparse.predict_proba(X), rtol=1e-12
    )


def test_sparse_X_is_never_made_dense_as_a_whole():
    import tracemalloc

    rng = np.random.default_rng(0)
    m, n = 20_000, 5_000  # dense float64: 800 MB
    X = scipy.sparse.random(m, n, density=2e-4, format="csr", random_state=rng)
    y = rng.integers(0, 2, size=m)
    clf = MLPClassifier((2,), solver="sgd", batch_size=50, max_iter=1, random_state=0)
    tracemalloc.start()
    try:
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
        clf.predict_proba(X[:1000])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a batch made dense is 50·5000·8 B = 2 MB; the whole matrix would be 800 MB
    assert peak < 100e6
