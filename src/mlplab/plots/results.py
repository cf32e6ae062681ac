"""How good a trained model's outputs are: ROC and precision-recall, calibration, regression fit.

Each function takes true targets and the model's outputs on one part of the data (the
run's test part in a report) and draws one figure; nothing here trains or predicts.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .base import LITERAL, finish, new_figure, titled

__all__ = ["calibration_diagram", "predicted_vs_actual", "residuals", "roc_and_pr_curves"]


def roc_and_pr_curves(y_true, score, *, positive_name: str = "1", title=None, path=None) -> Figure:
    """ROC curve (with its area) and precision-recall curve (with average precision).

    Parameters
    ----------
    y_true : array-like of shape (m,)
        1 for the positive class, 0 otherwise.
    score : array-like of shape (m,)
        h_θ(x), the model's probability of the positive class.
    positive_name : str
        The positive class, named in the axis labels (drawn literally).
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_curve

    y_true = np.asarray(y_true).astype(int)
    score = np.asarray(score, dtype=float)
    fig = new_figure(8.0, 3.6)
    roc_ax, pr_ax = fig.subplots(1, 2)
    fpr, tpr, _ = roc_curve(y_true, score)
    area = float(np.trapezoid(tpr, fpr))
    roc_ax.plot(fpr, tpr, color="C0", label=f"network (area {area:.3f})")
    roc_ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", label="chance")
    roc_ax.set_xlabel("false positive rate")
    roc_ax.set_ylabel("true positive rate (recall)")
    roc_ax.set_title("ROC curve")
    roc_ax.legend(loc="lower right", fontsize=9)
    precision, recall, _ = precision_recall_curve(y_true, score)
    ap = float(average_precision_score(y_true, score))
    pr_ax.plot(recall, precision, color="C0", label=f"network (avg. precision {ap:.3f})")
    pr_ax.axhline(y_true.mean(), color="0.6", linestyle="--", label="chance")
    pr_ax.set_xlabel("recall")
    pr_ax.set_ylabel("precision")
    pr_ax.set_title("Precision-recall curve")
    pr_ax.legend(loc="lower left", fontsize=9)
    for ax in (roc_ax, pr_ax):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    text, _ = titled(title, f"Positive class: {positive_name}")
    fig.suptitle(text, **LITERAL)
    return finish(fig, path)


def calibration_diagram(correct, confidence, *, n_bins: int = 10, title=None, path=None) -> Figure:
    """Reliability diagram: how often the model is right against how sure it said it was.

    Parameters
    ----------
    correct : array-like of shape (m,)
        1 where the event happened (binary: the positive class; multiclass: the predicted
        class was the true one), else 0.
    confidence : array-like of shape (m,)
        The probability the model gave that event.
    n_bins : int
        Equal-width bins of the confidence in [0, 1]; empty bins are left out.
    """
    correct = np.asarray(correct, dtype=float)
    confidence = np.asarray(confidence, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins)
    used = counts > 0
    mean_conf = np.bincount(which, confidence, n_bins)[used] / counts[used]
    frequency = np.bincount(which, correct, n_bins)[used] / counts[used]
    fig = new_figure(4.6, 4.2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", label="perfectly calibrated")
    ax.plot(mean_conf, frequency, marker="o", color="C0", label="network")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("predicted probability (bin mean)")
    ax.set_ylabel("observed frequency")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    text, style = titled(title, f"Calibration ({correct.size} examples)")
    ax.set_title(text, **style)
    return finish(fig, path)


def predicted_vs_actual(y_true, y_pred, *, target_name: str = "target", title=None, path=None):
    """Each example's prediction against its true value; the diagonal is a perfect fit."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    fig = new_figure(4.6, 4.2)
    ax = fig.add_subplot()
    low = min(y_true.min(), y_pred.min())
    high = max(y_true.max(), y_pred.max())
    ax.plot([low, high], [low, high], color="0.6", linestyle="--", label="perfect fit")
    ax.scatter(y_true, y_pred, s=12, alpha=0.7, color="C0", label="examples")
    ax.set_xlabel(f"actual {target_name}", **LITERAL)
    ax.set_ylabel(f"predicted {target_name}", **LITERAL)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    text, style = titled(title, f"Predicted vs actual ({y_true.size} examples)")
    ax.set_title(text, **style)
    return finish(fig, path)


def residuals(y_true, y_pred, *, target_name: str = "target", title=None, path=None) -> Figure:
    """Residuals y − ŷ against ŷ: a pattern (a slope, a funnel) is what the model missed."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_pred = np.asarray(y_pred, dtype=float).ravel()
    fig = new_figure(4.6, 4.2)
    ax = fig.add_subplot()
    ax.axhline(0.0, color="0.6", linestyle="--")
    ax.scatter(y_pred, y_true - y_pred, s=12, alpha=0.7, color="C0")
    ax.set_xlabel(f"predicted {target_name}", **LITERAL)
    ax.set_ylabel("residual (actual − predicted)")
    ax.grid(alpha=0.3)
    text, style = titled(title, f"Residuals ({y_true.size} examples)")
    ax.set_title(text, **style)
    return finish(fig, path)
