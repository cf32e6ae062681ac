"""Figures: learning curves, decision regions, learned features and diagnostics.

Every function draws from recorded results (a training history, a trained network, the
outcome of a gradient check) and never runs inside the training loop. Each returns a
:class:`matplotlib.figure.Figure` and, given ``path``, also writes it as a PNG.

================================  ==============================================================
function                          what it shows (the lecture's name for it)
================================  ==============================================================
:func:`learning_curves`           babysitting: training/validation loss and accuracy per epoch
:func:`network_losses`            training loss of each binary network (one-vs-rest, one-vs-one)
:func:`update_ratios`             babysitting: ‖Δθ⁽ˡ⁾‖ / ‖θ⁽ˡ⁾‖ per epoch, healthy near 1e-3
:func:`decision_regions`          cats vs dogs: classes over the 2-D input plane
:func:`hidden_unit_activations`   "features a⁽²⁾ are learned by the network", one map per unit
:func:`hidden_unit_images`        incoming weights θ⁽¹⁾[:, 1:] of each hidden unit as an image
:func:`activation_histograms`     a⁽ˡ⁾ per hidden layer: saturated sigmoids, dead relus
:func:`gradient_check_table`      relative error per θ⁽ˡ⁾ against the 1e-7 / 1e-4 / 1e-2 marks
:func:`confusion_matrix`          which classes are mistaken for which
:func:`misclassified_examples`    the images the classifier got wrong
:func:`roc_and_pr_curves`         binary classifier: ROC and precision-recall curves
:func:`calibration_diagram`       reliability: observed frequency against predicted probability
:func:`predicted_vs_actual`       regression: each prediction against its true value
:func:`residuals`                 regression: y − ŷ against ŷ
:class:`LiveLearningCurves`       a training callback: the learning curves redrawn in a notebook
================================  ==============================================================

Why no pyplot: pyplot keeps a global list of open figures and picks a GUI backend, which
a library must not do behind its user's back. Figures here are built with the
object-oriented API on their own Agg canvas, so they are safe in scripts, servers and
notebooks alike, and are freed like any other object.

Text that comes from the user (titles, class and feature names) is drawn literally: a
class called ``"cost_$5"`` keeps its dollar sign instead of starting mathtext.

Modules by topic: :mod:`~mlplab.plots.curves` (history), :mod:`~mlplab.plots.classification`
(results and regions), :mod:`~mlplab.plots.results` (ROC, calibration, regression fit),
:mod:`~mlplab.plots.internals` (hidden units),
:mod:`~mlplab.plots.gradcheck` and :mod:`~mlplab.plots.base` (canvas, saving, shared style).
This package is the only part of mlplab that imports matplotlib.
"""

from __future__ import annotations

from .base import (
    DPI,
    class_colors,
    figure_to_data_uri,
    figure_to_png_bytes,
    new_figure,
    save_figure,
)
from .classification import confusion_matrix, decision_regions, misclassified_examples
from .curves import learning_curves, network_losses, update_ratios
from .gradcheck import gradient_check_table
from .internals import activation_histograms, hidden_unit_activations, hidden_unit_images
from .live import LiveLearningCurves
from .results import calibration_diagram, predicted_vs_actual, residuals, roc_and_pr_curves

__all__ = [
    "DPI",
    "LiveLearningCurves",
    "activation_histograms",
    "calibration_diagram",
    "class_colors",
    "confusion_matrix",
    "decision_regions",
    "figure_to_data_uri",
    "figure_to_png_bytes",
    "gradient_check_table",
    "hidden_unit_activations",
    "hidden_unit_images",
    "learning_curves",
    "misclassified_examples",
    "network_losses",
    "new_figure",
    "predicted_vs_actual",
    "residuals",
    "roc_and_pr_curves",
    "save_figure",
    "update_ratios",
]
