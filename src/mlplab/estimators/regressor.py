"""MLPRegressor: scikit-learn's MLPRegressor interface over an mlplab network."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from ..names import explain_unknown_keywords
from ._base import SPARSE_FORMATS, BaseMLP
from ._split import unpack_pair

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor: the squared error, or the Poisson deviance.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`. With the
    squared error the output layer is z⁽ᴸ⁾ itself and the network minimizes
    J = ½·mean over examples of ‖a⁽ᴸ⁾ − y‖² plus λ/(2m) Σ θ² (the lecture's J, summed over
    the K outputs: :meth:`mlplab.Network.cost`). With ``loss="poisson"`` the output is
    a⁽ᴸ⁾ = e^z (the log link) and the loss half the Poisson deviance. Both are matched
    pairs: δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y, as with the classifiers'.

    Like scikit-learn's, the *reported* squared error (``loss_``, ``loss_curve_``, the
    ``history_`` losses and what ``tol`` is compared with) is averaged over the K
    outputs, ½·mean over examples and outputs; the gradient is that of J, as in
    scikit-learn. With one output the two agree.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        "poisson" needs targets y ≥ 0 (counts or rates) and predicts e^z > 0.
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, \
learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, \
epsilon, n_iter_no_change, max_fun, dtype, initializer, init_epsilon, callbacks, \
checkpoint_dir, checkpoint_every, early_stopping_monitor
        As for :class:`mlplab.MLPClassifier`; early stopping watches the validation R²
        and the held-out split is not stratified.

    Attributes
    ----------
    n_features_in_, feature_names_in_, coefs_, intercepts_, n_iter_, loss_, loss_curve_, \
best_loss_, validation_scores_, best_validation_score_, t_, n_layers_, n_outputs_, \
history_, network_, stop_reason_, n_networks_
        As for :class:`mlplab.MLPClassifier`; validation scores are R².
    out_activation_ : {"identity", "exp"}

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab import MLPRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> y = X[:, 0] ** 2
    >>> reg = MLPRegressor(hidden_layer_sizes=(20,), activation="tanh", solver="lbfgs",
    ...                    random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.99
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    @explain_unknown_keywords("estimator")
    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=None,
        initializer="glorot",
        init_epsilon=None,
        callbacks=None,
        checkpoint_dir=None,
        checkpoint_every=1,
        early_stopping_monitor="score",
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
            initializer=initializer,
            init_epsilon=init_epsilon,
            callbacks=callbacks,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
            early_stopping_monitor=early_stopping_monitor,
        )
        self.loss = loss

    def fit(self, X, y, sample_weight=None, *, validation_data=None, resume_from=None):
        """Train the network on X of shape (m, n) and targets y of shape (m,) or (m, k).

        ``sample_weight``, ``validation_data`` and ``resume_from`` work as in
        :meth:`MLPClassifier.fit`.

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(
            X,
            y,
            validation_data=validation_data,
            resume_from=resume_from,
            sample_weight=sample_weight,
        )

    @available_if(lambda estimator: estimator._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """Train one more epoch on (X, y) (``sgd``, ``adam`` and ``gd`` only).

        ``sample_weight`` weights the examples as in :meth:`fit`.

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def predict(self, X):
        """Predicted targets: shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        output = self._forward(X)
        return output.ravel() if output.shape[1] == 1 else output

    # ------------------------------------------------------------------ targets
    def _encode_targets(self, X, y, *, first_pass, incremental, classes):
        """Validate (X, y); targets as a 2-D array Y of shape (m, n_outputs)."""
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=True,
            accept_sparse=SPARSE_FORMATS,
            dtype=(np.float64, np.float32),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._check_poisson_targets(y, "y")
        return X, y.reshape(-1, 1) if y.ndim == 1 else y

    def _check_poisson_targets(self, y, name: str) -> None:
        """With loss="poisson" the targets are counts or rates: y ≥ 0, else a ValueError."""
        if self.loss == "poisson" and y.size and y.min() < 0:
            raise ValueError(
                f"loss='poisson' needs {name} >= 0 (counts or rates), got a minimum of "
                f"{y.min():g}; use loss='squared_error' for targets that can be negative"
            )

    def _encode_validation(self, validation_data):
        """(X_val, Y_val) from the user's (X_val, y_val)."""
        X_val, y_val = unpack_pair(validation_data)
        X_val = validate_data(
            self, X_val, reset=False, accept_sparse=SPARSE_FORMATS, dtype=(np.float64, np.float32)
        )
        y_val = check_array(y_val, ensure_2d=False, dtype=(np.float64, np.float32))
        check_consistent_length(X_val, y_val)
        self._check_poisson_targets(y_val, "the validation targets")
        return X_val, y_val.reshape(-1, 1) if y_val.ndim == 1 else y_val

    def _loss_divisor(self, n_outputs: int) -> int:
        """scikit-learn reports the squared error averaged over outputs (Poisson: summed)."""
        return n_outputs if self.loss == "squared_error" else 1

    def _output_name(self, n_outputs: int) -> str:
        """e^z for the Poisson loss (the log link), else z itself."""
        return "exp" if self.loss == "poisson" else "identity"

    def _task(self) -> str:
        return "regression"

    def _stratify_labels(self, Y):
        return None
