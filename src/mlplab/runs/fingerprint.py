"""The fingerprint of a run's data: which examples the run's split was drawn from.

``mlplab train`` records it in ``config.json`` and in the model file; ``mlplab evaluate
--part`` takes a part of the run's split only from data with the same fingerprint, so that
it never re-splits some other file as if it were the run's.

The digest covers the raw features (in the model's column order) and the targets as
values, not the file's bytes: the same table saved with other line endings or with the
columns in another order is the same data, and a built-in set drawn with the same seed
has the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

__all__ = ["check_same_data", "source_fingerprint"]

#: What the fingerprint hashes, recorded with it (a later kind of digest gets a new name).
KIND = "features+targets sha256"


def source_fingerprint(X, y) -> dict:
    """``{"kind", "n_examples", "n_features", "sha256"}`` of the raw features and targets."""
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    y = np.asarray(y)
    digest = hashlib.sha256()
    digest.update(f"X {X.shape}\n".encode())
    digest.update(X.view(np.uint8).data)
    if y.dtype.kind in "biuf":
        y64 = np.ascontiguousarray(y, dtype=np.float64)
        digest.update(f"y {y64.shape} numbers\n".encode())
        digest.update(y64.view(np.uint8).data)
    else:  # labels as text: "cat" and "cats" differ
        digest.update(f"y {y.shape} labels\n".encode())
        text = json.dumps([str(v) for v in y.ravel().tolist()], ensure_ascii=True)
        digest.update(text.encode("ascii"))
    return {
        "kind": KIND,
        "n_examples": int(X.shape[0]),
        "n_features": int(X.shape[1]) if X.ndim == 2 else 1,
        "sha256": digest.hexdigest(),
    }


def check_same_data(recorded: dict | None, X, y, *, source: str, part: str) -> None:
    """Refuse (ValueError) to take the run's ``part`` from data that is not the run's."""
    if not isinstance(recorded, dict) or recorded.get("kind") != KIND:
        raise ValueError(
            f"--part {part} needs the fingerprint of the run's data, which neither the model "
            "file nor the run's config.json records (a run of an older mlplab); use --part "
            "all, or train the run again"
        )
    found = source_fingerprint(X, y)
    if found["sha256"] == recorded.get("sha256"):
        return
    differences = [
        f"{recorded.get(key)} {key.replace('n_', '')} in the run, {found[key]} here"
        for key in ("n_examples", "n_features")
        if recorded.get(key) != found[key]
    ]
    raise ValueError(
        f"--part {part}: {source!r} is not the data the run was trained on ("
        + ("; ".join(differences) if differences else "same size, other values")
        + "), so the run's split cannot be taken from it; give the run's own data, or use "
        "--part all"
    )
