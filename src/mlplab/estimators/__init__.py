"""scikit-learn estimators over mlplab networks: :class:`MLPClassifier`, :class:`MLPRegressor`.

They take scikit-learn's MLP parameters and give its fitted attributes, so
``from sklearn.neural_network import MLPClassifier`` can become
``from mlplab import MLPClassifier``; they work in pipelines, grid searches and
cross-validation like any scikit-learn estimator. X may be sparse (CSR or CSC, as text
features and one-hot encodings are): training makes each batch's rows dense, never the
whole matrix.

A grid search can run on a Dask cluster through joblib's Dask backend; the estimators
pickle like scikit-learn's, and with an int ``random_state`` the results equal those of
a local run. Worker processes import the script that starts them, hence the guard::

    import joblib
    from dask.distributed import Client, LocalCluster
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV
    from mlplab import MLPClassifier

    def main():
        X, y = load_digits(return_X_y=True)
        search = GridSearchCV(
            MLPClassifier(max_iter=300, random_state=0),
            {"hidden_layer_sizes": [(20,), (50,)], "alpha": [1e-4, 1e-2]},
            cv=3,
            n_jobs=-1,
        )
        with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
            with joblib.parallel_backend("dask"):
                search.fit(X / 16, y)
        print(search.best_params_, search.best_score_)

    if __name__ == "__main__":
        main()
"""

from __future__ import annotations

from ._base import NotFittedError, TrainingSetup
from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "NotFittedError", "TrainingSetup"]
