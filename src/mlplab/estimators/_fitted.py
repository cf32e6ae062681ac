"""An estimator's fitted state: whether it is fitted, forgetting a fit, the fitted attributes.

scikit-learn marks fitted state with a trailing "_"; the attributes set here are read from
the trainer (its network and history) after every ``fit`` and ``partial_fit``.
"""

from __future__ import annotations

import math
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from ..losses import SKLEARN_NAMES
from ..solvers import EPOCH_SOLVERS
from ._errors import NotFittedError

__all__ = ["FittedMixin"]

#: Fitted state that does not end in "_" (scikit-learn's marker) but belongs to a fit.
_PRIVATE_FITTED = ("_trainer", "_label_binarizer", "_callbacks", "_stopping")


class FittedMixin:
    """Fitted-state bookkeeping shared by the classifier and the regressor."""

    def __sklearn_is_fitted__(self) -> bool:
        return "network_" in self.__dict__ or "estimators_" in self.__dict__

    def _check_fitted(self) -> None:
        """Raise :class:`NotFittedError` (scikit-learn's wording) unless fitted."""
        try:
            check_is_fitted(self)
        except _SklearnNotFittedError as error:
            raise NotFittedError(str(error)) from None

    def _reset_fitted(self) -> None:
        """Forget everything a previous fit left (a new fit starts from nothing)."""
        for name in list(vars(self)):
            if (name.endswith("_") and not name.startswith("__")) or name in _PRIVATE_FITTED:
                delattr(self, name)

    def _set_fitted_attributes(self, trainer, n_outputs, early_stopping, n_iter) -> None:
        """scikit-learn's fitted attributes, read from the network and the history."""
        history = trainer.history
        network = trainer.net
        self.history_ = history
        self.n_iter_ = int(n_iter)
        self.t_ = int(trainer.examples_seen)
        self.n_outputs_ = int(n_outputs)
        self.n_layers_ = network.n_layers
        self.out_activation_ = SKLEARN_NAMES[network.output]
        self.n_networks_ = 1
        self.stop_reason_ = trainer.stop_reason
        self.callbacks_ = list(self._callbacks)
        self.loss_curve_ = [float(v) for v in history["train_loss"]] if history.n_epochs else []
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else math.nan
        self.best_loss_ = None if early_stopping else min(self.loss_curve_, default=math.nan)
        column = f"val_{trainer.score_name}"
        if trainer.has_validation:
            scores = [float(v) for v in history[column]] if column in history else []
            finite = [v for v in scores if math.isfinite(v)]
            self.best_validation_score_ = max(finite) if finite else None
            if trainer.stop_reason == "diverged":
                # The epoch that diverged has no weights left to score (they were rolled
                # back); like scikit-learn, its validation score is recorded as nan.
                scores.append(math.nan)
            self.validation_scores_ = scores
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _warn_not_converged(self, trainer) -> None:
        """scikit-learn's ConvergenceWarning when max_iter ran out before the stopping rule."""
        if self.solver in EPOCH_SOLVERS:
            message = (
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet."
            )
        else:
            result = getattr(trainer, "scipy_result", None)
            reason = f" ({result.message})" if result is not None else ""
            message = (
                f"{self.solver} failed to converge after {self.n_iter_} iterations{reason}. "
                "Increase the number of iterations (max_iter) or scale the data."
            )
        warnings.warn(message, ConvergenceWarning, stacklevel=4)  # the caller of fit
