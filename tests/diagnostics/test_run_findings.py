"""run_findings: the findings a run's own record supports, the core of diagnose_run."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from mlplab import DivergenceWarning, MLPClassifier
from mlplab.diagnostics import CHECKS, FAIL, SKIP, diagnose_run, run_findings

#: The checks diagnose_run adds to run_findings: the data's, and one extra short run.
NOT_FROM_THE_RUN = {"finite_data", "feature_scale", "class_balance", "leakage", "overfit_small"}


@pytest.fixture(scope="module")
def split(digits):
    X, y = digits
    return X[:400], y[:400], X[400:600], y[400:600]


def _run(estimator, split):
    """(the estimator fitted, its TrainingSetup: θ₀, config, encoded data)."""
    X, y, X_val, y_val = split
    setup = clone(estimator).build_training(X, y, validation_data=(X_val, y_val))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short runs, on purpose
        estimator.fit(X, y, validation_data=(X_val, y_val))
    return estimator, setup


def _findings(estimator, setup, **keywords):
    return run_findings(
        setup.network,
        estimator.network_,
        estimator.history_,
        task=setup.task,
        config=setup.config,
        train=(setup.X, setup.Y),
        validation=setup.validation,
        stop_reason=estimator.stop_reason_,
        **keywords,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_diagnose_run_reports_the_run_findings_and_adds_only_data_and_a_tiny_run(split, dtype):
    estimator = MLPClassifier(
        hidden_layer_sizes=(16,), max_iter=15, random_state=0, tol=0, dtype=dtype
    )
    estimator, setup = _run(estimator, split)
    X, y, X_val, y_val = split
    report = diagnose_run(estimator, X, y, validation_data=(X_val, y_val))
    from_report = [f for f in report.findings if f.check not in NOT_FROM_THE_RUN]
    findings = _findings(estimator, setup)
    assert [(f.check, f.layer) for f in findings] == [(f.check, f.layer) for f in from_report]
    assert {f.check for f in report.findings} - {f.check for f in findings} == NOT_FROM_THE_RUN
    for ours, theirs in zip(findings, from_report):
        assert ours.status == theirs.status, ours.check
        if ours.check not in ("gradient_check", "saturation"):  # those draw their examples
            assert ours.measured == theirs.measured, ours.check
    # in the order of CHECKS, every check of the run present
    order = [list(CHECKS).index(f.check) for f in findings]
    assert order == sorted(order)
    assert {f.check for f in findings} == set(CHECKS) - NOT_FROM_THE_RUN


def test_before_the_first_epoch_only_theta_zero_is_judged(split):
    X, y, X_val, y_val = split
    setup = MLPClassifier(hidden_layer_sizes=(8,), random_state=0).build_training(
        X, y, validation_data=(X_val, y_val)
    )
    findings = run_findings(
        setup.network, setup.network, None, task=setup.task, config=setup.config,
        train=(setup.X, setup.Y), validation=setup.validation,
    )  # fmt: skip
    checks = [f.check for f in findings]
    assert checks == [
        "gradient_check", "initial_loss", "regularization", "symmetry", "loss_trend",
        "saturation",
    ]  # fmt: skip
    assert findings[checks.index("loss_trend")].status == SKIP


def test_zero_initialization_fails_symmetry_and_a_diverging_run_fails_the_trend(split):
    zeros, setup = _run(
        MLPClassifier(hidden_layer_sizes=(4,), initializer="zeros", max_iter=5, random_state=0),
        split,
    )
    symmetry = next(f for f in _findings(zeros, setup) if f.check == "symmetry")
    assert symmetry.status == FAIL
    wild = MLPClassifier(
        hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=1e3, momentum=0.0,
        max_iter=20, random_state=0,
    )  # fmt: skip
    with pytest.warns(DivergenceWarning):
        wild, setup = _run(wild, split)
    assert wild.stop_reason_ == "diverged"
    assert len(wild.history_) == 0  # in its first epoch: no row, still a run to judge
    findings = _findings(wild, setup)
    trend = next(f for f in findings if f.check == "loss_trend")
    assert trend.status == FAIL
    # advice to raise η elsewhere would contradict it: it points back to the trend
    assert not any("raise learning_rate_init" in f.advice for f in findings)


def test_the_sample_for_saturation_is_the_callers(split):
    estimator, setup = _run(
        MLPClassifier(hidden_layer_sizes=(8,), activation="logistic", max_iter=3, random_state=0),
        split,
    )
    saturated = np.full((5, setup.X.shape[1]), 1e3)  # every sigmoid unit at a limit
    findings = _findings(estimator, setup, sample=saturated)
    saturation = next(f for f in findings if f.check == "saturation")
    assert saturation.status != "PASS"
    assert saturation.measured > 0.5
