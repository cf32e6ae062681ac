"""One network with K outputs, K one-vs-rest networks, K(K−1)/2 one-vs-one networks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier

from mlplab import MLPClassifier, compare_multiclass
from mlplab.multiclass import MulticlassResult, format_comparison, multiclass_wrapper

from ._data import blobs, iris, multilabel

PARAMS = {
    "hidden_layer_sizes": (6,),
    "alpha": 1.0,  # λ keeps the 160-example fits from overfitting
    "solver": "lbfgs",
    "max_iter": 500,
    "random_state": 0,
}


@pytest.mark.parametrize(("strategy", "expected_networks"), [("native", 1), ("ovr", 4), ("ovo", 6)])
def test_each_strategy_learns_four_classes(strategy, expected_networks):
    X_train, X_test, y_train, y_test = blobs(n_classes=4)
    clf = MLPClassifier(multiclass=strategy, **PARAMS).fit(X_train, y_train)
    assert clf.n_networks_ == expected_networks
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2, 3])
    assert clf.score(X_test, y_test) > 0.9
    assert set(clf.predict(X_test)) <= {0, 1, 2, 3}
    if strategy == "native":
        assert clf.n_outputs_ == 4
        return
    wrapper_type = OneVsRestClassifier if strategy == "ovr" else OneVsOneClassifier
    assert isinstance(clf.multiclass_estimator_, wrapper_type)
    for binary in clf.estimators_:
        assert isinstance(binary, MLPClassifier)
        assert binary.multiclass == "native"
        assert binary.n_outputs_ == 1  # one sigmoid unit each
    np.testing.assert_array_equal(clf.predict(X_test), clf.multiclass_estimator_.predict(X_test))


def test_one_vs_rest_probabilities_and_one_vs_one_votes():
    X_train, X_test, y_train, _ = blobs(n_classes=4)
    ovr = MLPClassifier(multiclass="ovr", **PARAMS).fit(X_train, y_train)
    proba = ovr.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    # highest confidence wins: the class whose own network is most sure
    confidence = np.column_stack([e.predict_proba(X_test)[:, 1] for e in ovr.estimators_])
    np.testing.assert_array_equal(ovr.predict(X_test), ovr.classes_[confidence.argmax(axis=1)])

    ovo = MLPClassifier(multiclass="ovo", **PARAMS).fit(X_train, y_train)
    assert not hasattr(ovo, "predict_proba")
    assert not hasattr(ovo, "predict_log_proba")
    # each pair's network votes; the class with most votes wins (ties: scikit-learn's rule)
    votes = np.zeros((len(X_test), 4))
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    for (i, j), binary in zip(pairs, ovo.estimators_):
        says_j = binary.predict(X_test) == 1
        votes[:, j] += says_j
        votes[:, i] += ~says_j
    decided = votes.max(axis=1) > np.sort(votes, axis=1)[:, -2]
    np.testing.assert_array_equal(ovo.predict(X_test)[decided], votes.argmax(axis=1)[decided])


def test_strategies_on_string_labels_and_dataframe_names():
    X, y = iris()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    for strategy in ("ovr", "ovo"):
        clf = MLPClassifier(multiclass=strategy, **PARAMS).fit(X, names)
        assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
        assert clf.score(X, names) > 0.9
        assert clf.n_features_in_ == 4


def test_two_classes_need_one_network_whatever_the_strategy():
    X, y = iris()
    for strategy in ("ovr", "ovo"):
        clf = MLPClassifier(multiclass=strategy, **PARAMS).fit(X[y < 2], y[y < 2])
        assert clf.n_networks_ == 1
        assert clf.coefs_[-1].shape == (6, 1)


def test_multilabel_with_one_vs_rest_but_not_one_vs_one():
    X, Y = multilabel()
    ovr = MLPClassifier(multiclass="ovr", **{**PARAMS, "max_iter": 2000}).fit(X, Y)
    assert ovr.n_networks_ == 3
    assert ovr.predict(X).shape == Y.shape
    assert (ovr.predict(X) == Y).mean() > 0.85
    with pytest.raises(ValueError, match="multiclass='ovo' needs one label per example"):
        MLPClassifier(multiclass="ovo", **PARAMS).fit(X, Y)


@pytest.mark.parametrize(
    ("params", "fit_kwargs", "name"),
    [
        ({"warm_start": True}, {}, "warm_start"),
        ({"checkpoint_dir": "ckpt"}, {}, "checkpoint_dir"),
        ({}, {"resume_from": "ckpt"}, "resume_from"),
    ],
)
def test_single_network_features_are_refused_with_strategies(params, fit_kwargs, name):
    X, y = iris()
    clf = MLPClassifier(multiclass="ovr", **{**PARAMS, **params})
    with pytest.raises(ValueError, match=f"{name} works with multiclass='native' only"):
        clf.fit(X, y, **fit_kwargs)


def test_refitting_switches_between_one_and_many_networks():
    X, y = iris()
    clf = MLPClassifier(multiclass="ovo", **PARAMS).fit(X, y)
    assert not hasattr(clf, "network_")
    clf.set_params(multiclass="native").fit(X, y)
    assert not hasattr(clf, "estimators_")
    assert clf.network_.layer_sizes == (4, 6, 3)
    assert clf.n_networks_ == 1


def test_compare_multiclass_reports_networks_accuracy_and_time():
    X_train, X_test, y_train, y_test = blobs(n_classes=4)
    results = compare_multiclass(X_train, y_train, X_test, y_test, **PARAMS)
    assert [r.strategy for r in results] == ["native", "ovr", "ovo"]
    assert [r.n_networks for r in results] == [1, 4, 6]
    for result in results:
        assert isinstance(result, MulticlassResult)
        assert result.accuracy > 0.9
        assert result.fit_seconds > 0
        assert result.as_dict()["n_networks"] == result.n_networks
    reference = MLPClassifier(multiclass="ovo", **PARAMS).fit(X_train, y_train)
    assert results[2].accuracy == reference.score(X_test, y_test)

    table = format_comparison(results).splitlines()
    assert table[0].split() == ["strategy", "networks", "test", "accuracy", "fit", "seconds"]
    assert set(table[1]) == {"-", " "}
    assert table[2].split()[:3] == ["native", "1", f"{results[0].accuracy:.4f}"]
    assert table[4].split()[:2] == ["ovo", "6"]

    only = compare_multiclass(X_train, y_train, X_test, y_test, strategies=["ovr"], **PARAMS)
    assert [r.strategy for r in only] == ["ovr"]
    with pytest.raises(ValueError, match="unknown multiclass strategy 'all'; valid strategies"):
        compare_multiclass(X_train, y_train, X_test, y_test, strategies=["all"], **PARAMS)
    with pytest.raises(ValueError, match="pass the strategies in `strategies`"):
        compare_multiclass(X_train, y_train, X_test, y_test, multiclass="ovr")


def test_network_counts_and_wrappers():
    assert isinstance(multiclass_wrapper("ovr", MLPClassifier()), OneVsRestClassifier)
    assert isinstance(multiclass_wrapper("ovo", MLPClassifier()), OneVsOneClassifier)
    with pytest.raises(ValueError, match="'native' strategy is one network"):
        multiclass_wrapper("native", MLPClassifier())
    with pytest.raises(ValueError, match="valid strategies are 'native', 'ovr', 'ovo'"):
        multiclass_wrapper("one-vs-all", MLPClassifier())
