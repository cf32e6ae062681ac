"""Named settings in one word: ``MLPClassifier(**mlplab.preset("lecture"))``, ``--preset lecture``.

``"lecture"`` is the slides' network: sigmoid hidden units, K sigmoid output units (one
per class, one-hot targets), θ drawn uniformly in [−ε, ε] with ε = 0.12, and batch
gradient descent θ := θ − ηD on the whole training set. The lecture gives no η; 1.0 is a
working start for sigmoid units on standardized inputs. Everything else (hidden layers,
λ, epochs) stays the caller's.
"""

from __future__ import annotations

__all__ = ["PRESETS", "preset"]

#: name -> estimator parameters (scikit-learn's names, as MLPClassifier takes them).
PRESETS: dict[str, dict] = {
    "lecture": {
        "activation": "logistic",
        "output": "sigmoid",
        "initializer": "uniform",
        "init_epsilon": 0.12,
        "solver": "gd",
        "learning_rate_init": 1.0,
    },
}


def preset(name: str) -> dict:
    """The estimator parameters of a preset (a new dict), or a ValueError listing them.

    >>> import mlplab
    >>> clf = mlplab.MLPClassifier(hidden_layer_sizes=(25,), **mlplab.preset("lecture"))
    >>> clf.activation, clf.output, clf.initializer, clf.init_epsilon, clf.solver
    ('logistic', 'sigmoid', 'uniform', 0.12, 'gd')
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; valid presets are {', '.join(PRESETS)}")
    return dict(PRESETS[name])
