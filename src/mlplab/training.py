"""The training loop: "gradient descent with backprop; each iteration is called an epoch".

One epoch visits every training example once, in mini-batches drawn from a seeded
permutation. For each batch the network propagates forward and back
(:meth:`Network._forward_into` / :meth:`Network._backward_into`) into preallocated
buffers, and the optimizer updates the unrolled θ in place. After the epoch the trainer
records one history row, asks the callbacks whether to stop, and moves on.

What the loop guarantees:

- **Reproducible.** The same ``random_state`` gives bit-identical weights and history.
- **Fast.** In steady state a step allocates nothing: the batch is gathered into the
  workspace's input buffer, targets into a reused buffer, and float32 stays float32. The
  element-wise passes run as fused compiled kernels when numba is there
  (:mod:`mlplab._kernels`), and small matrix products on one BLAS thread.
  Metrics are computed from what the step computed anyway (the batch's loss and outputs);
  only validation data gets an extra forward pass per epoch.
- **Never left holding NaN.** A non-finite or exploding loss stops training at once and
  rolls the weights back to the start of that epoch, with a warning that names the epoch,
  the loss and the learning rate.
- **Interruptible.** Ctrl-C (SIGINT, and other signals the caller names) ends training
  after the current batch; the model is rolled back to the last completed epoch (a
  signal during an epoch's last batch lets that epoch complete), so history, weights,
  optimizer and random generator agree and a later ``fit`` carries on exactly. A second
  Ctrl-C raises KeyboardInterrupt at once.

``lbfgs`` and ``cg`` hand (J, ∇J) over the whole training set to
``scipy.optimize.minimize``; their history has a row per optimizer iteration, and they
cannot be checkpointed (scipy's state cannot be saved mid-run).
"""

from __future__ import annotations

import contextlib
import math
import signal
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields

import numpy as np
from scipy import sparse

from ._kernels import TASK_CODES, kernels_for, one_blas_thread, small_products
from ._rng import as_generator
from .callbacks import Callback, Checkpoint
from .history import History
from .memory import allocation, describe_network
from .names import check_keywords
from .network import Network, Workspace, copy_rows
from .optimizers import SCHEDULES, SOLVERS, make_optimizer
from .tasks import TASKS, infer_task

__all__ = [
    "TASKS",
    "DivergenceWarning",
    "Trainer",
    "TrainingConfig",
    "TrainingInterrupted",
    "train",
]

#: Solvers that hand the whole problem to ``scipy.optimize.minimize``.
SCIPY_SOLVERS = ("lbfgs", "cg")

#: A batch cost this many times the cost at the start of training is divergence.
DIVERGENCE_FACTOR = 1e3


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss became non-finite or exploded."""


class TrainingInterrupted(RuntimeWarning):
    """Training ended early on a signal (Ctrl-C); the model is that of the last full epoch."""


@dataclass
class TrainingConfig:
    """Hyperparameters of the training loop (scikit-learn's names and defaults).

    ``alpha`` is the lecture's λ; ``max_iter`` counts epochs (optimizer iterations for
    ``lbfgs``/``cg``); ``batch_size="auto"`` means ``min(200, m)``; ``learning_rate`` is
    the schedule of ``sgd``.
    """

    solver: str = "adam"
    alpha: float = 1e-4
    batch_size: int | str = "auto"
    learning_rate: str = "constant"
    learning_rate_init: float = 1e-3
    power_t: float = 0.5
    max_iter: int = 200
    shuffle: bool = True
    tol: float = 1e-4
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    n_iter_no_change: int = 10
    max_fun: int = 15000

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise ValueError(
                f"unknown solver {self.solver!r}; valid solvers are "
                + ", ".join(repr(s) for s in SOLVERS)
            )
        if self.learning_rate not in SCHEDULES:
            raise ValueError(
                f"unknown learning_rate schedule {self.learning_rate!r}; valid schedules are "
                + ", ".join(repr(s) for s in SCHEDULES)
            )
        _check_number("alpha", self.alpha, low=0.0)
        _check_number("learning_rate_init", self.learning_rate_init, low=0.0, strict=True)
        _check_number("power_t", self.power_t, low=0.0)
        _check_number("tol", self.tol, low=0.0)
        _check_number("momentum", self.momentum, low=0.0, high=1.0)
        _check_number("beta_1", self.beta_1, low=0.0, high=1.0, open_high=True)
        _check_number("beta_2", self.beta_2, low=0.0, high=1.0, open_high=True)
        _check_number("epsilon", self.epsilon, low=0.0, strict=True)
        _check_int("max_iter", self.max_iter, low=1)
        _check_int("n_iter_no_change", self.n_iter_no_change, low=1)
        _check_int("max_fun", self.max_fun, low=1)
        if self.batch_size != "auto":
            _check_int("batch_size", self.batch_size, low=1, extra="or 'auto'")
        # Plain Python numbers (not numpy scalars), so the config survives JSON in checkpoints.
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, (bool, np.bool_)):
                setattr(self, field.name, bool(value))
            elif isinstance(value, (int, np.integer)):
                if field.name in _FLOAT_FIELDS:
                    setattr(self, field.name, float(value))
                else:
                    setattr(self, field.name, int(value))
            elif isinstance(value, np.floating):
                setattr(self, field.name, float(value))

    def batch_size_for(self, m: int) -> int:
        """The batch size used on m examples: all of them for ``gd``, else ``batch_size``."""
        if self.solver == "gd":
            return m
        size = min(200, m) if self.batch_size == "auto" else int(self.batch_size)
        return max(1, min(size, m))

    def as_dict(self) -> dict:
        """Plain values, for metadata and checkpoint fingerprints."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainingConfig:
        """Build from :meth:`as_dict` output, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


class Trainer:
    """Trains a :class:`Network` on (X, Y) and keeps everything a resume needs.

    Parameters
    ----------
    net : Network
        Trained in place.
    config : TrainingConfig
    task : {"multiclass", "binary", "multilabel", "regression"}, optional
        Decides the score recorded per epoch: accuracy for the classification tasks
        (multiclass: arg-max; binary: output ≥ 0.5; multilabel: every label right), R² for
        regression. By default it follows from the output layer and Y (one sigmoid output:
        binary; K sigmoid outputs and one-hot Y: multiclass; other 0/1 rows: multilabel;
        softmax: multiclass; identity: regression); a task given that contradicts them is
        a ValueError. See :func:`mlplab.tasks.infer_task`.
    callbacks : sequence of Callback
    random_state : None, int or numpy.random.Generator
        Seeds the batch order.
    verbose : int, default=0
        0: silent. 1: a progress bar on stderr if it is a terminal. 2: the bar always.
    handle_signals : sequence of signal numbers, default=(SIGINT,)
        Signals that end training cleanly after the current batch (main thread only).

    Attributes
    ----------
    history : History
    stop_reason : str or None
        "max_iter", "no_improvement", "converged", "diverged", "interrupted" or a
        callback's word.
    interrupt_signal : int or None
        The signal that ended training, if one did.
    """

    def __init__(
        self,
        net: Network,
        config: TrainingConfig | None = None,
        *,
        task: str | None = None,
        callbacks: Sequence[Callback] = (),
        random_state=None,
        verbose: int = 0,
        handle_signals: Sequence[int] = (signal.SIGINT,),
    ) -> None:
        if task is not None and task not in TASKS:
            raise ValueError(f"unknown task {task!r}; valid tasks are {', '.join(TASKS)}")
        self.net = net
        self.config = config if config is not None else TrainingConfig()
        self.task = task
        # Checkpoints run last so that they capture every other callback's epoch-end state.
        callbacks = list(callbacks)
        self.callbacks = [c for c in callbacks if not isinstance(c, Checkpoint)] + [
            c for c in callbacks if isinstance(c, Checkpoint)
        ]
        self.rng = as_generator(random_state)
        self.verbose = verbose
        self.handle_signals = tuple(handle_signals)
        self.history = History()
        self.optimizer = None
        self.epoch = 0
        self.examples_seen = 0
        self.reference_loss = math.nan
        self.stop_training = False
        self.stop_reason: str | None = None
        self.interrupt_signal: int | None = None
        self.has_validation = False
        # The recorded data losses (train_loss, val_loss) are divided by this: the number
        # of outputs for scikit-learn's squared error, which averages over outputs. The
        # gradient stays that of J (summed over outputs), as in scikit-learn.
        self.loss_divisor = 1
        self.data_fingerprint: dict | None = None
        self.validation_fingerprint: dict | None = None
        # the gradient, two copies of θ, and the optimizer's moments and scratch (Adam: 3)
        what = "training " + describe_network(net.layer_sizes, net.n_params, net.dtype)
        with allocation(6 * net.theta.nbytes, what):
            self._grad = np.empty_like(net.theta)
            self._saved_theta = np.empty_like(net.theta)
            self._before_last_step = np.empty_like(net.theta)
        self._target_buffers: dict[int, np.ndarray] = {}
        self._saved_optimizer: dict[str, np.ndarray] | None = None
        self._residual_ss: np.ndarray | None = None
        self._batches_per_example = 1.0
        self._interrupted: int | None = None
        self._kernels = None  # the kernel backend of the current fit (mlplab._kernels)
        self._one_blas_thread = False  # run the batch loop on one BLAS thread

    @property
    def score_name(self) -> str:
        """ "accuracy" for classification tasks, "r2" for regression."""
        return "r2" if self.task == "regression" else "accuracy"

    # ------------------------------------------------------------------ public
    def fit(
        self,
        X,
        Y,
        *,
        validation_data: tuple | None = None,
        epochs: int | None = None,
        resume_from=None,
    ) -> History:
        """Train on X of shape (m, n_in) and targets Y of shape (m, n_out).

        Parameters
        ----------
        validation_data : (X_val, Y_val), optional
            Evaluated after every epoch (val_loss, val_accuracy / val_r2).
        epochs : int, optional
            Train this many more epochs (default: until ``config.max_iter`` epochs in all).
        resume_from : path, optional
            A checkpoint file or folder written by :class:`Checkpoint`: the run continues
            from it exactly. The configuration and data must match the checkpoint's.

        Returns
        -------
        History
            ``self.history``, one row per epoch since the first ``fit``.

        Raises
        ------
        ValueError
            Bad data shapes; a checkpoint made with another setup (the differences are
            listed); a ``Checkpoint`` or ``resume_from`` with ``lbfgs``/``cg``; an
            ``EarlyStopping`` on a validation figure without ``validation_data``.

        Warns
        -----
        DivergenceWarning
            The loss became non-finite or exploded; the weights are those at the start of
            that epoch and ``stop_reason`` is ``"diverged"``.
        TrainingInterrupted
            A handled signal arrived; the weights are those of the last completed epoch.
        """
        scipy_solver = self.config.solver in SCIPY_SOLVERS
        checkpointing = any(isinstance(c, Checkpoint) for c in self.callbacks)
        if scipy_solver and (checkpointing or resume_from is not None):
            raise ValueError(
                f"solver={self.config.solver!r} cannot be checkpointed or resumed: it runs "
                "inside scipy.optimize.minimize, whose state cannot be saved mid-run; use "
                "solver 'gd', 'sgd' or 'adam', or remove the Checkpoint callback/resume_from"
            )
        X, Y = self.net._check_XY(X, Y)
        self.task = infer_task(self.net.output, Y, self.task)
        X = X if sparse.issparse(X) else np.ascontiguousarray(X)  # sparse: rows per batch
        Y = np.ascontiguousarray(Y)
        validation = None
        if validation_data is not None:
            X_val, Y_val = self.net._check_XY(*validation_data)
            validation = (X_val, np.ascontiguousarray(Y_val))  # loaded once, densified
        self.has_validation = validation is not None
        if checkpointing or resume_from is not None:
            from .checkpoint import data_fingerprint

            self.data_fingerprint = data_fingerprint(X, Y)
            self.validation_fingerprint = (
                None if validation is None else data_fingerprint(*validation)
            )
        if resume_from is not None:
            from .checkpoint import load_checkpoint

            load_checkpoint(self, resume_from)
        self.stop_training = False
        self.stop_reason = None
        self.interrupt_signal = None
        self._interrupted = None
        m_train = X.shape[0]
        if scipy_solver:
            self._batches_per_example = 1.0 / m_train
        else:
            self._batches_per_example = (
                math.ceil(m_train / self.config.batch_size_for(m_train)) / m_train
            )
        target = self.config.max_iter if epochs is None else self.epoch + epochs
        if scipy_solver:
            with self._signals():
                self._notify("on_train_begin")
                try:
                    self._fit_scipy(X, Y, validation, max(0, target - self.epoch))
                finally:
                    self._notify("on_train_end")
        else:
            if self.optimizer is None:
                self.optimizer = make_optimizer(
                    self.config.solver, self.net.n_params, self.net.dtype, self.config
                )
            batch_size = self.config.batch_size_for(m_train)
            full_batch = batch_size >= m_train
            self._kernels = kernels_for(self.net.dtype, full_batch=full_batch)
            # Mini-batch steps of small products run BLAS on one thread (see
            # small_products). Full-batch steps keep the caller's threads: BLAS results
            # depend on the thread count, and gradient descent stays bit for bit the
            # hand loop over Network.cost_and_grad.
            self._one_blas_thread = not full_batch and small_products(
                self.net.layer_sizes, batch_size
            )
            self.optimizer.kernels = self._kernels
            # Σ (y − ȳ)² per output over the training set: the denominator of train_r2
            total_ss = _total_sum_of_squares(Y) if self.task == "regression" else None
            val_state = self._validation_state(validation)
            progress = self._progress(target)
            try:
                with self._signals():
                    self._notify("on_train_begin")
                    try:
                        while self.epoch < target and not self.stop_training:
                            self._epoch(X, Y, total_ss, val_state, progress)
                        if self.stop_reason is None:
                            self.stop_reason = "max_iter"
                    finally:
                        self._notify("on_train_end")
            finally:
                if progress is not None:
                    progress.close()
        if self.interrupt_signal is not None:
            warnings.warn(
                f"training interrupted (signal {self.interrupt_signal}) during epoch "
                f"{self.epoch + 1}; the model is that of epoch {self.epoch}",
                TrainingInterrupted,
                stacklevel=2,
            )
        return self.history

    def _notify(self, hook: str) -> None:
        """Call ``on_train_begin`` or ``on_train_end`` on every callback that has it."""
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self)

    # ------------------------------------------------------------------ one epoch
    def _epoch(self, X, Y, total_ss, val_state, progress) -> None:
        """Run one epoch of mini-batch steps, record its row and consult the callbacks."""
        if self._interrupted is not None:
            # The signal came between epochs (in a callback, say): stop before starting one.
            self._stop_on_signal()
            return
        # Overflow and invalid values are what divergence looks like; the loop detects
        # them itself and stops with a DivergenceWarning instead of numpy's warnings.
        # Underflow of saturated units is harmless; set here once rather than per step.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            row = self._train_epoch(X, Y, total_ss, val_state)
        if row is not None:
            self._end_epoch(row, progress)

    def _train_epoch(self, X, Y, total_ss, val_state) -> dict | None:
        """The batches of one epoch; return its history row, or None if training stopped."""
        net, config, optimizer = self.net, self.config, self.optimizer
        theta, grad = net.theta, self._grad
        kernels = self._kernels
        rows = net._weight_rows()
        task = TASK_CODES[self.task]
        m_total = X.shape[0]
        batch_size = config.batch_size_for(m_total)
        started = time.perf_counter()
        snapshot = self._snapshot()
        lam = config.alpha
        full_batch = batch_size >= m_total
        order = None
        if not full_batch and config.shuffle:
            order = self.rng.permutation(m_total)
        targets = self._target_buffers
        summed_cost = 0.0
        correct = 0
        residual_ss = None
        if total_ss is not None:
            residual_ss = self._residual_ss
            if residual_ss is None or residual_ss.shape != total_ss.shape:
                residual_ss = self._residual_ss = np.empty_like(total_ss)
            residual_ss.fill(0.0)
        before_last_step = self._before_last_step
        divergence_limit = DIVERGENCE_FACTOR * max(self.reference_loss, 1.0)
        fused = "step" not in vars(optimizer)
        with one_blas_thread if self._one_blas_thread else contextlib.nullcontext():
            for start in range(0, m_total, batch_size):
                stop = min(start + batch_size, m_total)
                m = stop - start
                ws = net._workspace(m)
                Y_batch = targets.get(m)
                if Y_batch is None:
                    Y_batch = targets[m] = np.empty((m, Y.shape[1]), dtype=net.dtype)
                if order is None:
                    copy_rows(X, slice(start, stop), ws.inputs)
                    np.copyto(Y_batch, Y[start:stop])
                elif not sparse.issparse(X):
                    kernels.gather(X, Y, order, start, ws, Y_batch)
                else:  # sparse X: this batch's rows made dense
                    index = order[start:stop]
                    copy_rows(X, index, ws.inputs)
                    np.take(Y, index, axis=0, out=Y_batch)
                if stop == m_total:
                    np.copyto(before_last_step, theta)
                data_loss, right = net._train_forward(ws, Y_batch, kernels, task, residual_ss)
                net._train_backward(ws, grad, kernels)
                # D += λ/m·W, returning Σ W² of the θ this batch was evaluated at, so the
                # cost below is exactly J of the batch. (Checking it after the step costs
                # nothing: divergence rolls θ back to the start of the epoch anyway.)
                if fused:
                    squared = optimizer.step_with_decay(theta, grad, rows, lam / m)
                else:  # a ``step`` replaced on the instance (a wrapper) must be called
                    squared = kernels.add_decay(theta, grad, rows, lam / m)
                    optimizer.step(theta, grad)
                cost = data_loss / (m * self.loss_divisor) + lam / (2.0 * m) * squared
                if math.isnan(self.reference_loss):
                    self.reference_loss = cost
                    divergence_limit = DIVERGENCE_FACTOR * max(cost, 1.0)
                if not math.isfinite(cost) or cost > divergence_limit:
                    self._diverged(snapshot, cost)
                    return None
                summed_cost += cost * m
                correct += right
                if self._interrupted is not None and stop < m_total:
                    self._rollback(snapshot)
                    self._stop_on_signal()
                    return None
            grad_norm = float(np.linalg.norm(grad))
            if not (math.isfinite(grad_norm) and np.isfinite(theta).all()):
                self._diverged(snapshot, math.nan)
                return None
            # Each batch is scored before its own step, so the epoch's last step would only
            # be judged in the next epoch, after the snapshot had taken its weights: score
            # it now (one forward pass of the last batch; with one batch per epoch, as in
            # gd, the explosion would otherwise survive the rollback). The buffers of the
            # step are free again, and no metric is counted.
            final_loss, _ = net._train_forward(ws, Y_batch, kernels, TASK_CODES[None], None)
            final_cost = final_loss / (m * self.loss_divisor)
        if not math.isfinite(final_cost) or final_cost > divergence_limit:
            self._diverged(snapshot, final_cost)
            return None
        # The η of this epoch's steps, read before a schedule sets the next epoch's.
        learning_rate = optimizer.learning_rate
        self.epoch += 1
        self.examples_seen += m_total
        optimizer.epoch_end(self.examples_seen)
        row = {"epoch": self.epoch, "train_loss": summed_cost / m_total}
        if residual_ss is not None:
            row["train_r2"] = _r2_from_sums(residual_ss, total_ss)
        else:
            row["train_accuracy"] = correct / m_total
        if val_state is not None:
            row.update(self._evaluate_validation(val_state))
        row["learning_rate"] = learning_rate
        row["grad_norm"] = grad_norm
        row.update(self._update_ratios(before_last_step))
        row["seconds"] = time.perf_counter() - started
        return row

    def _stop_on_signal(self) -> None:
        """Record that a handled signal ends training."""
        self.interrupt_signal = self._interrupted
        self.stop_reason = "interrupted"
        self.stop_training = True

    def _end_epoch(self, row: dict, progress) -> None:
        """Record a history row, update the progress bar and ask the callbacks."""
        self.history.append(row)
        if progress is not None:
            progress.update(1)
            progress.set_postfix(_postfix(row), refresh=False)
        for callback in self.callbacks:
            method = getattr(callback, "on_epoch_end", None)
            if method is not None and method(self, self.epoch, row):
                self.stop_training = True
                if self.stop_reason is None:
                    self.stop_reason = type(callback).__name__

    def _update_ratios(self, before: np.ndarray) -> dict[str, float]:
        """‖Δθ⁽ˡ⁾‖ / ‖θ⁽ˡ⁾‖ of the last step, per layer (0 when θ⁽ˡ⁾ is all zero)."""
        np.subtract(self.net.theta, before, out=before)  # Δθ; the buffer is refilled next epoch
        ratios = {}
        start = 0
        for layer, theta in enumerate(self.net.thetas, start=1):
            stop = start + theta.size
            norm = float(np.linalg.norm(theta.ravel()))
            change = float(np.linalg.norm(before[start:stop]))
            ratios[f"update_ratio_{layer}"] = change / norm if norm > 0 else 0.0
            start = stop
        return ratios

    # ------------------------------------------------------------------ validation
    def _validation_state(self, validation):
        """A workspace of the validation size with X_val loaded once, or None."""
        if validation is None:
            return None
        X_val, Y_val = validation
        ws = Workspace(self.net.layer_sizes, X_val.shape[0], self.net.dtype)
        copy_rows(X_val, slice(None), ws.inputs)
        labels = _class_indices(Y_val) if self.task == "multiclass" else None
        return ws, Y_val, labels

    def _evaluate_validation(self, val_state) -> dict[str, float]:
        """val_loss and the validation score for the current θ."""
        ws, Y_val, labels = val_state
        m = ws.m
        # The data loss alone, without λ/(2m)‖W‖²: the penalty measures the weights, not
        # how well they predict new data, and adding it would shift the validation curve
        # with λ, the very comparison the curve is for.
        row = {"val_loss": self.net._forward_into(ws, Y_val) / (m * self.loss_divisor)}
        if self.task == "regression":
            row["val_r2"] = _r2(ws.output, Y_val)
        else:
            row["val_accuracy"] = (
                _count_correct(self.task, ws.output, Y_val, labels, slice(None)) / m
            )
        return row

    # ------------------------------------------------------------------ scipy solvers
    def _fit_scipy(self, X, Y, validation, max_iterations: int) -> None:
        """Minimize J over the whole training set with scipy's L-BFGS-B or CG."""
        from scipy.optimize import minimize

        if max_iterations <= 0:
            return
        net, config = self.net, self.config
        lam = config.alpha
        val_state = self._validation_state(validation)
        labels = _class_indices(Y) if self.task == "multiclass" else None
        grad = self._grad
        m_total = X.shape[0]
        progress = self._progress(self.epoch + max_iterations)
        started = [time.perf_counter()]
        before = net.theta.astype(np.float64)

        def cost_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
            net.theta[...] = x
            cost, _ = net.cost_and_grad(X, Y, lam, out=grad)
            return cost, grad.astype(np.float64)

        def record(intermediate_result) -> None:
            net.theta[...] = intermediate_result.x
            self.epoch += 1
            self.examples_seen += m_total
            loss = float(intermediate_result.fun)  # J: the data term summed over outputs
            if self.loss_divisor != 1:
                penalty = net.penalty(lam, m_total)
                loss = (loss - penalty) / self.loss_divisor + penalty
            row = {"epoch": self.epoch, "train_loss": loss}
            output = net.forward(X)
            if self.task == "regression":
                row["train_r2"] = _r2(output, Y)
            else:
                row["train_accuracy"] = (
                    _count_correct(self.task, output, Y, labels, slice(None)) / m_total
                )
            if val_state is not None:
                row.update(self._evaluate_validation(val_state))
            row["learning_rate"] = math.nan
            # the gradient of the last evaluation, which the line search accepted
            row["grad_norm"] = float(np.linalg.norm(grad))
            ratios_before = before.astype(net.dtype)
            row.update(self._update_ratios(ratios_before))
            before[...] = intermediate_result.x
            row["seconds"] = time.perf_counter() - started[0]
            started[0] = time.perf_counter()
            self._end_epoch(row, progress)
            if self.stop_training or self._interrupted is not None:
                raise StopIteration

        method = "L-BFGS-B" if config.solver == "lbfgs" else "CG"
        options = {"maxiter": max_iterations, "gtol": config.tol}
        if method == "L-BFGS-B":
            options["maxfun"] = config.max_fun
        try:
            result = minimize(
                cost_and_grad,
                net.theta.astype(np.float64),
                jac=True,
                method=method,
                callback=record,
                options=options,
            )
        finally:
            if progress is not None:
                progress.close()
        if self._interrupted is not None:
            # θ is that of the last recorded iteration (``record`` set it before stopping).
            self._stop_on_signal()
        else:
            net.theta[...] = result.x
            if self.stop_reason is None:
                self.stop_reason = "converged" if result.success else "max_iter"
        self.scipy_result = result

    # ------------------------------------------------------------------ safety
    def _snapshot(self) -> dict:
        """The state at an epoch boundary: what divergence and interrupts roll back to."""
        np.copyto(self._saved_theta, self.net.theta)
        arrays, scalars = self.optimizer.state_dict()
        saved = self._saved_optimizer
        if saved is None or saved.keys() != arrays.keys():
            saved = self._saved_optimizer = {k: v.copy() for k, v in arrays.items()}
        else:  # the buffers of the previous epoch, refilled: no allocation per epoch
            for name, array in arrays.items():
                np.copyto(saved[name], array)
        return {"optimizer": (saved, dict(scalars)), "rng": self.rng.bit_generator.state}

    def _rollback(self, snapshot: dict) -> None:
        """Put back θ, the optimizer and the random generator as they were at the snapshot."""
        self.net.theta = self._saved_theta
        self.optimizer.load_state_dict(*snapshot["optimizer"])
        self.rng.bit_generator.state = snapshot["rng"]

    def _diverged(self, snapshot: dict, cost: float) -> None:
        """Stop on a non-finite or exploding loss, back at the epoch's starting weights."""
        self._rollback(snapshot)
        self.stop_training = True
        self.stop_reason = "diverged"
        initial = self.config.learning_rate_init
        rate = f"learning rate {initial:g}"
        current = self.optimizer.learning_rate
        if self.config.solver != "adam" and current != initial:  # a schedule moved η
            rate = f"learning rate {current:g} (learning_rate_init {initial:g})"
        warnings.warn(
            f"training diverged in epoch {self.epoch + 1}: loss {cost:.4g} with {rate}, "
            f"against {self.reference_loss:.4g} at the start of training; stopped and "
            f"restored the weights of epoch {self.epoch}. Try a smaller learning_rate_init.",
            DivergenceWarning,
            stacklevel=5,  # _diverged ← _train_epoch ← _epoch ← fit ← the caller
        )

    @contextlib.contextmanager
    def _signals(self):
        """A context that turns the handled signals into a flag, in the main thread only."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in self.handle_signals:
                previous[signum] = signal.signal(signum, self._on_signal)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                # None: the old handler was not set from Python; the default is the best guess
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    def _on_signal(self, received: int, frame) -> None:
        """The handler of the handled signals: remember the signal, stop after the batch."""
        if self._interrupted is not None and received == signal.SIGINT:
            # A second Ctrl-C means "now": do not wait for the batch to end.
            raise KeyboardInterrupt
        self._interrupted = received

    def _progress(self, total_epochs: int):
        """A tqdm bar on stderr when asked (verbose 2) or when stderr is a terminal (1)."""
        if self.verbose <= 0 or (self.verbose == 1 and not sys.stderr.isatty()):
            return None
        from tqdm.auto import tqdm

        return tqdm(
            total=total_epochs,
            initial=self.epoch,
            unit="epoch",
            desc="training",
            file=sys.stderr,
            dynamic_ncols=True,
            leave=True,
        )


def train(
    net: Network,
    X,
    Y,
    *,
    validation_data=None,
    task: str | None = None,
    callbacks: Sequence[Callback] = (),
    random_state=None,
    verbose: int = 0,
    **config,
) -> History:
    """Train ``net`` in place and return its history; ``config`` holds TrainingConfig fields.

    The task (what the accuracy or R² of the history means) follows from the network's
    output layer and Y: one sigmoid output is binary (h_θ(x) ≥ 0.5); K sigmoid outputs
    with one-hot rows of Y are multiclass by arg-max (the lecture's "essentially
    one-vs-all"), with rows of several or no 1s multi-label; softmax is multiclass;
    identity is regression. ``task`` given explicitly must agree (a contradiction is a
    ValueError); see :func:`mlplab.tasks.infer_task`.

    Example
    -------
    >>> import numpy as np, mlplab
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> Y = np.array([[1], [0], [0], [1]], dtype=float)  # XNOR
    >>> net = mlplab.Network([2, 2, 1], random_state=0)
    >>> history = mlplab.train(net, X, Y, solver="lbfgs", alpha=0.0)  # task: binary
    >>> (net.forward(X) > 0.5).astype(int).ravel().tolist()
    [1, 0, 0, 1]
    """
    check_keywords("train", config, {f.name for f in fields(TrainingConfig)}, "estimator")
    trainer = Trainer(
        net,
        TrainingConfig(**config),
        task=task,
        callbacks=callbacks,
        random_state=random_state,
        verbose=verbose,
    )
    return trainer.fit(X, Y, validation_data=validation_data)


# ---------------------------------------------------------------------- helpers
def _class_indices(Y: np.ndarray) -> np.ndarray:
    """Row-wise arg-max of one-hot targets: the class index of each example."""
    return Y.argmax(axis=1)


def _count_correct(task: str, output: np.ndarray, Y: np.ndarray, labels, index) -> int:
    """How many examples of a batch the outputs get right, for a classification task."""
    if task == "multiclass":
        return int(np.count_nonzero(output.argmax(axis=1) == labels[index]))
    predicted = output >= 0.5
    truth = Y >= 0.5
    if task == "binary":
        return int(np.count_nonzero(predicted[:, 0] == truth[:, 0]))
    return int(np.count_nonzero((predicted == truth).all(axis=1)))


def _r2(output: np.ndarray, Y: np.ndarray) -> float:
    """Coefficient of determination, averaged uniformly over outputs (scikit-learn's r2_score)."""
    with np.errstate(over="ignore", invalid="ignore"):
        residual = ((Y - output) ** 2).sum(axis=0)
    return _r2_from_sums(residual, _total_sum_of_squares(Y))


def _total_sum_of_squares(Y: np.ndarray) -> np.ndarray:
    """Σᵢ (yᵢ − ȳ)² per output, in float64: shape (n_out,)."""
    Y = np.asarray(Y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd targets give inf: R² → 1 − x/inf
        return ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)


def _r2_from_sums(residual: np.ndarray, total: np.ndarray) -> float:
    """R² = 1 − SS_res/SS_tot per output, averaged; a constant target scores 1 if fitted exactly."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(
            total > 0,
            1.0 - residual / np.where(total > 0, total, 1.0),
            np.where(residual == 0, 1.0, 0.0),
        )
    return float(scores.mean())


def _postfix(row: dict) -> dict[str, str]:
    """The progress bar's figures for one epoch."""
    shown = {}
    for name, label in (
        ("train_loss", "loss"),
        ("val_loss", "val_loss"),
        ("train_accuracy", "acc"),
        ("val_accuracy", "val_acc"),
        ("train_r2", "r2"),
        ("val_r2", "val_r2"),
    ):
        if name in row:
            shown[label] = f"{row[name]:.4f}"
    return shown


#: TrainingConfig fields that hold real numbers (an int given for one is stored as a float).
_FLOAT_FIELDS = frozenset(
    {"alpha", "learning_rate_init", "power_t", "tol", "momentum", "beta_1", "beta_2", "epsilon"}
)


def _check_number(name, value, *, low=None, high=None, strict=False, open_high=False) -> None:
    """Raise ValueError unless ``value`` is a real number within the bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value <= low if strict else value < low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    if high is not None and (value >= high if open_high else value > high):
        raise ValueError(f"{name} must be {'<' if open_high else '<='} {high}, got {value!r}")


def _check_int(name, value, *, low, extra="") -> None:
    """Raise ValueError unless ``value`` is an integer >= low."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        suffix = f" {extra}" if extra else ""
        raise ValueError(f"{name} must be an integer >= {low}{suffix}, got {value!r}")
