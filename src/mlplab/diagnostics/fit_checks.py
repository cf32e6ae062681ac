"""Over- and underfitting after the short run, from training and validation scores and losses.

==============  ==============================================================================
check           rule
==============  ==============================================================================
overfitting     after the short run, any of: training score − validation score > 0.1
                (accuracy, or R² for regression); for classifiers, a validation loss more
                than 10× the training loss and more than 0.1 above it (the training
                examples are fitted far more closely than new ones, even when both are
                classified right); the validation loss ended > 1.1× its best while the
                training loss kept falling and was less than half the validation loss
underfitting    both scores low: (score − chance) / (1 − chance) < 0.5 on the training and
                on the validation data, chance being the largest class's share (0 for R²)
==============  ==============================================================================
"""

from __future__ import annotations

import numpy as np

from ._result import PASS, SKIP, WARN, Finding, format_number
from .training_checks import chance_score, score

__all__ = ["check_fit"]

#: Training score minus validation score above this is overfitting.
MAX_SCORE_GAP = 0.1
#: Validation loss risen above this multiple of its best (train loss falling) is overfitting
#: when it is also more than VAL_TO_TRAIN_LOSS times the training loss.
VAL_LOSS_RISE = 1.1
VAL_TO_TRAIN_LOSS = 2.0
#: Classifiers: a validation loss above this multiple of the training loss, and above it by
#: more than LOSS_GAP (nats per example), is overfitting whatever the accuracies say.
LOSS_RATIO = 10.0
LOSS_GAP = 0.1
#: Scores rescaled so that chance is 0 and perfect is 1; both below this is underfitting.
MIN_NORMALIZED_SCORE = 0.5


# ---------------------------------------------------------------------- over/underfitting
def check_fit(
    net,
    task: str,
    train: tuple,
    validation: tuple,
    history=None,
    stop_reason: str | None = None,
) -> list[Finding]:
    """Overfitting and underfitting from the training and validation scores and losses.

    Parameters
    ----------
    net : Network
        After training.
    task : {"multiclass", "binary", "multilabel", "regression"}
    train, validation : (X, Y)
        Inputs of shape (m, n_in) and targets of shape (m, n_out).
    history : History or mapping, optional
        Its ``train_loss`` and ``val_loss`` columns show whether validation loss rose.
    stop_reason : str, optional
        After divergence both checks SKIP: fix the learning rate first.

    Returns
    -------
    list of Finding
        The "overfitting" finding, then the "underfitting" one.
    """
    name = "R²" if task == "regression" else "accuracy"
    gap_rule = f"train − val {name} ≤ {MAX_SCORE_GAP:g}"
    if task != "regression":
        gap_rule += f", val loss ≤ {LOSS_RATIO:g}× train loss"
    low_rule = f"(score − chance)/(1 − chance) ≥ {MIN_NORMALIZED_SCORE:g}"
    if stop_reason == "diverged":
        why = "training diverged; fix the learning rate first"
        return [
            Finding("overfitting", SKIP, None, gap_rule, why),
            Finding("underfitting", SKIP, None, low_rule, why),
        ]
    X_train, Y_train = train
    X_val, Y_val = validation
    train_score = score(net, X_train, Y_train, task)
    val_score = score(net, X_val, Y_val, task)
    with np.errstate(over="ignore", invalid="ignore"):
        train_loss = float(net.cost(X_train, Y_train, 0.0))
        val_loss = float(net.cost(X_val, Y_val, 0.0))
    gap = train_score - val_score
    details = {
        "score": name,
        "train_score": train_score,
        "val_score": val_score,
        "train_loss": train_loss,
        "val_loss": val_loss,
    }
    rise = _validation_rise(history)
    overfit_advice = (
        "raise alpha (λ), stop early (EarlyStopping on val_loss), get more training data, "
        "or use a smaller network"
    )
    chance = chance_score(Y_train, task)
    normalized = [
        (s - chance) / (1.0 - chance) if chance < 1 else 1.0 for s in (train_score, val_score)
    ]
    fits_training = normalized[0] >= MIN_NORMALIZED_SCORE
    status, advice = WARN, overfit_advice
    if not fits_training:
        # A gap between two poor scores is not memorization: underfitting reports it.
        status, advice = PASS, ""
        message = f"training {name} {train_score:.3f} is too low to speak of overfitting"
    elif gap > MAX_SCORE_GAP:
        message = (
            f"training {name} {train_score:.3f} but validation {val_score:.3f}: a gap of "
            f"{gap:.3f} means the network memorizes the training data (overfitting)"
        )
    elif (
        task != "regression"
        and val_loss > LOSS_RATIO * train_loss
        and val_loss - train_loss > LOSS_GAP
    ):
        message = (
            f"validation loss {format_number(val_loss)} is {val_loss / train_loss:.0f}× the "
            f"training loss {format_number(train_loss)}: the network fits its training "
            "examples far more closely than new ones (overfitting)"
        )
    elif rise is not None and val_loss > VAL_TO_TRAIN_LOSS * train_loss:
        best_epoch, best, last = rise
        message = (
            f"validation loss rose from {format_number(best)} (epoch {best_epoch}) to "
            f"{format_number(last)} while training loss kept falling (overfitting)"
        )
    else:
        status, advice = PASS, ""
        message = f"training {name} {train_score:.3f}, validation {val_score:.3f}: no large gap"
    overfitting = Finding("overfitting", status, gap, gap_rule, message, advice, details=details)
    details = dict(details, chance=chance)
    if max(normalized) < MIN_NORMALIZED_SCORE:
        versus = "" if task == "regression" else f" (chance: {chance:.3f})"
        status = WARN
        message = (
            f"training {name} {train_score:.3f} and validation {val_score:.3f}{versus}: the "
            "network does not fit even the training data (underfitting)"
        )
        advice = (
            "use a bigger network (more units or layers), train longer or with a larger "
            "learning_rate_init, lower alpha (λ)"
        )
    else:
        status, advice = PASS, ""
        message = f"training {name} {train_score:.3f} is well above chance"
    underfitting = Finding(
        "underfitting", status, normalized[0], low_rule, message, advice, details=details
    )
    return [overfitting, underfitting]


def _validation_rise(history) -> tuple[int, float, float] | None:
    """(best epoch, best val loss, last val loss) if val loss rose while train loss fell."""
    if history is None or "val_loss" not in history or "train_loss" not in history:
        return None
    val = np.asarray(history["val_loss"], dtype=np.float64)
    train = np.asarray(history["train_loss"], dtype=np.float64)
    if val.size < 2 or not (np.isfinite(val).all() and np.isfinite(train).all()):
        return None
    best = int(np.argmin(val))
    if best < val.size - 1 and val[-1] > VAL_LOSS_RISE * val[best] and train[-1] < train[best]:
        return best + 1, float(val[best]), float(val[-1])
    return None
