"""Babysitting the learning process, automated: practical checks explained in plain words.

The lecture ends with "babysitting the learning process": check the loss on the training
and validation curves, plot training and validation accuracy, and remember that a huge gap
between them means overfitting. Practitioners add a handful of quick checks before and
during training (gradient check, a sane initial loss, overfitting a tiny subset, update
sizes near a thousandth of the weights, no dead or saturated units). :func:`diagnose` runs
them all on a configuration and data and returns a :class:`Diagnosis`: one
:class:`Finding` per check, each with a status, the measured figure, the threshold, a
one-line explanation and the fix to try. ``mlplab doctor`` and the HTML report show it.

==================  =========  =================================================  =========
check               module     what it catches                                    needs
==================  =========  =================================================  =========
finite_data         data       NaN or inf in X (or regression y)                  data
feature_scale       data       unscaled features                                  data
class_balance       data       a class much rarer than another                    data
leakage             data       validation rows duplicated in the training data    data
gradient_check      model      a wrong backward pass                              θ₀
initial_loss        model      initial weights too large (J(θ₀) ≫ ln K)           θ₀
regularization      model      a wrong λ/(2m) Σθ² term                            θ₀
symmetry            model      identical hidden units (zero initialization)       θ₀
saturation          model      saturated sigmoid/tanh units, dead relus           θ₀ / run
overfit_small       training   a model or pipeline that cannot learn 20 examples  training
loss_trend          training   η too high (divergence) or too low (plateau)       short run
update_ratio        training   steps far from ~1e-3 of the weights                short run
overfitting         training   a large train/validation gap                       short run
underfitting        training   low scores on training and validation data         short run
==================  =========  =================================================  =========

:func:`diagnose_run` runs the same checks on a trained estimator, from its own history
and weights (what ``mlplab train --diagnose`` puts in the run's report).
:func:`run_findings` is its core, the findings a run's own record supports without any
training: from θ₀, the history and the network now (what ``mlplab playground`` shows
while a network trains).

``quick=True`` runs the checks that need no training; saturation is then measured on the
initial network, otherwise on the network after the short run. The rules and thresholds
are documented in :mod:`~mlplab.diagnostics.data_checks`,
:mod:`~mlplab.diagnostics.model_checks` and :mod:`~mlplab.diagnostics.training_checks`;
each check is also a function that can be called on its own.
"""

from __future__ import annotations

from ._result import CHECKS, FAIL, PASS, SKIP, STATUSES, WARN, Diagnosis, Finding
from ._run import diagnose, diagnose_run, run_findings
from .data_checks import check_class_balance, check_feature_scale, check_finite, check_leakage
from .fit_checks import check_fit
from .model_checks import (
    check_gradient,
    check_initial_loss,
    check_regularization,
    check_saturation,
    check_symmetry,
)
from .render import diagnosis_to_html, render_rich
from .training_checks import check_loss_trend, check_overfit_small, check_update_ratios

__all__ = [
    "CHECKS",
    "FAIL",
    "PASS",
    "SKIP",
    "STATUSES",
    "WARN",
    "Diagnosis",
    "Finding",
    "check_class_balance",
    "check_feature_scale",
    "check_finite",
    "check_fit",
    "check_gradient",
    "check_initial_loss",
    "check_leakage",
    "check_loss_trend",
    "check_overfit_small",
    "check_regularization",
    "check_saturation",
    "check_symmetry",
    "check_update_ratios",
    "diagnose",
    "diagnose_run",
    "diagnosis_to_html",
    "render_rich",
    "run_findings",
]
