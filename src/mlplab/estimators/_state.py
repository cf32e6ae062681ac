"""A fitted estimator's state as data (``get_state``) and back (``from_state``).

This is what a model file keeps (:mod:`mlplab.persistence` turns it into JSON and
tensors, and validates it before calling :meth:`StateMixin.from_state`), and what ONNX
export reads. The state of a one-network estimator::

    {"params": get_params(deep=False),
     "n_features_in": int, "feature_names": list of str or None,
     "network": Network, "history": History,
     "training": {name: value for name in TRAINING_SUMMARY},
     # classifiers also:
     "classes": ndarray, "target_type": "binary" | "multiclass" | "multilabel-indicator"}

A one-vs-rest / one-vs-one classifier has, instead of network, history and training,
``"multiclass": {"strategy": "ovr" | "ovo", "estimators": [state of each binary
estimator]}`` and ``"training": {"n_iter_": int}``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..losses import SKLEARN_NAMES
from ..training import Trainer, TrainerState
from ._errors import NotFittedError

__all__ = ["TRAINING_SUMMARY", "StateMixin"]

#: The training summary of a one-network estimator: fitted attribute -> JSON kind
#: ("int", "float", "floats" = list of floats, "str"; "?" = may be None).
TRAINING_SUMMARY = {
    "n_iter_": "int",
    "t_": "int",
    "loss_": "float",
    "loss_curve_": "floats",
    "best_loss_": "float?",
    "validation_scores_": "floats?",
    "best_validation_score_": "float?",
    "stop_reason_": "str?",
}


class StateMixin:
    """``get_state``/``from_state``/``check_params`` of the estimators."""

    #: Whether the state has classes and a target type.
    is_classifier_state: ClassVar[bool] = False
    TRAINING_SUMMARY: ClassVar[dict[str, str]] = TRAINING_SUMMARY

    def check_params(self) -> None:
        """Validate the parameters as ``fit`` does (scikit-learn's constraints, then mlplab's).

        Raises
        ------
        ValueError
            Naming the parameter and the valid values.
        """
        self._validate_params()
        self._training_config()

    def get_state(self) -> dict:
        """The fitted state: parameters, encoding, network(s) and training summary.

        See :mod:`mlplab.estimators._state` for the layout. Networks and the history are
        the estimator's own objects, not copies.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValueError
            A one-vs-rest model that kept a constant instead of a network for a label.
        """
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet, so it has no state "
                "to save or export; call 'fit' first."
            )
        state = {
            "params": self.get_params(deep=False),
            "n_features_in": int(self.n_features_in_),
            "feature_names": (
                [str(name) for name in self.feature_names_in_]
                if "feature_names_in_" in vars(self)
                else None
            ),
        }
        state.update(self._encoding_state())
        if "network_" in vars(self):
            state["network"] = self.network_
            state["history"] = self.history_
            state["training"] = {name: getattr(self, name, None) for name in TRAINING_SUMMARY}
        return state

    @classmethod
    def from_state(cls, state: dict):
        """A fitted estimator from a :meth:`get_state` dict.

        It predicts exactly as the estimator whose state it is, and can train further
        (``warm_start``, ``partial_fit``) from its weights with a fresh optimizer state.
        """
        estimator = cls(**state["params"])
        estimator.n_features_in_ = int(state["n_features_in"])
        if state["feature_names"] is not None:
            estimator.feature_names_in_ = np.asarray(state["feature_names"], dtype=object)
        estimator._restore_encoding(state)
        if "network" in state:
            estimator._restore_network(state)
        return estimator

    def _encoding_state(self) -> dict:
        """The target encoding's part of the state (none for a regressor)."""
        return {}

    def _restore_encoding(self, state: dict) -> None:
        """Set the fitted encoding from the state (nothing for a regressor)."""

    def _restore_network(self, state: dict) -> None:
        """Fitted attributes and a trainer around the state's network, as ``fit`` leaves them."""
        network, history = state["network"], state["history"]
        self.network_ = network
        self.history_ = history
        self.n_outputs_ = network.layer_sizes[-1]
        self.n_layers_ = network.n_layers
        self.out_activation_ = SKLEARN_NAMES[network.output]
        self.n_networks_ = 1
        for name, value in state["training"].items():
            setattr(self, name, value)
        self.callbacks_ = []
        self._callbacks = []
        trainer = Trainer(
            network, self._training_config(), task=self._task(), random_state=self.random_state
        )
        trainer.set_state(
            TrainerState(
                epoch=history.n_epochs,
                examples_seen=int(state["training"]["t_"]),
                history=history,
                stop_reason=state["training"]["stop_reason_"],
            )
        )
        self._trainer = trainer
