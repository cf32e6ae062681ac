"""Demo ``animals``: four classes with one-hot outputs; native vs one-vs-all vs one-vs-one."""

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

__all__ = ["demo_animals"]

_STRATEGY_LABELS = {
    "native": "native\n(1 network, K outputs)",
    "ovr": "one-vs-all\n(K networks)",
    "ovo": "one-vs-one\n(K(K−1)/2 networks)",
}
#: Strategy bars in colors no class uses (classes take C0, C1, ... in every figure).
_STRATEGY_COLORS = ("C7", "C8", "C9")


@single_threaded_blas
def demo_animals(
    *,
    out_dir=None,
    random_state=0,
    n_samples: int = 600,
    hidden_units: int = 6,
    test_size: float = 0.3,
    strategies=("native", "ovr", "ovo"),
) -> DemoResult:
    """Cat / dog / fox / bird: the lecture's one-hot example, three multiclass strategies.

    One network with K = 4 sigmoid outputs learns h_θ(x) ≈ [1 0 0 0]ᵀ for a cat,
    [0 1 0 0]ᵀ for a dog, and so on: "essentially one-vs-all", with the hidden layer
    shared by the four output units. One-vs-all trains K separate binary networks (the
    most confident wins); one-vs-one trains K(K−1)/2 = 6, one per pair of classes, and
    lets them vote. :func:`mlplab.multiclass.compare_multiclass` trains each on the same
    standardized data and reports test accuracy, networks trained and fit time.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``animals-comparison.png`` and ``animals-regions.png``.
    random_state : int, default=0
        Seeds the data, the split and every network.
    n_samples : int, default=600
        Examples (150 per class), split into training and test sets.
    hidden_units : int, default=6
        Sigmoid units of the one hidden layer of every network.
    test_size : float, default=0.3
        Fraction held out for testing (stratified).
    strategies : sequence of {"native", "ovr", "ovo"}
        The strategies to compare.

    Returns
    -------
    DemoResult
        ``numbers["strategies"][name]``: ``accuracy``, ``n_networks``, ``fit_seconds``;
        ``numbers["outputs"]``: h_θ(x) of the native network for one test animal of
        each class; ``tables["comparison"]`` and ``tables["outputs"]``.
    """
    from ..datasets import animals, one_hot
    from ..estimators import MLPClassifier
    from ..multiclass import compare_multiclass, format_comparison

    seed = as_seed(random_state)
    data = animals(n_samples, random_state=seed)
    X_train, X_test, y_train, y_test, scaler = standardized_split(
        data.X, data.y, test_size=test_size, random_state=seed
    )
    # The lecture's network: sigmoid hidden units and K sigmoid outputs with one-hot targets.
    params = {
        "hidden_layer_sizes": (hidden_units,),
        "activation": "logistic",
        "output": "sigmoid",
        "solver": "lbfgs",
        "alpha": 1e-2,
        "max_iter": 400,
        "random_state": seed,
    }
    results = compare_multiclass(
        scaler.transform(X_train),
        y_train,
        scaler.transform(X_test),
        y_test,
        strategies=tuple(strategies),
        **params,
    )
    native = MLPClassifier(**params).fit(scaler.transform(X_train), y_train)

    # h_θ(x) for the first test animal of each class, next to its one-hot target
    picks = [int(np.flatnonzero(y_test == k)[0]) for k in range(len(data.class_names))]
    outputs = native.network_.forward(scaler.transform(X_test[picks]))
    targets = one_hot(y_test[picks], classes=np.arange(len(data.class_names)))

    # how many of the K sigmoid output units say "mine" (h ≥ 0.5) for each test animal
    claimed = (native.network_.forward(scaler.transform(X_test)) >= 0.5).sum(axis=1)
    result = DemoResult("animals")
    result.numbers = {
        "strategies": {r.strategy: r.as_dict() for r in results},
        "native_test_accuracy": float(native.score(scaler.transform(X_test), y_test)),
        "outputs": {
            name: [round(float(v), 4) for v in h] for name, h in zip(data.class_names, outputs)
        },
        "n_train": len(y_train),
        "n_test": len(y_test),
        "claims": {
            "none": int(np.sum(claimed == 0)),
            "one": int(np.sum(claimed == 1)),
            "several": int(np.sum(claimed >= 2)),
        },
    }
    result.tables["comparison"] = format_comparison(results)
    result.tables["outputs"] = _outputs_table(data.class_names, X_test[picks], targets, outputs)
    result.figures["comparison"] = _comparison_figure(
        results, len(y_test), len(y_train), result.numbers["claims"]
    )
    result.figures["regions"] = _regions_figure(data, native, scaler, X_test, y_test)
    return save_figures(result, out_dir)


def _outputs_table(class_names, X, targets, outputs) -> str:
    """One test animal per class: its features, its one-hot y and the network's h_θ(x)."""
    names = ", ".join(class_names)
    header = f"{'class':<6} {'weight':>7} {'length':>7}   y (one-hot)   h_θ(x) ({names})"
    lines = [header, "-" * len(header)]
    for name, x, y, h in zip(class_names, X, targets, outputs):
        y_text = "[" + " ".join(f"{int(v)}" for v in y) + "]"
        h_text = "[" + " ".join(f"{v:.2f}" for v in h) + "]"
        lines.append(f"{name:<6} {x[0]:>5.1f}kg {x[1]:>5.0f}cm   {y_text:<13} {h_text}")
    return "\n".join(lines)


def _comparison_figure(results, n_test: int, n_train: int, claims: dict[str, int]):
    """Accuracy and networks per strategy, and how K sigmoid outputs split the test animals.

    Nothing shown depends on timing or rounding noise: the panels are accuracies, counts
    of networks and examples, and counts of animals.
    """
    from ..plots.base import label_bars

    fig = new_figure(13.0, 4.8)
    axes = fig.subplots(1, 3)
    labels = [_STRATEGY_LABELS[r.strategy] for r in results]
    colors = _STRATEGY_COLORS[: len(results)]  # not class colors: cat is C0 in every figure
    positions = np.arange(len(results))
    k = 4
    examples = {
        "native": f"1 × {n_train}",
        "ovr": f"{k} × {n_train}",
        "ovo": f"{k * (k - 1) // 2} × ≈{2 * n_train // k}",  # two classes of K, on average
    }
    panels = (
        (
            [100 * r.accuracy for r in results],
            "test accuracy (%)",
            [f"{100 * r.accuracy:.1f}%" for r in results],
            f"Test accuracy ({n_test} animals): about equal",
        ),
        (
            [r.n_networks for r in results],
            "networks trained",
            [f"{r.n_networks}: {examples[r.strategy]} examples" for r in results],
            "Networks trained (K = 4) × examples each",
        ),
    )
    for ax, (values, ylabel, texts, title) in zip(axes, panels):
        bars = ax.bar(positions, values, color=colors, edgecolor="k", linewidth=0.6, width=0.6)
        label_bars(ax, bars, texts)
        ax.set_xticks(positions, labels=labels, fontsize=9)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        ax.margins(y=0.15)
    bottom = max(0.0, 5.0 * np.floor((min(100 * r.accuracy for r in results) - 5.0) / 5.0))
    axes[0].set_ylim(bottom, 100.0)
    if bottom > 0:
        axes[0].set_ylabel(f"test accuracy (%; axis starts at {bottom:g}%)")
    # The native network's K sigmoid outputs answer "is it my class?" independently.
    ax = axes[2]
    names = ("no unit", "exactly one", "two or more")
    counts = [claims["none"], claims["one"], claims["several"]]
    bars = ax.bar(np.arange(3), counts, color="0.6", edgecolor="k", linewidth=0.6, width=0.6)
    label_bars(ax, bars, [str(count) for count in counts])
    ax.set_xticks(np.arange(3), labels=names, fontsize=9)
    ax.set_ylabel("test animals")
    ax.set_title("One network, 4 sigmoid outputs:\nhow many units say h ≥ 0.5", fontsize=10)
    ax.margins(y=0.15)
    fig.suptitle(
        "Cat / dog / fox / bird, K = 4 classes: equal accuracy, different cost; "
        "the arg-max decides where no unit or several claim an animal"
    )
    return fig


def _regions_figure(data, native, scaler, X_test, y_test):
    """The native network's four regions over the (kg, cm) plane, with the test animals."""
    from ..plots import decision_regions

    fig = new_figure(8.6, 5.8)
    ax = fig.add_subplot()
    decision_regions(
        lambda X: native.predict_proba(scaler.transform(X)),
        X_test,
        y_test,
        feature_names=data.feature_names,
        feature_units=data.feature_units,
        class_names=data.class_names,
        resolution=300,
        ax=ax,
        title=(
            "One network, 4 sigmoid outputs (one-hot targets): the largest h_θ(x)ₖ wins\n"
            f"test accuracy {native.score(scaler.transform(X_test), y_test):.1%}; "
            "points: the test animals"
        ),
    )
    return fig
