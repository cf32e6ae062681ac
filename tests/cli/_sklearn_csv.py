"""CSV files made at test time from scikit-learn's bundled data sets (nothing downloaded).

Each is written as a practitioner would export it: a header of the data set's own feature
names, then one row per example, the target last (diabetes' target as ``151.0``, as
pandas writes a float column).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: The bundled loaders used, by the file name the tests give them.
LOADERS = {
    "breast_cancer": "load_breast_cancer",
    "wine": "load_wine",
    "diabetes": "load_diabetes",
    "iris": "load_iris",
}


def sklearn_csv(
    folder: Path, name: str, *, id_column: str | None = None, text_column: str | None = None
) -> Path:
    """Write ``folder/name.csv`` from ``sklearn.datasets.<loader>``; return its path.

    ``id_column`` adds a leading column of row IDs (``row-0001``, ... as text would be
    refused as a feature, so whole numbers 1001, 1002, ...); ``text_column`` adds a text
    feature column (``"a"``/``"b"``).
    """
    import sklearn.datasets

    loader = getattr(sklearn.datasets, LOADERS[name])
    bunch = loader(scaled=False) if name == "diabetes" else loader()
    X, y = bunch.data, bunch.target
    header = [str(f).replace(" ", "_") for f in bunch.feature_names]
    columns = [[f"{v:.6g}" for v in X[:, j]] for j in range(X.shape[1])]
    if name == "diabetes":
        target = [f"{v:.1f}" for v in y]  # "151.0": whole numbers written as floats
    else:
        target = [str(bunch.target_names[k]) for k in y]
    header.append("target")
    columns.append(target)
    if text_column is not None:
        header.insert(0, text_column)
        columns.insert(0, ["a" if i % 2 else "b" for i in range(len(y))])
    if id_column is not None:
        header.insert(0, id_column)
        columns.insert(0, [str(1001 + i) for i in range(len(y))])
    rows = np.array(columns, dtype=object).T
    path = folder / f"{name}.csv"
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
