"""Tests of mlplab.plots: the figures' content, literal user text, and safe PNG saving."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

from mlplab import plots
from mlplab.gradcheck import GradientCheck, check_gradients
from mlplab.network import Network

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# With two dollar signs this would be mathtext, and "\bad{" is not valid mathtext:
# drawing it fails unless the text is drawn literally.
TRICKY = "cost_$5 \\frac{ $x"


def texts(fig: Figure) -> list[str]:
    """Every string drawn in the figure (titles, labels, legends, annotations, ticks)."""
    return [t.get_text() for t in fig.findobj(Text)]


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def is_png(data: bytes) -> bool:
    return len(data) > 100 and data.startswith(PNG_SIGNATURE)


def tiles(ax) -> list[np.ndarray]:
    """The images an axes drawn by ``image_tiles`` shows, in reading order.

    Found from the pixels alone: tiles are the blocks of finite values between rows and
    columns that are NaN throughout.
    """
    mosaic = np.asarray(np.ma.filled(ax.get_images()[0].get_array(), np.nan), dtype=float)

    def runs(filled) -> list[slice]:
        edges = np.flatnonzero(np.diff(np.concatenate([[0], filled.astype(int), [0]])))
        return [slice(a, b) for a, b in zip(edges[::2], edges[1::2])]

    found = []
    for rows in runs(~np.isnan(mosaic).all(axis=1)):
        band = mosaic[rows]
        for columns in runs(~np.isnan(band).all(axis=0)):
            found.append(band[:, columns])
    return found


def rendered(fig: Figure) -> bytes:
    """Render the figure (which runs text layout, mathtext included) and return the PNG."""
    data = plots.figure_to_png_bytes(fig)
    assert is_png(data)
    return data


def make_history(n: int = 6) -> dict[str, np.ndarray]:
    epoch = np.arange(1, n + 1)
    return {
        "epoch": epoch,
        "train_loss": 1.0 / epoch,
        # lowest at epoch 3, rising after: the marked best epoch must be 3
        "val_loss": np.array([1.2, 0.8, 0.6, 0.7, 0.8, 0.9])[:n],
        "train_accuracy": np.linspace(0.6, 0.9, n),
        "val_accuracy": np.linspace(0.55, 0.75, n),
        "learning_rate": np.full(n, 0.1),
        "grad_norm": np.linspace(1.0, 0.1, n),
        "seconds": np.full(n, 0.01),
        "update_ratio_1": np.full(n, 1e-3),
        "update_ratio_2": np.full(n, 2e-3),
    }


# ---------------------------------------------------------------------- the $ test is meaningful
def test_tricky_label_fails_when_parsed_as_mathtext():
    fig = Figure()
    fig.text(0.5, 0.5, TRICKY)  # default parse_math=True
    with pytest.raises(ValueError, match="frac"):
        plots.figure_to_png_bytes(fig)


# ---------------------------------------------------------------------- learning curves
def test_learning_curves_two_panels_with_best_epoch_and_gap():
    fig = plots.learning_curves(make_history())
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss"
    assert acc_ax.get_title() == "Accuracy"
    assert loss_ax.get_xlabel() == acc_ax.get_xlabel() == "epoch"
    assert "J(" in loss_ax.get_ylabel()
    assert acc_ax.get_ylabel() == "accuracy (%)"
    assert fig.get_suptitle() == "Learning curves"
    loss_legend = legend_texts(loss_ax)
    assert loss_legend[:2] == ["training J(θ), λ term included", "validation data loss, no λ term"]
    assert loss_legend[2] == "best epoch 3 (val loss 0.6)"
    acc_legend = legend_texts(acc_ax)
    # final gap: 90% − 75% = 15 points, at epoch 6
    assert "train − val gap: +15.0 points at epoch 6" in acc_legend
    assert "best epoch 3 (val acc 63.0%)" in acc_legend
    # accuracy is drawn in percent
    train_line = acc_ax.get_lines()[0]
    np.testing.assert_allclose(train_line.get_ydata(), np.linspace(60, 90, 6))
    rendered(fig)


def test_learning_curves_explicit_best_epoch_and_title():
    fig = plots.learning_curves(make_history(), best_epoch=5, title=TRICKY)
    assert fig.get_suptitle() == TRICKY
    assert "best epoch 5 (val loss 0.8)" in legend_texts(fig.axes[0])
    rendered(fig)


def test_learning_curves_rejects_unrecorded_best_epoch():
    with pytest.raises(ValueError, match=r"best_epoch must be one of the recorded epochs.*got 9"):
        plots.learning_curves(make_history(), best_epoch=9)


def test_learning_curves_from_dataframe_matches_dict():
    pd = pytest.importorskip("pandas")
    history = make_history()
    from_frame = plots.learning_curves(pd.DataFrame(history))
    from_dict = plots.learning_curves(history)
    assert texts(from_frame) == texts(from_dict)
    np.testing.assert_array_equal(
        from_frame.axes[0].get_lines()[1].get_ydata(), history["val_loss"]
    )


def test_learning_curves_without_validation_or_accuracy():
    history = {"epoch": [1, 2, 3], "train_loss": [0.9, 0.5, 0.4]}
    fig = plots.learning_curves(history)
    assert len(fig.axes) == 1
    assert legend_texts(fig.axes[0]) == ["training J(θ), λ term included"]
    rendered(fig)


def test_learning_curves_survive_nan_entries_and_all_nan_columns():
    history = make_history()
    history["train_loss"] = np.array([1.0, 0.5, np.nan, np.inf, 0.3, 0.2])
    history["val_loss"] = np.full(6, np.nan)  # no validation set
    history["val_accuracy"] = [float("nan")] * 6
    fig = plots.learning_curves(history)
    loss_ax, acc_ax = fig.axes
    assert legend_texts(loss_ax) == ["training J(θ), λ term included", "non-finite loss (2 epochs)"]
    assert legend_texts(acc_ax) == ["training"]  # no gap without validation accuracy
    rendered(fig)


def test_learning_curves_single_epoch_has_whole_epoch_ticks():
    fig = plots.learning_curves({"train_loss": [0.7], "val_loss": [0.8]})
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.0, 2.0)
    rendered(fig)
    assert [tick for tick in ax.get_xticks() if 0 <= tick <= 2] == [0, 1, 2]


def test_learning_curves_all_nan_training_loss_and_no_epochs():
    fig = plots.learning_curves({"train_loss": [np.nan, np.nan]})
    assert "no finite training loss (diverged from the start)" in texts(fig)
    rendered(fig)
    fig = plots.learning_curves({"train_loss": []})
    assert "no epochs recorded" in texts(fig)
    rendered(fig)


def test_learning_curves_log_scale():
    fig = plots.learning_curves(make_history(), loss_scale="log")
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="loss_scale must be 'linear' or 'log', got 'symlog'"):
        plots.learning_curves(make_history(), loss_scale="symlog")


def test_learning_curves_bad_histories():
    with pytest.raises(ValueError, match="no 'train_loss' column"):
        plots.learning_curves({"loss": [1.0]})
    with pytest.raises(ValueError, match="'val_loss' has 2 entries"):
        plots.learning_curves({"train_loss": [1.0, 0.5, 0.2], "val_loss": [1.0, 0.5]})
    with pytest.raises(TypeError, match="history must map column names"):
        plots.learning_curves([0.5, 0.4])


# ---------------------------------------------------------------------- update ratios
def test_update_ratios_one_line_per_layer_in_layer_order():
    history = make_history()
    history["update_ratio_10"] = np.full(6, 5e-4)
    history["update_ratio_2"][2] = np.nan
    history["update_ratio_1"][0] = 0.0  # log scale: left out, not clipped
    fig = plots.update_ratios(history)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch"
    labels = legend_texts(ax)
    assert labels[:3] == [
        r"$\theta^{(1)}$: layer 1 → 2",
        r"$\theta^{(2)}$: layer 2 → 3",
        r"$\theta^{(10)}$: layer 10 → 11",
    ]
    assert labels[3] == "healthy band (1e-4 to 1e-2)"
    target, layer_1, layer_2, layer_10 = ax.get_lines()  # the 1e-3 line, then the layers
    assert target.get_ydata()[0] == 1e-3
    np.testing.assert_array_equal(layer_1.get_ydata(), [np.nan, *[1e-3] * 5])
    assert np.isnan(layer_2.get_ydata()[2])
    np.testing.assert_array_equal(layer_10.get_ydata(), np.full(6, 5e-4))
    rendered(fig)


def test_update_ratios_without_columns_draws_a_note():
    fig = plots.update_ratios({"train_loss": [1.0, 0.5]}, title=TRICKY)
    assert "no update ratios recorded" in texts(fig)
    assert fig.get_suptitle() == TRICKY
    rendered(fig)


# ---------------------------------------------------------------------- confusion matrix
def test_confusion_matrix_counts_labels_and_literal_names():
    from sklearn.metrics import confusion_matrix as sk_confusion

    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    names = ["cat", "dog", TRICKY]
    fig = plots.confusion_matrix(y_true, y_pred, class_names=names)
    assert len(fig.axes) == 2  # the matrix and its colorbar
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    assert ax.get_xlabel() == "predicted class"
    assert ax.get_ylabel() == "true class"
    # the title is the figure's, above the colour bar too, so the bar cannot cover it
    assert fig.get_suptitle() == "Confusion matrix (7 examples, accuracy 71.4%)"
    expected = sk_confusion(y_true, y_pred)
    images = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    np.testing.assert_array_equal(images[0].get_array(), expected)
    cell_texts = [t.get_text() for t in ax.texts]
    assert sorted(cell_texts) == sorted(str(v) for v in expected.ravel())
    rendered(fig)


def test_confusion_matrix_normalized_string_labels():
    fig = plots.confusion_matrix(["a", "b", "b"], ["a", "b", "a"], normalize="true")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert sorted(t.get_text() for t in ax.texts) == ["0.00", "0.50", "0.50", "1.00"]
    assert fig.axes[1].get_ylabel() == "fraction of the true class (rows sum to 1)"


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match="class_names must have 2 entries"):
        plots.confusion_matrix([0, 1], [0, 1], class_names=["a"])
    with pytest.raises(ValueError, match="normalize must be None"):
        plots.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="shapes"):
        plots.confusion_matrix([0, 1], [0, 1, 1])


# ---------------------------------------------------------------------- misclassified examples
def test_misclassified_examples_shows_only_mistakes():
    rng = np.random.default_rng(0)
    X = rng.random((10, 6))
    y_true = np.arange(10) % 3
    y_pred = y_true.copy()
    y_pred[[1, 4, 7]] = [2, 0, 2]
    fig = plots.misclassified_examples(X, y_true, y_pred, image_shape=(2, 3), max_images=2)
    (ax,) = fig.axes  # one axes and one image for all panels: cheap to draw
    assert len(ax.get_images()) == 1
    assert [t.get_text() for t in ax.texts] == ["true 1\npred 2", "true 1\npred 0"]
    shown = tiles(ax)
    assert len(shown) == 2
    np.testing.assert_array_equal(shown[1], X[4].reshape(2, 3))
    np.testing.assert_array_equal(shown[0], X[1].reshape(2, 3))
    assert fig.get_suptitle() == "Misclassified examples: 3 of 10 (30.0%), first 2 shown"
    rendered(fig)


def test_misclassified_examples_literal_labels_and_none_wrong():
    X = np.zeros((2, 4))
    fig = plots.misclassified_examples(X, ["a", TRICKY], ["a", "b"], image_shape=(2, 2))
    assert fig.axes[0].texts[0].get_text() == f"true {TRICKY}\npred b"
    assert fig.axes[0].texts[0].get_parse_math() is False
    rendered(fig)
    fig = plots.misclassified_examples(X, [0, 1], [0, 1], image_shape=(2, 2))
    assert len(fig.axes) == 1
    assert "no misclassified examples" in texts(fig)


def test_misclassified_examples_bad_shapes():
    with pytest.raises(ValueError, match=r"X must have shape \(m, 64\)"):
        plots.misclassified_examples(np.zeros((3, 10)), [0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="max_images must be an integer >= 1, got 0"):
        plots.misclassified_examples(np.zeros((1, 64)), [0], [1], max_images=0)


# ---------------------------------------------------------------------- hidden unit images
def test_hidden_unit_images_one_panel_per_unit():
    net = Network([16, 5, 3], random_state=0)
    net.thetas[0][1, 1:] *= 1e-3  # a unit whose weights are tiny still shows its pattern
    fig = plots.hidden_unit_images(net, image_shape=(4, 4))
    units, colorbar = fig.axes
    assert [t.get_text() for t in units.texts] == [f"unit {i}" for i in range(1, 6)]
    image = units.get_images()[0]
    shown = tiles(units)
    assert len(shown) == 5
    for unit, pixels in enumerate(shown):
        # θ⁽¹⁾[:, 1:] on the unit's own scale: the bias column 0 is not part of the picture
        weights = net.thetas[0][unit, 1:].reshape(4, 4)
        np.testing.assert_allclose(pixels, weights / np.abs(weights).max())
    assert image.get_clim() == (-1.0, 1.0)  # symmetric: the middle color is zero
    assert image.get_cmap().name.startswith("RdBu_r")  # diverging
    assert colorbar.get_ylabel() == "weight / largest |weight| of the unit"
    rendered(fig)


def test_hidden_unit_images_from_matrices_and_limit():
    theta = np.arange(3 * 5, dtype=float).reshape(3, 5)  # θ⁽¹⁾ with bias column
    fig = plots.hidden_unit_images(theta, image_shape=(2, 2), max_units=2)
    assert len(fig.axes) == 1 + 1  # and the colorbar
    assert len(tiles(fig.axes[0])) == 2
    np.testing.assert_array_equal(tiles(fig.axes[0])[0], np.array([[1, 2], [3, 4]]) / 4)
    assert "first 2 of 3 units" in fig.get_suptitle()
    fig = plots.hidden_unit_images(theta[:, 1:], image_shape=(2, 2))
    assert len(tiles(fig.axes[0])) == 3
    with pytest.raises(ValueError, match="must have 4 columns"):
        plots.hidden_unit_images(np.zeros((3, 7)), image_shape=(2, 2))
    with pytest.raises(ValueError, match="do not form images"):
        plots.hidden_unit_images(Network([5, 2, 1], random_state=0), image_shape=(2, 2))


# ---------------------------------------------------------------------- decision regions
@pytest.fixture
def cats_and_dogs():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal([4, 45], [1, 4], (15, 2)), rng.normal([20, 90], [4, 8], (15, 2))])
    y = np.array(["cat"] * 15 + ["dog"] * 15)
    return X, y


def test_decision_regions_labels_legend_and_regions(cats_and_dogs):
    X, y = cats_and_dogs
    net = Network([2, 3, 2], output="softmax", random_state=0)
    # Hand-set θ: hidden unit 1 is on for heavier-than-average animals, which the
    # output calls dogs; so the plane splits into a cat and a dog region.
    net.thetas = [
        [[0, 10, 0], [0, 0, 0], [0, 0, 0]],
        [[5, -10, 0, 0], [-5, 10, 0, 0]],
    ]

    def predict_proba(points):
        return net.forward((points - [12, 67]) / [8, 23])

    fig = plots.decision_regions(
        predict_proba,
        X,
        y,
        feature_names=("weight", "length"),
        feature_units=("kg", "cm"),
        class_names={"cat": "cat_$", "dog": "dog"},
        resolution=30,
    )
    (ax,) = fig.axes
    assert ax.get_xlabel() == "weight (kg)"
    assert ax.get_ylabel() == "length (cm)"
    assert legend_texts(ax) == ["cat_$", "dog", "decision boundary"]
    assert ax.get_legend().get_title().get_text() == "class"
    # The region image is the argmax of the scores over the grid.
    low, high = X.min(axis=0), X.max(axis=0)
    low, high = low - 0.1 * (high - low), high + 0.1 * (high - low)
    g1, g2 = np.meshgrid(np.linspace(low[0], high[0], 30), np.linspace(low[1], high[1], 30))
    expected = predict_proba(np.column_stack([g1.ravel(), g2.ravel()])).argmax(axis=1)
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), expected.reshape(30, 30))
    correct = predict_proba(X).argmax(axis=1) == (y == "dog")
    title = f"Decision regions (accuracy on the 30 points shown: {correct.mean():.1%})"
    assert ax.get_title() == title
    rendered(fig)


def test_decision_regions_with_label_predictions_into_given_axes(cats_and_dogs):
    X, y = cats_and_dogs
    fig = Figure()
    ax = fig.add_subplot()

    def predict(points):  # a hand-made rule: heavier than 12 kg is a dog
        return np.where(points[:, 0] > 12, "dog", "cat")

    returned = plots.decision_regions(
        predict, X, y, class_names=["cat", TRICKY], ax=ax, title=TRICKY, resolution=20
    )
    assert returned is fig
    assert ax.get_title() == TRICKY
    assert legend_texts(ax) == ["cat", TRICKY, "decision boundary"]
    assert ax.get_xlabel() == "x₁"
    rendered(fig)


def test_decision_regions_single_class_everywhere_and_estimator_object(cats_and_dogs):
    X, y = cats_and_dogs

    class Constant:
        def predict(self, points):
            return np.full(len(points), "cat")

    fig = plots.decision_regions(Constant(), X, y, resolution=10)
    assert "accuracy on the 30 points shown: 50.0%" in fig.axes[0].get_title()
    assert legend_texts(fig.axes[0]) == ["cat", "dog"]  # no boundary, so no legend entry
    rendered(fig)  # no boundary to draw, and no warning about it


def test_decision_regions_one_score_column_is_binary():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.2, 0.9]])
    # P(class 1) = x₁: the third point (x₁ = 0.2) is predicted 0 but labeled 1
    fig = plots.decision_regions(lambda P: P[:, :1], X, np.array([0, 1, 1]), resolution=5)
    assert "accuracy on the 3 points shown: 66.7%" in fig.axes[0].get_title()


def test_decision_regions_bad_input(cats_and_dogs):
    X, y = cats_and_dogs
    net = Network([2, 3, 2], output="softmax", random_state=0)
    with pytest.raises(ValueError, match="exactly 2 input features"):
        plots.decision_regions(net.forward, np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match="class_names must have 2 entries"):
        plots.decision_regions(net.forward, X, y, class_names=["a", "b", "c"], resolution=5)
    with pytest.raises(ValueError, match="3 score columns, but y has 2 classes"):
        plots.decision_regions(lambda P: np.ones((len(P), 3)), X, y, resolution=5)
    with pytest.raises(ValueError, match="feature_units must hold one entry per input"):
        plots.decision_regions(net.forward, X, y, feature_units="kg")
    with pytest.raises(ValueError, match="resolution must be an integer >= 2, got 1"):
        plots.decision_regions(net.forward, X, y, resolution=1)
    with pytest.raises(TypeError, match="predict_fn must be a callable"):
        plots.decision_regions(42, X, y)


# ---------------------------------------------------------------------- hidden unit activations
def test_hidden_unit_activations_one_map_per_unit():
    net = Network([2, 3, 2], output="softmax", random_state=0)
    bounds = ((-1.0, 1.0), (0.0, 2.0))
    fig = plots.hidden_unit_activations(
        net, bounds, resolution=12, feature_names=("weight", "length"), feature_units=("kg", "cm")
    )
    maps = [ax for ax in fig.axes if ax.get_images()]
    assert len(fig.axes) == 4  # three units and the shared colorbar
    assert [ax.get_title() for ax in maps] == ["unit 1", "unit 2", "unit 3"]
    g1, g2 = np.meshgrid(np.linspace(-1, 1, 12), np.linspace(0, 2, 12))
    a2 = net.activations(np.column_stack([g1.ravel(), g2.ravel()]))[1]
    for unit, ax in enumerate(maps):
        np.testing.assert_allclose(ax.get_images()[0].get_array(), a2[:, unit].reshape(12, 12))
        assert ax.get_images()[0].get_clim() == (0.0, 1.0)  # sigmoid range, shared
    # a 2×2 grid with one cell empty: x labels where no panel is below, y labels on the left
    assert [ax.get_xlabel() for ax in maps] == ["", "weight (kg)", "weight (kg)"]
    assert [ax.get_ylabel() for ax in maps] == ["length (cm)", "", "length (cm)"]
    assert "a^{(2)}" in fig.get_suptitle()
    rendered(fig)


def test_hidden_unit_activations_second_layer_from_data():
    net = Network([2, 4, 5, 1], activation="relu", random_state=0)
    X = np.array([[0.0, 0.0], [1.0, 3.0]])
    fig = plots.hidden_unit_activations(net, X=X, layer=3, resolution=8, max_units=4)
    assert len(fig.axes) == 5  # four of the five units, and the colorbar
    assert "first 4 of 5 units" in fig.get_suptitle()
    rendered(fig)


def test_hidden_unit_activations_bad_input():
    net = Network([2, 3, 2], random_state=0)
    with pytest.raises(ValueError, match=r"layer must be a hidden layer, one of \[2\]"):
        plots.hidden_unit_activations(net, ((0, 1), (0, 1)), layer=3)
    with pytest.raises(ValueError, match="needs a network with 2 inputs, got 3"):
        plots.hidden_unit_activations(Network([3, 2, 1], random_state=0), ((0, 1), (0, 1)))
    with pytest.raises(ValueError, match="min < max"):
        plots.hidden_unit_activations(net, ((1, 0), (0, 1)))
    with pytest.raises(ValueError, match="pass the plane to draw"):
        plots.hidden_unit_activations(net)


# ---------------------------------------------------------------------- activation histograms
def test_activation_histograms_sigmoid_saturation():
    net = Network([2, 4, 3, 2], random_state=0)
    X = np.random.default_rng(0).normal(scale=5.0, size=(50, 2))
    fig = plots.activation_histograms(net, X)
    assert len(fig.axes) == 2  # layers 2 and 3
    a2 = net.activations(X)[1]
    # the one rule of the doctor and the figure: within 0.01 of a limit (f′ < 0.01)
    saturated = np.mean((a2 < 0.01) | (a2 > 0.99))
    assert fig.axes[0].get_title() == f"layer 2: 4 units\nsaturated {saturated:.1%}"
    assert fig.axes[0].get_xlim() == (0.0, 1.0)
    assert fig.axes[1].get_xlabel() == "activation $a^{(3)}$"
    counts = sum(bar.get_height() for bar in fig.axes[0].containers[0])
    assert counts == a2.size
    rendered(fig)


def test_activation_histograms_counts_dead_relus():
    net = Network([2, 3, 1], activation="relu", random_state=0)
    net.thetas[0][0] = [-100.0, 0.0, 0.0]  # unit 1 of layer 2 is off for every input
    X = np.random.default_rng(0).normal(size=(20, 2))
    fig = plots.activation_histograms(net, X, bins=10, title=TRICKY)
    assert "dead units 1 of 3" in fig.axes[0].get_title()
    assert fig.get_suptitle() == TRICKY
    rendered(fig)


def test_activation_histograms_without_hidden_layer():
    fig = plots.activation_histograms(Network([2, 1], random_state=0), np.zeros((3, 2)))
    assert len(fig.axes) == 1
    assert "this network has no hidden layer" in texts(fig)


# ---------------------------------------------------------------------- gradient check
def test_gradient_check_table_from_a_real_check():
    net = Network([3, 4, 2], random_state=0)
    rng = np.random.default_rng(0)
    result = check_gradients(net, rng.normal(size=(4, 3)), np.eye(2)[[0, 1, 1, 0]])
    fig = plots.gradient_check_table(result)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["$\\theta^{(1)}$\n4×4", "$\\theta^{(2)}$\n2×5", "all"]
    (bars,) = ax.containers
    assert len(bars) == 3
    heights = [bar.get_height() for bar in bars]
    np.testing.assert_allclose(heights, [*result.layer_errors, result.relative_error])
    assert ax.get_title().endswith("(verdict: good)")
    drawn = texts(fig)
    assert {"good", "acceptable", "suspect", "wrong"} <= set(drawn)
    assert f"{result.relative_error:.1e}" in drawn
    threshold_lines = sorted(line.get_ydata()[0] for line in ax.get_lines())
    assert threshold_lines == [1e-7, 1e-4, 1e-2]
    rendered(fig)


def test_gradient_check_table_zero_and_wrong_errors():
    result = GradientCheck(
        relative_error=3e-3,
        layer_errors=(0.0, 0.4),
        analytic=np.zeros(2),
        numerical=np.zeros(2),
    )
    fig = plots.gradient_check_table(result, title=TRICKY)
    ax = fig.axes[0]
    assert ax.get_title() == TRICKY
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "$\\theta^{(1)}$",
        "$\\theta^{(2)}$",
        "all",
    ]
    assert "0 (exact)" in texts(fig)
    colors = [bar.get_facecolor()[:3] for bar in ax.containers[0]]
    assert colors[1] != colors[2]  # wrong (red) vs suspect (orange)
    rendered(fig)
    with pytest.raises(TypeError, match="result must be a GradientCheck"):
        plots.gradient_check_table(1e-9)


# ---------------------------------------------------------------------- saving and export
def test_path_writes_a_png(tmp_path):
    target = tmp_path / "curves.png"
    fig = plots.learning_curves(make_history(), path=target)
    data = target.read_bytes()
    assert is_png(data)
    assert sorted(os.listdir(tmp_path)) == ["curves.png"]  # no temporary file left
    assert isinstance(fig, Figure)
    plots.update_ratios(make_history(), path=str(tmp_path / "ratios.png"))
    assert is_png((tmp_path / "ratios.png").read_bytes())


def test_missing_folder_raises_clearly_and_creates_nothing(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        plots.learning_curves(make_history(), path=missing / "curves.png")
    assert os.listdir(tmp_path) == []


def test_non_png_path_is_rejected(tmp_path):
    with pytest.raises(ValueError, match=r"path must end in '\.png'"):
        plots.learning_curves(make_history(), path=tmp_path / "curves.pdf")
    assert os.listdir(tmp_path) == []


def test_failed_save_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "curves.png"
    target.write_bytes(b"old figure")
    fig = plots.learning_curves(make_history())

    def half_written(handle, **kwargs):
        handle.write(PNG_SIGNATURE)  # a partial image, then the renderer fails
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(fig, "savefig", half_written)
    with pytest.raises(RuntimeError, match="renderer failed"):
        plots.save_figure(fig, target)
    assert sorted(os.listdir(tmp_path)) == ["curves.png"]
    assert target.read_bytes() == b"old figure"


def test_png_bytes_and_data_uri():
    fig = plots.update_ratios(make_history())
    data = plots.figure_to_png_bytes(fig)
    assert is_png(data)
    uri = plots.figure_to_data_uri(fig)
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri[len(prefix) :]).startswith(PNG_SIGNATURE)


def test_a_laid_out_figure_is_drawn_once_and_saved_as_savefig_would():
    """The constrained layout runs once and the figure is drawn once; same pixels."""
    import io

    from PIL import Image

    from mlplab.plots.base import DPI

    fig = plots.learning_curves(make_history(), best_epoch=3, title="curves")
    engine = fig.get_layout_engine()
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    data = plots.figure_to_png_bytes(fig)
    assert len(draws) == 1
    assert fig.get_layout_engine() is engine  # the figure keeps its layout for later use
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Description": ""})
    assert len(draws) == 3  # matplotlib's own savefig: twice
    mine = Image.open(io.BytesIO(data))
    theirs = Image.open(buffer)
    assert mine.size == theirs.size
    assert mine.tobytes() == theirs.tobytes()


def test_figure_texts_leave_out_tick_labels():
    from mlplab.plots.base import figure_texts

    fig = plots.hidden_unit_images(Network([16, 5, 3], random_state=0), image_shape=(4, 4))
    texts_found = figure_texts(fig)
    assert texts_found[:5] == [f"unit {i}" for i in range(1, 6)]
    assert texts_found[-1].startswith("Incoming weights")
    assert "weight / largest |weight| of the unit" in texts_found
    assert "−max" not in texts_found  # tick labels are left out


def test_no_pyplot_and_light_import(tmp_path):
    """Figures need no pyplot (no global state, no GUI backend); import mlplab stays light."""
    script = (
        "import sys\n"
        "import mlplab\n"
        "assert 'matplotlib' not in sys.modules, 'import mlplab loaded matplotlib'\n"
        "from mlplab import plots\n"
        "from mlplab.network import Network\n"
        "net = Network([2, 3, 2], output='softmax', random_state=0)\n"
        "plots.learning_curves({'train_loss': [1.0, 0.5]})\n"
        "plots.decision_regions(net.forward, [[0, 0], [1, 1]], [0, 1], resolution=5)\n"
        "plots.figure_to_png_bytes(plots.hidden_unit_activations(net, ((0, 1), (0, 1))))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    env = {**os.environ, "MPLBACKEND": ""}
    env.pop("MPLBACKEND")
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr


def test_every_figure_draws_literal_user_text_to_png(tmp_path):
    """One figure of each kind with a tricky title, saved through ``path``."""
    net = Network([4, 3, 2], output="softmax", random_state=0)
    X4 = np.random.default_rng(0).random((6, 4))
    net2 = Network([2, 3, 2], output="softmax", random_state=0)
    X2 = np.random.default_rng(1).random((6, 2))
    y = np.array([0, 1, 0, 1, 0, 1])
    result = check_gradients(net2, X2, np.eye(2)[y])
    makers = {
        "learning_curves": lambda p: plots.learning_curves(make_history(), title=TRICKY, path=p),
        "update_ratios": lambda p: plots.update_ratios(make_history(), title=TRICKY, path=p),
        "confusion_matrix": lambda p: plots.confusion_matrix(y, y[::-1], title=TRICKY, path=p),
        "misclassified": lambda p: plots.misclassified_examples(
            X4, y, y[::-1], image_shape=(2, 2), title=TRICKY, path=p
        ),
        "hidden_unit_images": lambda p: plots.hidden_unit_images(
            net, image_shape=(2, 2), title=TRICKY, path=p
        ),
        "decision_regions": lambda p: plots.decision_regions(
            net2.forward, X2, y, feature_names=(TRICKY, "b_1"), title=TRICKY, resolution=8, path=p
        ),
        "hidden_unit_activations": lambda p: plots.hidden_unit_activations(
            net2, X=X2, feature_names=(TRICKY, "b"), title=TRICKY, resolution=8, path=p
        ),
        "activation_histograms": lambda p: plots.activation_histograms(
            net2, X2, title=TRICKY, path=p
        ),
        "gradient_check_table": lambda p: plots.gradient_check_table(result, title=TRICKY, path=p),
    }
    for name, make in makers.items():
        target = Path(tmp_path) / f"{name}.png"
        fig = make(target)
        assert TRICKY in texts(fig), name
        assert is_png(target.read_bytes()), name
