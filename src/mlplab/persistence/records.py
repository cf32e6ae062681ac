"""The record of the data a model was trained on: feature names, target, fingerprint.

A model file may carry, beside the model, a ``"data"`` section::

    {"feature_names": [n distinct str] or null, "target": str or null,
     "fingerprint": {str: str or int} or null}

so that a model copied out of its run folder still takes its columns by name, and a part
of the run's split is taken only from the run's own data. ``feature_names`` are the names
of the columns the model was fitted on, in order. They are kept here rather than as the
estimator's ``feature_names_in_``: an estimator fitted on a numpy array has no
``feature_names_in_`` (and must not get one, or scikit-learn would warn at every
``predict`` on an array). An estimator fitted on a DataFrame keeps its
``feature_names_in_`` as well, and the two must agree.
"""

from __future__ import annotations

from typing import Any

from .schema import Fail, check_keys, is_int

__all__ = ["DATA_KEYS", "check_data_record", "data_record"]

#: The entries of a model file's "data" section, each optional.
DATA_KEYS = ("feature_names", "target", "fingerprint")


def check_data_record(
    entry, n_features: int, fitted_names: list[str] | None, fail: Fail
) -> dict[str, Any]:
    """The "data" section checked against the model; every problem raised by ``fail``.

    ``fitted_names`` are the estimator's ``feature_names_in_`` (None without).
    Returns the section with its three entries (None for an absent one).
    """
    check_keys(entry, set(), set(DATA_KEYS), "data", fail)
    names = entry.get("feature_names")
    if names is not None:
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise fail("data.feature_names must be null or a list of strings")
        if len(names) != n_features:
            raise fail(
                f"data.feature_names has {len(names)} names, but the model takes {n_features} "
                "features: they must be as many"
            )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise fail(f"data.feature_names names {', '.join(map(repr, repeated))} twice")
        if fitted_names is not None and list(fitted_names) != names:
            raise fail(
                "data.feature_names differ from the names the estimator was fitted on "
                "(feature_names_in_); they must be the same"
            )
        for name in names:
            _check_text(name, "data.feature_names", fail)
    target = entry.get("target")
    if target is not None:
        if not isinstance(target, str):
            raise fail(f"data.target must be null or a column name, got {target!r}")
        _check_text(target, "data.target", fail)
        if names is not None and target in names:
            raise fail(f"data.target {target!r} is also one of data.feature_names")
    fingerprint = entry.get("fingerprint")
    if fingerprint is not None and not (
        isinstance(fingerprint, dict)
        and all(
            isinstance(k, str) and (isinstance(v, str) or is_int(v)) for k, v in fingerprint.items()
        )
    ):
        raise fail("data.fingerprint must be null or an object of strings and integers")
    return {"feature_names": names, "target": target, "fingerprint": fingerprint}


def data_record(metadata: dict[str, Any]) -> dict[str, Any]:
    """The "data" section of a (validated) model file's metadata, its three entries filled.

    ``feature_names`` falls back to the estimator's fitted names; every entry is None when
    the file does not know it (a file written before the section existed, or a model saved
    without it).
    """
    record = dict.fromkeys(DATA_KEYS)
    record.update(metadata.get("data") or {})
    if record["feature_names"] is None:
        record["feature_names"] = (metadata.get("estimator") or {}).get("feature_names")
    return record


def _check_text(value: str, where: str, fail: Fail) -> None:
    """Text a file can hold: valid Unicode (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise fail(f"{where} holds {value!r}, which is not valid Unicode text") from None
