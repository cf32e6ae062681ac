"""Data checks: unscaled features, class imbalance, leaked rows, NaN."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.diagnostics import (
    check_class_balance,
    check_feature_scale,
    check_finite,
    check_leakage,
    diagnose,
)

from ._helpers import HEALTHY


def test_features_scaled_by_1000_trip_the_scale_check(digits):
    X, y = digits

    diagnosis = diagnose(HEALTHY, X * 1000.0, y, quick=True)

    (finding,) = diagnosis.findings_for("feature_scale")
    assert finding.status == "WARN"
    assert finding.measured == pytest.approx(1000.0)
    assert "values reach |x| = 1000" in finding.message
    assert "StandardScaler" in finding.advice


def test_scaled_digits_pass_although_border_pixels_have_tiny_std(digits):
    X, _ = digits
    std = X.std(axis=0)
    assert std.max() / std[std > 0].min() > 100  # so comparing stds would cry wolf

    finding = check_feature_scale(X)

    assert finding.status == "PASS"
    assert finding.details["range_ratio"] == pytest.approx(16.0)
    assert finding.details["constant_features"] == 3


def test_features_on_different_orders_of_magnitude_warn(rng):
    # weight in kg next to a length in km: both small, but 1000 times apart
    X = np.column_stack([rng.uniform(2, 6, 100), rng.uniform(0.0003, 0.0009, 100)])

    finding = check_feature_scale(X)

    assert finding.status == "WARN"
    assert finding.measured > 100
    assert "feature 0 spans" in finding.message
    assert "feature 1 spans" in finding.message


def test_off_centre_feature_warns(rng):
    X = np.column_stack([rng.normal(size=200), 20.0 + 0.3 * rng.normal(size=200)])

    finding = check_feature_scale(X)

    assert finding.status == "WARN"
    assert "feature 1 has mean 20" in finding.message
    assert finding.details["off_centre_features"] == [1]


def test_large_regression_targets_warn(rng):
    X = rng.normal(size=(50, 2))
    assert check_feature_scale(X, targets=rng.normal(size=50)).status == "PASS"

    finding = check_feature_scale(X, targets=1000.0 + rng.normal(size=50))

    assert finding.status == "WARN"
    assert "targets reach |y|" in finding.message
    assert "standardize the regression targets" in finding.advice
    # the features themselves are fine: no advice to standardize them
    assert "standardize the features" not in finding.advice


def test_imbalanced_classes_trip_the_balance_check(digits):
    X, y = digits
    rows = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:20]])

    diagnosis = diagnose(HEALTHY, X[rows], y[rows], quick=True)

    (finding,) = diagnosis.findings_for("class_balance")
    assert finding.status == "WARN"
    # stratified split: 16 of the 20 ones and 142 of the 178 zeros are training rows
    assert finding.measured == pytest.approx(16 / 142)
    assert "class 1 has 16 examples" in finding.message


def test_balance_names_classes_and_skips_regression():
    finding = check_class_balance(np.array([0, 0, 0, 0, 0, 1, 1, 1, 1]), ["cat", "dog"])
    assert finding.status == "PASS"
    assert finding.measured == pytest.approx(0.8)
    assert finding.details["counts"] == {"cat": 5, "dog": 4}
    assert check_class_balance(None).status == "SKIP"


def test_rows_duplicated_across_train_and_validation_trip_the_leakage_check(digits):
    X, y = digits
    X_val, y_val = X[:100], y[:100]  # also part of the training data

    diagnosis = diagnose(HEALTHY, X, y, validation_data=(X_val, y_val), quick=True)

    (finding,) = diagnosis.findings_for("leakage")
    assert finding.status == "WARN"
    assert finding.measured == 1.0
    assert finding.details == {"duplicates": 100, "validation_rows": 100}
    assert "remove the validation rows" in finding.advice


def test_duplicates_inside_x_are_blamed_when_diagnose_splits(digits):
    X, y = digits
    X2, y2 = np.vstack([X[:300], X[:300]]), np.concatenate([y[:300], y[:300]])

    diagnosis = diagnose(HEALTHY, X2, y2, quick=True)

    (finding,) = diagnosis.findings_for("leakage")
    assert finding.status == "WARN"
    assert finding.measured > 0.5
    assert "X holds duplicate rows" in finding.advice


def test_leakage_ignores_the_sign_of_zero_and_tolerates_a_few():
    train = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert check_leakage(train, np.array([[-0.0, 1.0]])).status == "WARN"
    val = np.vstack([np.arange(200.0).reshape(100, 2) + 10, [[2.0, 3.0]]])
    finding = check_leakage(train, val)
    assert finding.status == "PASS"  # 1 of 101 rows is below the 1% bound
    assert finding.details["duplicates"] == 1


def test_finite_check_counts_bad_rows():
    X = np.ones((6, 2))
    X[1, 0] = np.inf
    y = np.zeros(6)
    y[4] = np.nan

    finding = check_finite(X, y)

    assert finding.status == "FAIL"
    assert finding.measured == 2.0
    assert finding.details["rows"] == [1, 4]
    assert check_finite(np.ones((3, 2)), np.array(["a", "b", "c"])).status == "PASS"
