"""MLPClassifier: scikit-learn's MLPClassifier interface over an mlplab network."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn import config_context
from sklearn.base import ClassifierMixin, clone
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import (
    check_array,
    column_or_1d,
    validate_data,
)

from ..names import explain_unknown_keywords
from ._base import SPARSE_FORMATS, BaseMLP
from ._labels import LabelsMixin, label_binarizer
from .strategies import STRATEGIES, multiclass_wrapper

__all__ = ["MLPClassifier"]


def _probabilities_available(estimator) -> bool:
    """predict_proba exists unless the classes are decided by one-vs-one votes."""
    if estimator.multiclass == "ovo":
        raise AttributeError(
            "predict_proba is not available with multiclass='ovo': one-vs-one decides by "
            "votes, which are not probabilities; use multiclass='native' or 'ovr'"
        )
    return True


class MLPClassifier(ClassifierMixin, LabelsMixin, BaseMLP):
    """Multi-layer perceptron classifier trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the same
    parameters, defaults, methods and fitted attributes, plus a few extras (listed
    last). The network is :class:`mlplab.Network` and training runs in
    :class:`mlplab.training.Trainer`, so ``history_`` records every epoch.

    The output layer is chosen like scikit-learn's: one sigmoid unit for two classes,
    K softmax units for K > 2 classes (or K sigmoid units, the lecture's network, with
    ``output="sigmoid"``), and one sigmoid unit per label for a multi-label indicator
    matrix y.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Units of each hidden layer, u_2, ..., u_{L-1}; ``()`` gives no hidden layer.
    activation : {"relu", "logistic", "sigmoid", "tanh", "identity"}, default="relu"
        f of the hidden units; "logistic" and "sigmoid" are the same function.
    solver : {"adam", "sgd", "gd", "lbfgs", "cg"}, default="adam"
        "gd" is the slides' full-batch gradient descent; "lbfgs" and "cg" use scipy.
    alpha : float, default=1e-4
        λ, the L2 strength of the cost's λ/(2m) Σ θ² term (bias column excluded).
    batch_size : int or "auto", default="auto"
        Mini-batch size of "sgd" and "adam"; "auto" is min(200, m).
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of η for "sgd".
    learning_rate_init : float, default=1e-3
        η₀.
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Epochs for the epoch solvers, iterations for "lbfgs"/"cg".
    shuffle : bool, default=True
        Shuffle the examples every epoch.
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seeds the initialization, the validation split and the batch order.
    tol : float, default=1e-4
        Smallest improvement that counts for the stopping rule.
    verbose : bool, int or "progress", default=False
        True (or >= 1): print scikit-learn's ``Iteration N, loss = ...`` line per epoch
        on stdout (and ``Validation score: ...`` with early stopping). >= 2: also a
        progress bar on stderr. "progress": the progress bar only.
    warm_start : bool, default=False
        Continue from the previous fit's weights, as scikit-learn does: each ``fit``
        starts a fresh optimizer, and the stopping rule carries its best loss (or
        validation score and weights) and its no-improvement count over.
    momentum : float, default=0.9
        μ of "sgd".
    nesterovs_momentum : bool, default=True
        Nesterov's momentum for "sgd".
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified) and stop when
        its accuracy has not improved by ``tol`` for more than ``n_iter_no_change``
        epochs; the best epoch's weights are kept. Epoch solvers only.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's decay rates and ε.
    n_iter_no_change : int or np.inf, default=10
        Patience of the stopping rule; ``np.inf`` switches it off.
    max_fun : int, default=15000
        Most function evaluations for "lbfgs".
    output : {"softmax", "sigmoid"}, default="softmax"
        Output layer for K > 2 classes: softmax with categorical cross-entropy, or the
        lecture's K sigmoid units with the summed binary cross-entropy ("essentially
        one-vs-all"); their probabilities are normalized to sum to one, as one-vs-rest's
        are. Two classes and multi-label targets always use sigmoid units.
    multiclass : {"native", "ovr", "ovo"}, default="native"
        "native": one network with K outputs. "ovr": K binary networks, one class
        against the rest, the most confident wins
        (:class:`sklearn.multiclass.OneVsRestClassifier`). "ovo": K(K−1)/2 binary
        networks, one per pair of classes, by votes
        (:class:`sklearn.multiclass.OneVsOneClassifier`; no ``predict_proba``).
        Applies to K > 2 classes ("ovr" also to multi-label targets); warm starts,
        ``partial_fit``, validation data and checkpoints need "native".
    dtype : {None, numpy.float64, numpy.float32}, default=None
        Type of the parameters and of every computation. None follows X as scikit-learn
        does: float32 X trains (and predicts) in float32, any other X in float64.
    initializer : {"glorot", "uniform", "he", "zeros"}, default="glorot"
        How θ is drawn (:mod:`mlplab.initializers`); "glorot" draws as scikit-learn does.
    init_epsilon : float, optional
        ε of the "uniform" initializer, θ ~ U[−ε, ε] (ignored by the others).
    callbacks : list of mlplab.Callback, optional
        Called by the trainer; each fit works on deep copies (see ``callbacks_``).
    checkpoint_dir : str or path, optional
        Write a resumable checkpoint there every ``checkpoint_every`` epochs.
    checkpoint_every : int, default=1
    early_stopping_monitor : {"score", "loss"}, default="score"
        What early stopping watches on the validation part: scikit-learn's score
        (accuracy; R² for the regressor), or the validation loss, which moves smoothly
        where the score moves in one-example steps (a small validation part).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X was a DataFrame with string column names.
    coefs_ : list of ndarray of shape (u_l, u_{l+1})
        W⁽ˡ⁾ᵀ = θ⁽ˡ⁾[:, 1:].T, writable views of ``network_.theta``.
    intercepts_ : list of ndarray of shape (u_{l+1},)
        The bias column θ⁽ˡ⁾[:, 0], writable views.
    n_iter_ : int
        Epochs (iterations) run by the last ``fit``.
    loss_ : float
        Training cost J of the last epoch.
    loss_curve_ : list of float
        J per epoch, over all fits of a warm-started model.
    best_loss_ : float or None
        Lowest J; None with early stopping (as in scikit-learn).
    validation_scores_ : list of float or None
        Validation accuracy per epoch, when there was validation data; an epoch that
        diverged (and was rolled back) adds nan, as in scikit-learn.
    best_validation_score_ : float or None
    t_ : int
        Training examples seen by the solver.
    n_layers_ : int
        L, counting input and output layers.
    n_outputs_ : int
    out_activation_ : {"logistic", "softmax"}
    history_ : mlplab.History
        Every per-epoch figure of the training (losses, accuracies, η, ‖D‖, ...).
    network_ : mlplab.Network
        The trained network.
    stop_reason_ : str
        Why training stopped: "max_iter", "no_improvement", "converged", "diverged", ...
    n_networks_ : int
        Networks trained: 1, K ("ovr") or K(K−1)/2 ("ovo").
    estimators_ : list of MLPClassifier
        The binary networks of "ovr"/"ovo" (then coefs_ and the training curves live on
        each of them).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from mlplab import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(10,), solver="lbfgs", random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "output": [StrOptions({"softmax", "sigmoid", "logistic"})],
        "multiclass": [StrOptions(set(STRATEGIES))],
    }

    @explain_unknown_keywords("estimator")
    def __init__(
        self,
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
        output="softmax",
        multiclass="native",
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
        self.output = output
        self.multiclass = multiclass

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None, *, validation_data=None, resume_from=None):
        """Train the network on X of shape (m, n) and labels y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any hashable type), or a 0/1 indicator matrix for multi-label.
        sample_weight : array-like of shape (n_samples,), optional
            Example weights (>= 0, not all zero), weighted as scikit-learn weights its
            MLP: each batch's cost is Σ wᵢ·lossᵢ/Σw + λ/(2Σw) Σ W² (Σw of the batch in
            place of m). With ``early_stopping`` the held-out examples keep their weights
            and the validation score is weighted. With ``multiclass="ovr"``/``"ovo"``
            each binary network gets the weights of its examples.
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch (``history_``, ``validation_scores_``); with
            ``early_stopping=True`` it replaces the held-out ``validation_fraction``.
        resume_from : str or path, optional
            A checkpoint file or folder written with ``checkpoint_dir``: training
            continues from it exactly (same data and parameters required).

        Returns
        -------
        self : MLPClassifier
        """
        self._validate_params()
        if self.multiclass != "native" and y is not None:
            # y is checked as fit checks it (finite, array-like) before its type is read
            target = type_of_target(check_array(y, ensure_2d=False, dtype=None, input_name="y"))
            if target in ("multiclass", "multilabel-indicator"):
                return self._fit_strategy(X, y, target, validation_data, resume_from, sample_weight)
        return self._fit(
            X,
            y,
            validation_data=validation_data,
            resume_from=resume_from,
            sample_weight=sample_weight,
        )

    @available_if(lambda estimator: estimator._check_solver() and estimator._check_native())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train one more epoch on (X, y) (``sgd``, ``adam`` and ``gd`` only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), optional
            Example weights, as in :meth:`fit`.
        classes : array-like of shape (n_classes,), optional
            Every class of the whole problem; required on the first call.

        Returns
        -------
        self : MLPClassifier
        """
        return self._fit(X, y, incremental=True, classes=classes, sample_weight=sample_weight)

    def _check_native(self) -> bool:
        """True for one network; else the AttributeError of partial_fit."""
        if self.multiclass != "native":
            raise AttributeError(
                f"partial_fit needs multiclass='native', got multiclass={self.multiclass!r}"
            )
        return True

    def _fit_strategy(self, X, y, target, validation_data, resume_from, sample_weight):
        """Fit one-vs-rest or one-vs-one binary networks through scikit-learn's wrappers."""
        unsupported = {
            "warm_start": self.warm_start,
            "checkpoint_dir": self.checkpoint_dir is not None,
            "validation_data": validation_data is not None,
            "resume_from": resume_from is not None,
        }
        for name, used in unsupported.items():
            if used:
                raise ValueError(
                    f"{name} works with multiclass='native' only, got "
                    f"multiclass={self.multiclass!r}"
                )
        if target == "multilabel-indicator" and self.multiclass == "ovo":
            raise ValueError(
                "multiclass='ovo' needs one label per example; for a multi-label "
                "indicator y use multiclass='native' or 'ovr'"
            )
        self._reset_fitted()
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            accept_sparse=SPARSE_FORMATS,
            dtype=(np.float64, np.float32),
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        binary = clone(self).set_params(multiclass="native")
        wrapper = multiclass_wrapper(self.multiclass, binary)
        if sample_weight is None:
            wrapper.fit(X, y)
        else:  # scikit-learn's wrappers pass weights on by metadata routing only
            with config_context(enable_metadata_routing=True):
                binary.set_fit_request(sample_weight=True)
                wrapper.fit(X, y, sample_weight=sample_weight)
        self.multiclass_estimator_ = wrapper
        self.estimators_ = list(wrapper.estimators_)
        self.classes_ = wrapper.classes_
        self.n_networks_ = len(self.estimators_)
        self.n_iter_ = max((getattr(e, "n_iter_", 0) for e in self.estimators_), default=0)
        return self

    # ------------------------------------------------------------------ state
    is_classifier_state = True

    def _encoding_state(self) -> dict:
        """Classes and target type; for "ovr"/"ovo" the binary estimators' states."""
        if "multiclass_estimator_" not in vars(self):
            return {"classes": self.classes_, "target_type": str(self._label_binarizer.y_type_)}
        wrapper = self.multiclass_estimator_
        if isinstance(wrapper, OneVsRestClassifier):
            strategy, target_type = "ovr", str(wrapper.label_binarizer_.y_type_)
        else:
            strategy, target_type = "ovo", "multiclass"
        for position, sub in enumerate(wrapper.estimators_):
            if not isinstance(sub, MLPClassifier):
                label = np.asarray(self.classes_).tolist()[position]
                raise ValueError(
                    f"label {label!r} has the same value in every training example, so "
                    f"multiclass={strategy!r} kept a constant instead of a network for it; "
                    "drop that label from y or use multiclass='native'"
                )
        return {
            "classes": self.classes_,
            "target_type": target_type,
            "multiclass": {
                "strategy": strategy,
                "estimators": [sub.get_state() for sub in wrapper.estimators_],
            },
            "training": {"n_iter_": int(self.n_iter_)},
        }

    def _restore_encoding(self, state: dict) -> None:
        """classes_ and the label binarizer (one network) or the strategy's wrapper."""
        classes, target_type = state["classes"], state["target_type"]
        self.classes_ = classes
        if "multiclass" not in state:
            self._label_binarizer = label_binarizer(classes, target_type)
            return
        section = state["multiclass"]
        subs = [MLPClassifier.from_state(sub) for sub in section["estimators"]]
        wrapper = multiclass_wrapper(
            section["strategy"], clone(self).set_params(multiclass="native")
        )
        if section["strategy"] == "ovr":
            wrapper.label_binarizer_ = label_binarizer(classes, target_type, sparse_output=True)
            wrapper.classes_ = wrapper.label_binarizer_.classes_
            wrapper.estimators_ = subs
        else:
            wrapper.classes_ = classes
            wrapper.estimators_ = tuple(subs)
            wrapper.pairwise_indices_ = None
        wrapper.n_features_in_ = self.n_features_in_
        self.multiclass_estimator_ = wrapper
        self.estimators_ = subs
        self.n_networks_ = len(subs)
        self.n_iter_ = int(state["training"]["n_iter_"])

    # ------------------------------------------------------------------ prediction
    def predict(self, X):
        """Predicted labels, shape (n_samples,) (or (n_samples, n_labels) for multi-label)."""
        self._check_fitted()
        if "multiclass_estimator_" in self.__dict__:
            predicted = self.multiclass_estimator_.predict(self._check_X(X))
            return predicted.toarray() if hasattr(predicted, "toarray") else predicted
        output = self._forward(X)
        if self.n_outputs_ == 1:
            output = output.ravel()
        return self._label_binarizer.inverse_transform(output)

    @available_if(_probabilities_available)
    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns as ``classes_``.

        Two classes: the sigmoid output p gives the columns (1 − p, p). Multi-label: one
        independent probability per label.
        """
        self._check_fitted()
        if "multiclass_estimator_" in self.__dict__:
            return self.multiclass_estimator_.predict_proba(self._check_X(X))
        output = self._forward(X)
        if self.n_outputs_ == 1:
            p = output.ravel()
            return np.vstack([1 - p, p]).T
        if self.out_activation_ == "logistic" and self._label_binarizer.y_type_ == "multiclass":
            # K independent sigmoid units do not sum to one; normalize as one-vs-rest does.
            totals = output.sum(axis=1, keepdims=True)
            np.divide(output, totals, out=output, where=totals > 0)
            output[totals[:, 0] == 0] = 1.0 / output.shape[1]
        return output

    @available_if(_probabilities_available)
    def predict_log_proba(self, X):
        """log of :meth:`predict_proba` (−inf where a probability underflowed to 0)."""
        probabilities = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(probabilities, out=probabilities)

    def _check_X(self, X):
        """X validated against the fit (feature count and names)."""
        return validate_data(
            self, X, reset=False, accept_sparse=SPARSE_FORMATS, dtype=(np.float64, np.float32)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # one-vs-one pairs classes, so it needs one label per example
        tags.classifier_tags.multi_label = self.multiclass != "ovo"
        return tags
