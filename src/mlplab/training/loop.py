"""The Trainer: epochs of mini-batch steps, one history row per epoch, callbacks.

One epoch visits every training example once, in mini-batches drawn from a seeded
permutation; each batch is one :func:`~mlplab.training.step.train_step`. After the
epoch the trainer records one history row, asks the callbacks whether to stop, and moves
on. Divergence and signals are handled by :mod:`mlplab.training.safety`, ``lbfgs`` and
``cg`` by :mod:`mlplab.training.scipy_solvers`, the validation data by
:mod:`mlplab.training.validation`; what a checkpoint saves is a
:class:`~mlplab.training.state.TrainerState` (:mod:`mlplab.training.state`).
"""

from __future__ import annotations

import contextlib
import math
import signal
import time
import warnings
from collections.abc import Sequence
from dataclasses import fields

import numpy as np
from scipy import sparse

from .._rng import as_generator
from .._validation import check_sample_weight
from ..memory import allocation, describe_network
from ..metrics import r2_from_sums, total_sum_of_squares
from ..names import check_keywords
from ..network import Network
from ..optimizers import make_optimizer
from ..solvers import SCIPY_SOLVERS, check_resumable
from ..tasks import check_task, infer_task
from ..workspace import copy_rows
from .callbacks import Callback
from .checkpoint import Checkpoint, data_fingerprint, load_checkpoint
from .config import TrainingConfig
from .history import History
from .progress import postfix, progress_bar
from .safety import DIVERGENCE_FACTOR, SafetyMixin, TrainingInterrupted
from .scipy_solvers import ScipyMixin
from .state import TrainerStateMixin
from .step import TASK_CODES, KeptForward, kernels_for, one_blas_thread, small_products, train_step
from .validation import ValidationBatch

__all__ = ["Trainer", "train"]


class Trainer(SafetyMixin, ScipyMixin, TrainerStateMixin):
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
        if task is not None:
            check_task(task)
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
        self._interrupted: int | None = None
        self._kernels = None  # the kernel backend of the current fit (mlplab._kernels)
        self._weights: np.ndarray | None = None  # the current fit's example weights
        self._one_blas_thread = False  # run the batch loop on one BLAS thread
        self._kept_forward = KeptForward()  # full batch: the check's pass, reused

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
        sample_weight=None,
    ) -> History:
        """Train on X of shape (m, n_in) and targets Y of shape (m, n_out).

        Parameters
        ----------
        validation_data : (X_val, Y_val) or (X_val, Y_val, w_val), optional
            Evaluated after every epoch (val_loss, val_accuracy / val_r2); with example
            weights w_val the loss and the score are weighted.
        epochs : int, optional
            Train this many more epochs (default: until ``config.max_iter`` epochs in all).
        resume_from : path, optional
            A checkpoint file or folder written by :class:`Checkpoint`: the run continues
            from it exactly. The configuration and data must match the checkpoint's.
        sample_weight : array-like of shape (m,), optional
            Example weights: each batch's cost is Σ wᵢ·lossᵢ/Σw + λ/(2Σw) Σ W², as
            scikit-learn weights its MLP (see :func:`mlplab.training.step.train_step`).

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
        if checkpointing:
            check_resumable(self.config.solver, "a Checkpoint callback")
        if resume_from is not None:
            check_resumable(self.config.solver, "resume_from")
        X, Y = self.net.check_XY(X, Y)
        self._weights = check_sample_weight(sample_weight, X.shape[0], self.net.dtype)
        self.task = infer_task(self.net.output, Y, self.task)
        X = X if sparse.issparse(X) else np.ascontiguousarray(X)  # sparse: rows per batch
        Y = np.ascontiguousarray(Y)
        validation = None
        if validation_data is not None:
            X_val, Y_val = self.net.check_XY(*validation_data[:2])
            validation = (X_val, np.ascontiguousarray(Y_val))  # loaded once, densified
            if len(validation_data) > 2:
                weights = check_sample_weight(validation_data[2], X_val.shape[0], np.float64)
                validation = (*validation, weights)
        self.has_validation = validation is not None
        if checkpointing or resume_from is not None:
            self.data_fingerprint = data_fingerprint(X, Y, self._weights)
            self.validation_fingerprint = (
                None if validation is None else data_fingerprint(*validation)  # weights third
            )
        if resume_from is not None:
            load_checkpoint(self, resume_from)
        self.stop_training = False
        self.stop_reason = None
        self.interrupt_signal = None
        self._interrupted = None
        self._kept_forward.clear()
        target = self.config.max_iter if epochs is None else self.epoch + epochs
        if scipy_solver:
            with self._signals():
                self._notify("on_train_begin")
                try:
                    self._fit_scipy(X, Y, validation, max(0, target - self.epoch), self._weights)
                finally:
                    self._notify("on_train_end")
        else:
            if self.optimizer is None:
                self.optimizer = make_optimizer(
                    self.config.solver, self.net.n_params, self.net.dtype, self.config
                )
            m_train = X.shape[0]
            batch_size = self.config.batch_size_for(m_train)
            full_batch = batch_size >= m_train
            # The kernels are chosen by the size of the whole call as asked (all of
            # max_iter, or the epochs given), not by the epochs left: a resumed run trains
            # on the kernels of the run it continues, and gives its bits.
            planned_epochs = max(self.config.max_iter if epochs is None else epochs, 1)
            self._kernels = kernels_for(
                self.net.dtype,
                full_batch=full_batch,
                steps=planned_epochs * -(-m_train // batch_size),
                work=planned_epochs * m_train * self.net.n_params,
            )
            # Mini-batch steps of small products run BLAS on one thread (see
            # small_products). Full-batch steps keep the caller's threads: BLAS results
            # depend on the thread count, and gradient descent stays bit for bit the
            # hand loop over Network.cost_and_grad.
            self._one_blas_thread = not full_batch and small_products(
                self.net.layer_sizes, batch_size
            )
            self.optimizer.kernels = self._kernels
            # Σ (y − ȳ)² per output over the training set: the denominator of train_r2
            total_ss = total_sum_of_squares(Y) if self.task == "regression" else None
            val_batch = ValidationBatch.load(self.net, validation, self.task)
            progress = progress_bar(self.verbose, self.epoch, target)
            try:
                with self._signals():
                    self._notify("on_train_begin")
                    try:
                        while self.epoch < target and not self.stop_training:
                            self._epoch(X, Y, total_ss, val_batch, progress)
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
    def _epoch(self, X, Y, total_ss, val_batch, progress) -> None:
        """Run one epoch of mini-batch steps, record its row and consult the callbacks."""
        if self._interrupted is not None:
            # The signal came between epochs (in a callback, say): stop before starting one.
            self._stop_on_signal()
            return
        # Overflow and invalid values are what divergence looks like; the loop detects
        # them itself and stops with a DivergenceWarning instead of numpy's warnings.
        # Underflow of saturated units is harmless; set here once rather than per step.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            row = self._train_epoch(X, Y, total_ss, val_batch)
        if row is not None:
            self._end_epoch(row, progress)

    def _train_epoch(self, X, Y, total_ss, val_batch) -> dict | None:
        """The batches of one epoch; return its history row, or None if training stopped."""
        started = time.perf_counter()
        residual_ss = None
        if total_ss is not None:
            residual_ss = self._residual_ss
            if residual_ss is None or residual_ss.shape != total_ss.shape:
                residual_ss = self._residual_ss = np.empty_like(total_ss)
            residual_ss.fill(0.0)
        snapshot = self._snapshot()
        with one_blas_thread if self._one_blas_thread else contextlib.nullcontext():
            sums = self._run_batches(X, Y, residual_ss, snapshot)
        if sums is None:
            return None
        summed_cost, correct = sums
        m_total = X.shape[0]
        optimizer = self.optimizer
        # The η of this epoch's steps, read before a schedule sets the next epoch's.
        learning_rate = optimizer.learning_rate
        self.epoch += 1
        self.examples_seen += m_total
        optimizer.epoch_end(self.examples_seen)
        row = {"epoch": self.epoch, "train_loss": summed_cost / m_total}
        if residual_ss is not None:
            row["train_r2"] = r2_from_sums(residual_ss, total_ss)
        else:
            row["train_accuracy"] = correct / m_total
        if val_batch is not None:
            row.update(val_batch.evaluate(self.net, self.task, self.loss_divisor))
        row["learning_rate"] = learning_rate
        row["grad_norm"] = float(np.linalg.norm(self._grad))
        row.update(self._update_ratios(self._before_last_step))
        row["seconds"] = time.perf_counter() - started
        return row

    def _run_batches(self, X, Y, residual_ss, snapshot) -> tuple[float, int] | None:
        """Step through the epoch's batches; (Σ m_b·J_b, examples right), or None if stopped."""
        net, optimizer, kernels = self.net, self.optimizer, self._kernels
        grad = self._grad
        task = TASK_CODES[self.task]
        m_total = X.shape[0]
        batch_size = self.config.batch_size_for(m_total)
        lam = self.config.alpha
        order = None
        if batch_size < m_total and self.config.shuffle:
            order = self.rng.permutation(m_total)
        weights = self._weights
        batch_weights = None
        summed_cost = 0.0
        correct = 0
        divergence_limit = DIVERGENCE_FACTOR * max(self.reference_loss, 1.0)
        full_batch = batch_size >= m_total
        for start in range(0, m_total, batch_size):
            stop = min(start + batch_size, m_total)
            kept = None
            if full_batch and m_total in self._target_buffers:
                ws, Y_batch = net.workspace(m_total), self._target_buffers[m_total]
                kept = self._kept_forward.take(net, ws, residual_ss)
            if kept is None:
                ws, Y_batch = self._load_batch(X, Y, order, start, stop)
            if stop == m_total:
                np.copyto(self._before_last_step, net.theta)
            if weights is not None:
                batch_weights = weights[start:stop] if order is None else weights[order[start:stop]]
            cost, right = train_step(
                net,
                ws,
                Y_batch,
                grad,
                optimizer,
                kernels,
                task,
                residual_ss,
                lam,
                self.loss_divisor,
                batch_weights,
                kept,
            )
            if math.isnan(self.reference_loss):
                self.reference_loss = cost
                divergence_limit = DIVERGENCE_FACTOR * max(cost, 1.0)
            if not math.isfinite(cost) or cost > divergence_limit:
                self._diverged(snapshot, cost)
                return None
            summed_cost += cost * ws.m
            correct += right
            if self._interrupted is not None and stop < m_total:
                self._rollback(snapshot)
                self._stop_on_signal()
                return None
        if not (math.isfinite(float(np.linalg.norm(grad))) and np.isfinite(net.theta).all()):
            self._diverged(snapshot, math.nan)
            return None
        # Each batch is scored before its own step, so the epoch's last step would only
        # be judged in the next epoch, after the snapshot had taken its weights: score it
        # now (one forward pass of the last batch; with one batch per epoch, as in gd, the
        # explosion would otherwise survive the rollback). With one batch per epoch that
        # pass is the next epoch's forward pass, kept for it.
        if full_batch:
            final_cost = self._kept_forward.run(
                net, ws, Y_batch, kernels, task, residual_ss, batch_weights
            )
        else:
            final_cost = net.train_forward(ws, Y_batch, kernels, TASK_CODES[None], None)[0]
            final_cost /= ws.m
        final_cost /= self.loss_divisor
        if not math.isfinite(final_cost) or final_cost > divergence_limit:
            self._diverged(snapshot, final_cost)
            return None
        return summed_cost, correct

    def _load_batch(self, X, Y, order, start: int, stop: int):
        """Rows start:stop (of the shuffled ``order``, if any) in the workspace and targets."""
        m = stop - start
        ws = self.net.workspace(m)
        Y_batch = self._target_buffers.get(m)
        if Y_batch is None:
            Y_batch = self._target_buffers[m] = np.empty((m, Y.shape[1]), dtype=self.net.dtype)
        if order is None:
            copy_rows(X, slice(start, stop), ws.inputs)
            np.copyto(Y_batch, Y[start:stop])
        elif not sparse.issparse(X):
            self._kernels.gather(X, Y, order, start, ws, Y_batch)
        else:  # sparse X: this batch's rows made dense
            index = order[start:stop]
            copy_rows(X, index, ws.inputs)
            np.take(Y, index, axis=0, out=Y_batch)
        return ws, Y_batch

    def _end_epoch(self, row: dict, progress) -> None:
        """Record a history row, update the progress bar and ask the callbacks."""
        self.history.append(row)
        if progress is not None:
            progress.update(1)
            progress.set_postfix(postfix(row), refresh=False)
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
        changes = self.net.layout.thetas(before)
        for layer, (theta, change) in enumerate(zip(self.net.thetas, changes), start=1):
            norm = float(np.linalg.norm(theta.ravel()))
            moved = float(np.linalg.norm(change.ravel()))
            ratios[f"update_ratio_{layer}"] = moved / norm if norm > 0 else 0.0
        return ratios


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
