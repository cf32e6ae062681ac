"""Demo ``cats-dogs``: cats vs dogs on weight and length, then cat vs non-cat."""

from __future__ import annotations

import numpy as np

from .._rng import as_seed
from ._common import (
    DemoResult,
    new_figure,
    save_figures,
    single_threaded_blas,
    standardized_split,
)

__all__ = ["animal_classifier", "demo_cats_dogs"]

#: The part of the (kg, cm) plane around the cats, where cat vs non-cat is decided.
_CAT_ISLAND = ((0.0, 16.0), (15.0, 90.0))


def animal_classifier(hidden_layer_sizes=(), *, random_state=0, alpha: float = 1e-3, **params):
    """StandardScaler then an mlplab MLPClassifier with sigmoid units, trained by L-BFGS.

    ``hidden_layer_sizes=()`` is a single sigmoid unit on the two features: logistic
    regression, whose decision boundary h_θ(x) = 0.5 is the line z = 0. The scaler
    turns kg and cm into standard units before the network sees them, so a pipeline's
    ``predict_proba`` takes the original units (the plots draw in kg and cm).
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..estimators import MLPClassifier

    settings = {"solver": "lbfgs", "max_iter": 1000, "activation": "logistic", **params}
    return make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=hidden_layer_sizes,
            alpha=alpha,
            random_state=random_state,
            **settings,
        ),
    )


@single_threaded_blas
def demo_cats_dogs(
    *,
    out_dir=None,
    random_state=0,
    n_samples: int = 600,
    hidden_units: int = 8,
    test_size: float = 0.3,
) -> DemoResult:
    """Cats vs dogs with one line; cat vs non-cat needs a hidden layer.

    The lecture's binary classifier reads two features, weight (kg) and length (cm).
    Cats against dogs are almost separable by a line: logistic regression (no hidden
    layer) does well. Cat against non-cat (dogs, foxes and birds) is not: the cats form
    an island in the plane, and one line must give up a side of it, while a hidden layer
    of sigmoid units combines several lines into a closed region around the cats.

    Inputs are standardized inside the models (mean 0, standard deviation 1 on the
    training set); every figure is drawn in kg and cm.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``cats-dogs-linear.png`` and ``cats-dogs-noncat.png``.
    random_state : int, default=0
        Seeds the data, the train/test split and the networks.
    n_samples : int, default=600
        Examples per data set, split into training and test sets.
    hidden_units : int, default=8
        Units of the hidden layer of the cat vs non-cat network.
    test_size : float, default=0.3
        Fraction held out for testing (stratified).

    Returns
    -------
    DemoResult
        ``numbers``: ``cats_vs_dogs`` (train/test accuracy of the linear model),
        ``cat_vs_noncat_linear`` and ``cat_vs_noncat_hidden`` (train/test accuracy).
    """
    from ..datasets import cat_vs_noncat, cats_vs_dogs

    seed = as_seed(random_state)
    runs = {}
    for key, data, hidden in (
        ("cats_vs_dogs", cats_vs_dogs(n_samples, random_state=seed), ()),
        ("cat_vs_noncat_linear", cat_vs_noncat(n_samples, random_state=seed), ()),
        ("cat_vs_noncat_hidden", cat_vs_noncat(n_samples, random_state=seed), (hidden_units,)),
    ):
        X_train, X_test, y_train, y_test, _ = standardized_split(
            data.X, data.y, test_size=test_size, random_state=seed
        )
        model = animal_classifier(hidden, random_state=seed).fit(X_train, y_train)
        runs[key] = (data, model, X_test, y_test)
        runs[key] += (
            {
                "train_accuracy": float(model.score(X_train, y_train)),
                "test_accuracy": float(model.score(X_test, y_test)),
                "hidden_layer_sizes": list(hidden),
            },
        )
    result = DemoResult("cats-dogs")
    result.numbers = {key: run[-1] for key, run in runs.items()}
    result.tables["accuracy"] = "\n".join(
        f"{key:<22} train {run[-1]['train_accuracy']:.1%}  test {run[-1]['test_accuracy']:.1%}"
        for key, run in runs.items()
    )
    result.figures["linear"] = _figure(
        [(runs["cats_vs_dogs"], "No hidden layer: the boundary is the line z = 0")],
        "Cats vs dogs: one sigmoid unit (logistic regression) on weight and length",
        width=8.2,
    )
    result.figures["noncat"] = _figure(
        [
            (runs["cat_vs_noncat_linear"], "No hidden layer (a line)"),
            (runs["cat_vs_noncat_hidden"], f"Hidden layer of {hidden_units} sigmoid units"),
        ],
        "Cat vs non-cat (dogs, foxes, birds) is not linearly separable",
        width=15.5,
        zoom=_CAT_ISLAND,
    )
    return save_figures(result, out_dir)


def _figure(panels, title: str, *, width: float, zoom=None):
    """Decision regions in kg and cm with the test points, one panel per model.

    ``zoom``, ((kg_min, kg_max), (cm_min, cm_max)), shows only that part of the plane
    (with a finer grid, so the boundary stays smooth).
    """
    from ..plots import decision_regions

    fig = new_figure(width, 5.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    note = ""
    for ax, ((data, model, X_test, y_test, numbers), label) in zip(axes, panels):
        if zoom is not None:
            low, high = np.transpose(zoom)  # (kg_min, cm_min), (kg_max, cm_max)
            outside = ~np.all((low <= X_test) & (X_test <= high), axis=1)
            note = (
                f"Zoomed on the cats: {int(outside.sum())} of the {len(y_test)} test animals "
                "(big dogs) lie outside the plotted area."
            )
        decision_regions(
            model.predict_proba,
            X_test,
            y_test,
            feature_names=data.feature_names,
            feature_units=data.feature_units,
            class_names=data.class_names,
            resolution=300 if zoom is None else 700,
            ax=ax,
            title=(
                f"{label}\ntest accuracy {numbers['test_accuracy']:.1%} "
                f"(training {numbers['train_accuracy']:.1%}); points: the test animals"
            ),
        )
        if zoom is not None:
            ax.set_xlim(*zoom[0])
            ax.set_ylim(*zoom[1])

    fig.suptitle(title)
    if note:
        fig.supxlabel(note, fontsize=9, color="0.3")
    return fig
