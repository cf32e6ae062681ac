"""Checks on the data alone, before any network sees it.

==================  ==========================================================================
check               rule (WARN unless said otherwise)
==================  ==========================================================================
finite_data         FAIL when X (or regression y) holds NaN or ±inf: every cost becomes NaN
feature_scale       some |x| > 100; or the widest feature range is > 100 times the narrowest;
                    or a feature sits far from 0 relative to its spread (|mean| > 10·std and
                    |mean| > 1). Gradient descent then needs a different η per feature and
                    sigmoid/tanh units saturate: standardize. Regression targets with
                    some |y| > 100 warn too (an identity output starts near 0).
class_balance       smallest class count / largest < 0.2: accuracy then rewards predicting
                    the big class
leakage             more than 1% of the validation rows also occur in the training rows:
                    the validation score is optimistic
==================  ==========================================================================

Feature *ranges* (max − min), not standard deviations, are compared: sparse features such
as the rarely-lit border pixels of the digits have tiny standard deviations on the same
[0, 1] scale as the others, and are not badly scaled. Constant features are left out.
"""

from __future__ import annotations

import numpy as np

from ..jsonvalues import to_json
from ._result import FAIL, PASS, SKIP, WARN, Finding, format_number

__all__ = ["check_class_balance", "check_feature_scale", "check_finite", "check_leakage"]

#: Values larger than this in magnitude mean the features were not scaled.
MAX_ABS_VALUE = 100.0
#: The widest non-constant feature range may be at most this many times the narrowest.
MAX_RANGE_RATIO = 100.0
#: A feature whose |mean| exceeds this many standard deviations (and 1) is far off-centre.
MAX_MEAN_TO_STD = 10.0
#: Smallest class count over largest below this is imbalanced.
MIN_CLASS_RATIO = 0.2
#: Fraction of validation rows found in the training rows above which data leaks.
MAX_DUPLICATE_FRACTION = 0.01

_STANDARDIZE = (
    "standardize the features: sklearn.preprocessing.StandardScaler fitted on the training "
    "data (x ← (x − mean) / std), and apply the same transform to validation and test data"
)


def check_finite(X, y=None) -> Finding:
    """FAIL when X, or numeric targets y, hold NaN or infinity.

    Parameters
    ----------
    X : array-like of shape (m, n)
    y : array-like of shape (m,) or (m, k), optional
        Checked only when it holds floats.
    """
    X = np.asarray(X, dtype=np.float64)
    bad_rows = ~np.isfinite(X).all(axis=1)
    y = None if y is None else np.asarray(y)
    if y is not None and y.dtype.kind == "f":
        bad_rows |= ~np.isfinite(y.reshape(y.shape[0], -1)).all(axis=1)
    n_bad = int(bad_rows.sum())
    threshold = "0 rows with NaN/inf"
    if n_bad == 0:
        return Finding("finite_data", PASS, 0.0, threshold, "every value is a finite number")
    return Finding(
        "finite_data",
        FAIL,
        float(n_bad),
        threshold,
        f"{n_bad} of {X.shape[0]} rows hold NaN or infinite values; every cost would be NaN",
        "drop or impute those rows (sklearn.impute.SimpleImputer) before training",
        details={"rows": to_json(np.flatnonzero(bad_rows)[:20])},
    )


def check_feature_scale(X, targets=None, feature_names=None) -> Finding:
    """WARN when the features (or regression targets) are not on comparable, moderate scales.

    Parameters
    ----------
    X : array-like of shape (m, n)
        Training inputs.
    targets : array-like of shape (m,) or (m, k), optional
        Regression targets: they warn too when some |y| > 100, since an identity output
        starting near 0 then needs huge weights and many steps to reach them.
    feature_names : sequence of str, optional
        Names the messages use ("feature 23" without them).
    """
    X = np.asarray(X, dtype=np.float64)

    def feature(j: int) -> str:
        return f"feature {j}" if feature_names is None else f"feature {feature_names[j]!r}"

    threshold = (
        f"max |x| ≤ {MAX_ABS_VALUE:g}, range ratio ≤ {MAX_RANGE_RATIO:g}, "
        f"|mean| ≤ {MAX_MEAN_TO_STD:g}·std"
    )
    target_abs = None
    if targets is not None:
        target_abs = float(np.abs(np.asarray(targets, dtype=np.float64)).max())
        threshold += f", |y| ≤ {MAX_ABS_VALUE:g}"
    ranges = X.max(axis=0) - X.min(axis=0)
    varying = ranges > 0
    max_abs = float(np.abs(X).max())
    details = {"max_abs": max_abs, "constant_features": int((~varying).sum())}
    if not varying.any():
        return Finding(
            "feature_scale", SKIP, None, threshold, "every feature is constant", details=details
        )
    columns = np.flatnonzero(varying)
    widest = int(columns[np.argmax(ranges[varying])])
    narrowest = int(columns[np.argmin(ranges[varying])])
    range_ratio = float(ranges[widest] / ranges[narrowest])
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    off_centre = varying & (np.abs(mean) > MAX_MEAN_TO_STD * std) & (np.abs(mean) > 1.0)
    details.update(range_ratio=range_ratio, widest_feature=widest, narrowest_feature=narrowest)
    problems = []  # (what is wrong, the figure that shows it)
    if max_abs > MAX_ABS_VALUE:
        big = int(np.argmax(np.abs(X).max(axis=0)))
        problems.append((f"values reach |x| = {format_number(max_abs)} ({feature(big)})", max_abs))
    if range_ratio > MAX_RANGE_RATIO:
        problems.append(
            (
                f"{feature(widest)} spans {format_number(ranges[widest])} while "
                f"{feature(narrowest)} spans {format_number(ranges[narrowest])}",
                range_ratio,
            )
        )
    if off_centre.any():
        spread = np.where(off_centre, np.abs(mean) / np.where(std > 0, std, 1.0), 0.0)
        worst = int(np.argmax(spread))
        problems.append(
            (
                f"{feature(worst)} has mean {format_number(mean[worst])} but std "
                f"{format_number(std[worst])}",
                float(spread[worst]),
            )
        )
        details["off_centre_features"] = to_json(np.flatnonzero(off_centre)[:20])
    advice = _STANDARDIZE if problems else ""
    if target_abs is not None:
        details["target_max_abs"] = target_abs
        if target_abs > MAX_ABS_VALUE:
            problems.append((f"targets reach |y| = {format_number(target_abs)}", target_abs))
            # Only the features' own problems call for standardizing the features.
            target_advice = (
                "standardize the regression targets, y ← (y − mean) / std on the training "
                "data, and transform the predictions back"
            )
            advice = f"{advice}; {target_advice}" if advice else target_advice
    if problems:
        status, measured = WARN, problems[0][1]
        message = "the data is not scaled: " + "; ".join(message for message, _ in problems)
    else:
        status, measured = PASS, max_abs
        message = (
            f"features are on comparable scales (max |x| = {format_number(max_abs)}, "
            f"range ratio {format_number(range_ratio)})"
        )
    return Finding("feature_scale", status, measured, threshold, message, advice, details=details)


def check_class_balance(labels, classes=None) -> Finding:
    """WARN when the smallest class has fewer than 0.2 times the examples of the largest.

    Parameters
    ----------
    labels : array-like of shape (m,) or None
        Class indices of the training examples; None (regression, multi-label) gives SKIP.
    classes : array-like, optional
        The class values, to name them in the message.
    """
    threshold = f"smallest/largest ≥ {MIN_CLASS_RATIO:g}"
    if labels is None:
        return Finding(
            "class_balance",
            SKIP,
            None,
            threshold,
            "the targets have no single class per example (regression or multi-label)",
        )
    labels = np.asarray(labels)
    counts = np.bincount(labels, minlength=0 if classes is None else len(classes))
    names = list(range(counts.size)) if classes is None else np.asarray(classes).tolist()
    small, large = int(np.argmin(counts)), int(np.argmax(counts))
    ratio = float(counts[small] / counts[large])
    details = {"counts": {str(name): int(n) for name, n in zip(names, counts)}}
    status, advice = PASS, ""
    message = f"classes are reasonably balanced ({counts.min()} to {counts.max()} examples each)"
    if ratio < MIN_CLASS_RATIO:
        status = WARN
        message = (
            f"class {names[small]!r} has {counts[small]} examples, class {names[large]!r} "
            f"{counts[large]}: accuracy rewards always predicting the large class"
        )
        advice = (
            "collect or oversample examples of the rare classes, split with stratification, "
            "and judge the model by per-class recall/precision (or balanced accuracy), not "
            "accuracy"
        )
    return Finding("class_balance", status, ratio, threshold, message, advice, details=details)


def check_leakage(X_train, X_val, *, split_here: bool = False) -> Finding:
    """WARN when validation rows also occur, identically, among the training rows.

    Parameters
    ----------
    X_train : array-like of shape (m_train, n)
    X_val : array-like of shape (m_val, n)
    split_here : bool, default=False
        True when the validation rows were split off X by the diagnosis itself, so the
        duplicates are rows that occur more than once in X.
    """
    threshold = f"≤ {MAX_DUPLICATE_FRACTION:.0%} of validation rows"
    # Adding 0.0 turns −0.0 into 0.0, which compare equal but differ in their bytes.
    X_train = np.ascontiguousarray(np.asarray(X_train, dtype=np.float64) + 0.0)
    X_val = np.ascontiguousarray(np.asarray(X_val, dtype=np.float64) + 0.0)
    seen = {row.tobytes() for row in X_train}
    duplicated = np.array([row.tobytes() in seen for row in X_val], dtype=bool)
    n_dup = int(duplicated.sum())
    fraction = n_dup / X_val.shape[0]
    details = {"duplicates": n_dup, "validation_rows": int(X_val.shape[0])}
    status, advice = PASS, ""
    if n_dup == 0:
        message = "no validation row occurs in the training data"
    elif fraction <= MAX_DUPLICATE_FRACTION:
        message = f"{n_dup} validation row(s) also occur in the training data (few enough)"
    else:
        status = WARN
        message = (
            f"{n_dup} of {X_val.shape[0]} validation rows ({fraction:.0%}) also occur in the "
            "training data: the validation score is optimistic"
        )
        advice = (
            "X holds duplicate rows, so any random split puts copies on both sides: remove "
            "duplicates (np.unique(X, axis=0)) or split by group before training"
            if split_here
            else "remove the validation rows from the training data (or split again, by "
            "group), so the validation score measures generalization"
        )
    return Finding("leakage", status, fraction, threshold, message, advice, details=details)
