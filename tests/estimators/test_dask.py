"""A grid search over mlplab estimators on a local Dask cluster equals the same search run here."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from mlplab import MLPClassifier, MLPRegressor

from ._data import iris, regression

distributed = pytest.importorskip("dask.distributed")
joblib = pytest.importorskip("joblib")

GRID = {"hidden_layer_sizes": [(3,), (8,)], "alpha": [1e-4, 1.0]}


def _searches():
    """A classifier and a regressor search whose every fit converges (no warnings)."""
    X, y = iris()
    X_reg, y_reg = regression()
    return [
        (
            # tol=1e-3 stops every fit well before the loss of the separable folds (small α)
            # shrinks to where L-BFGS's line search only sees rounding and ends ABNORMAL,
            # which some BLAS kernels reach within max_iter and others do not.
            GridSearchCV(
                MLPClassifier(solver="lbfgs", max_iter=300, tol=1e-3, random_state=0), GRID, cv=3
            ),
            X,
            y,
        ),
        (
            GridSearchCV(
                MLPRegressor(
                    activation="tanh", solver="lbfgs", max_iter=500, tol=1e-3, random_state=0
                ),
                GRID,
                cv=3,
            ),
            X_reg,
            y_reg,
        ),
    ]


def test_grid_search_on_a_local_dask_cluster_equals_the_local_search():
    # Dask starts its workers with one BLAS thread; the local run gets the same, so both
    # do the same floating-point operations in the same order.
    with threadpool_limits(1):
        local = [search.fit(X, y) for search, X, y in _searches()]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        remote = [search.set_params(n_jobs=-1).fit(X, y) for search, X, y in _searches()]
    for here, there in zip(local, remote):
        assert there.best_params_ == here.best_params_
        np.testing.assert_array_equal(
            there.cv_results_["mean_test_score"], here.cv_results_["mean_test_score"]
        )
        np.testing.assert_array_equal(
            there.best_estimator_.network_.theta, here.best_estimator_.network_.theta
        )
    assert local[0].best_score_ > 0.9
