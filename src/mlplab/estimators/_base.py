"""What the classifier and the regressor share: parameters, the network, the training run.

A scikit-learn estimator here is a thin shell around the library's own pieces:

- the **parameters** are scikit-learn's MLP names and defaults, stored unchanged by
  ``__init__`` and validated by ``fit`` (scikit-learn's parameter constraints first, then
  :class:`~mlplab.training.TrainingConfig`);
- ``fit`` validates X and y with scikit-learn's own tools (so errors read as they do in
  scikit-learn), builds a :class:`~mlplab.network.Network` of layer sizes
  ``[n_features, *hidden_layer_sizes, n_outputs]``, and hands it to a
  :class:`~mlplab.training.Trainer` with an :class:`~mlplab.EarlyStopping`
  callback that implements scikit-learn's stopping rule;
- the fitted attributes are read back from the network and the training history.

``coefs_[l]`` and ``intercepts_[l]`` are views of the network's one parameter buffer:
``coefs_[l]`` is W⁽ˡ⁾ᵀ = θ⁽ˡ⁾[:, 1:].T of shape (u_l, u_{l+1}) (scikit-learn's layout,
inputs as rows) and ``intercepts_[l]`` is the bias column θ⁽ˡ⁾[:, 0]. Assigning to them
copies into the buffer, so ``mine.coefs_ = theirs.coefs_`` moves weights between models,
and ``mine.coefs_[l] = W`` sets one layer (scikit-learn's idioms).

Data types follow scikit-learn: with ``dtype=None`` (the default) float32 X trains and
predicts in float32 and any other X in float64; ``dtype=`` forces one.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._rng import as_generator
from ..activations import resolve_activation
from ..initializers import INITIALIZERS
from ..network import Network, resolve_dtype
from ..solvers import EPOCH_SOLVERS
from ..training import Trainer, TrainingConfig
from ..training.callbacks import EarlyStopping
from ..training.checkpoint import Checkpoint
from ._errors import NotFittedError
from ._fitted import FittedMixin
from ._params import PARAMETER_CONSTRAINTS, ParamsMixin
from ._split import hold_out
from ._state import StateMixin
from ._verbose import IterationLog
from ._weights import WeightsMixin

__all__ = ["NotFittedError", "TrainingSetup"]

#: Sparse formats X may come in (scikit-learn's); training gathers batch rows from CSR.
SPARSE_FORMATS = ("csr", "csc")

#: The callback protocol's hooks (all optional; a callback has at least one).
_HOOKS = ("on_train_begin", "on_epoch_end", "on_train_end")


@dataclasses.dataclass
class TrainingSetup:
    """What ``fit`` trains: the network as initialized, the configuration and the data.

    Returned by :meth:`MLPClassifier.build_training` / :meth:`MLPRegressor.build_training`.

    Attributes
    ----------
    network : Network
        Layer sizes [n_features, *hidden_layer_sizes, n_outputs], the output layer of the
        task, θ drawn from ``random_state`` as ``fit`` draws it.
    config : TrainingConfig
        The training hyperparameters.
    task : {"binary", "multiclass", "multilabel", "regression"}
    X : ndarray of shape (m, n_features)
        The training inputs (without the held-out rows).
    Y : ndarray of shape (m, n_outputs)
        The network's targets: one 0/1 column (binary), one-hot rows (multiclass),
        the indicator matrix (multilabel) or the regression targets.
    validation : (X_val, Y_val) or (X_val, Y_val, w_val) or None
        Validation inputs and targets, encoded like X and Y (with the held-out examples'
        weights when the fit was weighted).
    random_state : numpy.random.Generator
        The generator that drew θ, where ``fit`` continues with it (the batch order).
    sample_weight : ndarray of shape (m,) or None
        The training examples' weights, if ``fit`` was given any.
    """

    network: Network
    config: TrainingConfig
    task: str
    X: np.ndarray
    Y: np.ndarray
    validation: tuple | None
    random_state: np.random.Generator
    sample_weight: np.ndarray | None = None


class BaseMLP(ParamsMixin, WeightsMixin, FittedMixin, StateMixin, BaseEstimator):
    """Common parameters and machinery of :class:`MLPClassifier` and :class:`MLPRegressor`.

    Not meant to be used directly. Subclasses provide the target encoding
    (``_encode_targets``, ``_encode_validation``), the output layer (``_output_name``),
    the trainer's task (``_task``) and the labels to stratify a validation split on.
    """

    _parameter_constraints: ClassVar[dict] = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        *,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        dtype,
        initializer,
        init_epsilon,
        callbacks,
        checkpoint_dir,
        checkpoint_every,
        early_stopping_monitor="score",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype
        self.initializer = initializer
        self.init_epsilon = init_epsilon
        self.callbacks = callbacks
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.early_stopping_monitor = early_stopping_monitor

    # ------------------------------------------------------------------ the network
    def _training_dtype(self, X) -> np.dtype:
        """The dtype to train in: ``dtype`` if given, else float32 for float32 X, else float64.

        X has been through ``validate_data(dtype=(np.float64, np.float32))``, which keeps
        float32 and float64 and turns anything else into float64.
        """
        if self.dtype is not None:
            return resolve_dtype(self.dtype)
        return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)

    def _build_network(self, n_features: int, n_outputs: int, rng, dtype) -> Network:
        """A network [n_features, *hidden, n_outputs] initialized by ``initializer``.

        Every layer, the output layer included, draws with the gain of the *hidden*
        activation; that is scikit-learn's rule for its Glorot initialization, so
        ``initializer="glorot"`` starts from the distribution scikit-learn starts from.
        """
        network = Network(
            [n_features, *self._hidden_sizes(), n_outputs],
            activation=self.activation,
            output=self._output_name(n_outputs),
            initializer="zeros",  # filled below with the rule described above
            dtype=dtype,
        )
        fill = INITIALIZERS[self.initializer]
        for theta in network.thetas:
            fill(theta, rng, init_epsilon=self.init_epsilon, activation=network.activation)
        return network

    def _architecture_matches(self, n_features: int, n_outputs: int) -> None:
        """Refuse to continue training a network whose shape the parameters no longer give."""
        network = self.network_
        wanted = (n_features, *self._hidden_sizes(), n_outputs)
        now = {
            "layer sizes": (network.layer_sizes, wanted),
            "activation": (network.activation, resolve_activation(self.activation)),
        }
        if self.dtype is not None:  # with dtype=None the network keeps the dtype it has
            now["dtype"] = (network.dtype, resolve_dtype(self.dtype))
        for what, (have, want) in now.items():
            if have != want:
                raise ValueError(
                    f"cannot continue training (warm_start/partial_fit): the network has "
                    f"{what} {have}, the parameters and data ask for {want}; set "
                    "warm_start=False to start a new network"
                )

    # ------------------------------------------------------------------ training
    def build_training(
        self, X, y, *, validation_data=None, validation_fraction=None
    ) -> TrainingSetup:
        """What ``fit`` trains on (X, y): the network as ``fit`` initializes it, and the data.

        This is the one place where the parameters and the data become a network: the
        task and the output layer (from the targets), the label encoding, the initial θ
        (drawn from ``random_state`` exactly as ``fit`` draws it) and the validation
        split. ``fit`` calls it; so do :func:`mlplab.diagnose` and ``mlplab doctor``, so
        that they check the network ``fit`` trains. Like ``fit`` it forgets a previous fit
        and learns the encoding (``classes_``, ``n_features_in_``); call it on a
        :func:`sklearn.base.clone` to leave an estimator as it is. ``multiclass="ovr"`` and
        ``"ovo"`` train several binary networks; this builds the one native network.

        Parameters
        ----------
        X : array-like of shape (m, n_features)
        y : array-like of shape (m,) or (m, n_targets)
        validation_data : (X_val, y_val), optional
            Encoded as ``fit`` encodes it.
        validation_fraction : float, optional
            Hold out this share of (X, y) (stratified as ``fit`` stratifies). By default
            the split of ``fit``: ``self.validation_fraction`` with ``early_stopping``,
            none without.

        Returns
        -------
        TrainingSetup
        """
        self._validate_params()
        self._hidden_sizes()
        self._reset_fitted()
        if validation_fraction is None and self.early_stopping and self.solver in EPOCH_SOLVERS:
            validation_fraction = self.validation_fraction
        return self._setup(
            X,
            y,
            first_pass=True,
            validation_data=validation_data,
            validation_fraction=validation_fraction,
        )

    def _setup(
        self,
        X,
        y,
        *,
        first_pass,
        incremental=False,
        classes=None,
        validation_data=None,
        validation_fraction=None,
        sample_weight=None,
    ) -> TrainingSetup:
        """Encode (X, y), draw θ on a first pass (else reuse ``network_``), split validation."""
        X, Y = self._encode_targets(
            X, y, first_pass=first_pass, incremental=incremental, classes=classes
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        rng = as_generator(self.random_state)
        # Drawn first, so that every fit with an int random_state holds out the same
        # validation examples (a warm-started fit must not validate on what it trained on).
        split_seed = int(rng.integers(np.iinfo(np.int32).max))
        if first_pass:
            network = self._build_network(X.shape[1], Y.shape[1], rng, self._training_dtype(X))
        else:
            self._architecture_matches(X.shape[1], Y.shape[1])
            network = self.network_
        validation = None
        if validation_data is not None:
            validation = self._encode_validation(validation_data)
        elif validation_fraction is not None:
            X, Y, sample_weight, validation = hold_out(
                X,
                Y,
                seed=split_seed,
                fraction=validation_fraction,
                stratify=self._stratify_labels(Y),
                sample_weight=sample_weight,
            )
        return TrainingSetup(
            network=network,
            config=self._training_config(),
            task=self._task(),
            X=X,
            Y=Y,
            validation=validation,
            random_state=rng,
            sample_weight=sample_weight,
        )

    def _fit(
        self,
        X,
        y,
        *,
        incremental=False,
        classes=None,
        validation_data=None,
        resume_from=None,
        sample_weight=None,
    ):
        """Validate, (re)build or reuse the network, train it, and set the fitted attributes."""
        self._validate_params()
        self._check_epsilon_meaning()
        config = self._training_config()
        if self.dtype is not None:
            resolve_dtype(self.dtype)
        self._hidden_sizes()
        for callback in self.callbacks or ():
            if not any(callable(getattr(callback, hook, None)) for hook in _HOOKS):
                raise ValueError(
                    "callbacks must be objects with on_train_begin/on_epoch_end/"
                    f"on_train_end methods (mlplab.Callback), got {type(callback).__name__}"
                )
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = (
            resume_from is not None
            or "network_" not in self.__dict__
            or (not self.warm_start and not incremental)
        )
        if first_pass:
            self._reset_fitted()
        epoch_solver = config.solver in EPOCH_SOLVERS
        early_stopping = self.early_stopping and epoch_solver and not incremental
        setup = self._setup(
            X,
            y,
            first_pass=first_pass,
            incremental=incremental,
            classes=classes,
            validation_data=validation_data,
            validation_fraction=self.validation_fraction if early_stopping else None,
            sample_weight=sample_weight,
        )
        X, Y, validation = setup.X, setup.Y, setup.validation
        n_outputs = Y.shape[1]
        # the progress bar on stderr; scikit-learn's lines on stdout come from IterationLog
        progress = 2 if self.verbose == "progress" or self.verbose >= 2 else 0
        if first_pass:
            trainer = Trainer(
                setup.network,
                config,
                task=setup.task,
                random_state=setup.random_state,
                verbose=progress,
            )
            self.network_ = setup.network
            self._trainer = trainer
            self._callbacks = [copy.deepcopy(c) for c in self.callbacks or ()]
        else:
            trainer = self._trainer
            trainer.verbose = progress
            if not incremental or (
                dataclasses.replace(trainer.config, max_iter=config.max_iter) != config
            ):
                # scikit-learn's rule: every fit starts a fresh optimizer (and partial_fit
                # keeps its own unless the hyperparameters changed); the weights, the
                # stopping rule's best figure and its no-improvement count carry over.
                trainer.optimizer = None
            trainer.config = config

        if (
            config.solver in ("sgd", "adam")
            and self.batch_size != "auto"
            and self.batch_size > X.shape[0]
        ):
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going "
                "to be clipped",
                stacklevel=3,
            )

        callbacks = list(self._callbacks)
        watches_validation = early_stopping and validation is not None
        if self.verbose is True or (self.verbose != "progress" and self.verbose >= 1):
            score = f"val_{trainer.score_name}" if watches_validation else None
            callbacks.append(IterationLog(score, float(self.tol), self._patience()))
        if epoch_solver and not incremental:
            callbacks.append(self._stopping_rule(watches_validation))
        if self.checkpoint_dir is not None:
            callbacks.append(Checkpoint(self.checkpoint_dir, every=int(self.checkpoint_every)))
        trainer.callbacks = callbacks
        trainer.loss_divisor = self._loss_divisor(n_outputs)

        epochs_before = trainer.epoch
        if incremental:
            epochs = 1
        elif first_pass:
            epochs = None  # up to max_iter epochs in all (a resumed run counts its past)
        else:
            epochs = config.max_iter
        trainer.fit(
            X,
            Y,
            validation_data=validation,
            epochs=epochs,
            resume_from=resume_from,
            sample_weight=setup.sample_weight,
        )
        self._set_fitted_attributes(
            trainer, n_outputs, early_stopping, trainer.epoch - epochs_before
        )
        if not incremental and trainer.stop_reason == "max_iter":
            self._warn_not_converged(trainer)
        return self

    def _loss_divisor(self, n_outputs: int) -> int:
        """What the reported data loss is divided by (1: summed over outputs, as J is)."""
        return 1

    def _stopping_rule(self, on_validation: bool) -> EarlyStopping:
        """scikit-learn's rule: more than n_iter_no_change epochs without a tol improvement.

        With early stopping it watches the validation score (or, with
        ``early_stopping_monitor="loss"``, the validation loss) and restores the best
        weights; otherwise it watches the training loss and keeps the last weights. A
        warm-started fit continues the previous fit's rule (its best figure, best weights
        and no-improvement count), as scikit-learn carries ``best_loss_`` and its count.
        """
        monitor = "train_loss"
        if on_validation:
            monitor = "val_loss" if self.early_stopping_monitor == "loss" else "val_score"
        rule = self.__dict__.get("_stopping")
        if rule is None or rule.monitor != monitor:
            rule = EarlyStopping(monitor, restore_best=on_validation)
        rule.patience = self._patience()
        rule.min_delta = float(self.tol)
        self._stopping = rule
        return rule

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR and CSC, batch rows made dense
        return tags

    # ------------------------------------------------------------------ prediction
    def _forward(self, X) -> np.ndarray:
        """h_θ(X): the output activations a⁽ᴸ⁾, shape (m, n_outputs), after validating X."""
        self._check_fitted()
        X = validate_data(
            self, X, reset=False, accept_sparse=SPARSE_FORMATS, dtype=(np.float64, np.float32)
        )
        return self.network_.forward(X)
