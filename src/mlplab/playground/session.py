"""One open page: its data, its estimator, the worker thread that trains it, its frames.

Training never runs on the request path. ``train`` and ``step`` start a worker thread
that calls :meth:`MLPClassifier.fit`; a :class:`~mlplab.Callback` hooked into the
trainer records every epoch's figures and, at most ``frame_rate`` times per second,
renders a frame (:mod:`.frames`). Only the newest frame is kept: a page that reads
slowly skips frames instead of queueing them.

One ``fit`` spans a whole run: ``pause`` and the end of a one-epoch ``step`` park the
worker inside the callback, and ``train``/``step`` let it go on, so stepping epoch by
epoch trains exactly as training straight through (same optimizer state, same batch
order). The fit ends only for a reset, a new configuration, a closed page or a model
download (a model file holds a finished fit); training after a download continues from
the weights as a warm-started fit does.

The doctor's findings come from the run itself, never from extra training
(:func:`mlplab.diagnostics.run_findings`): the checks of θ₀, the loss trend and update
ratios from its history, saturation and over- and underfitting from its network now on
its own training and validation points.
"""

from __future__ import annotations

import json
import math
import threading
import time

import numpy as np

from .. import diagnostics
from ..jsonvalues import to_json
from .config import Limits, PageConfig
from .data import make_data
from .frames import describe_data, network_frame

__all__ = ["Session", "SessionError", "frame_json"]

#: History columns a page draws; train_accuracy etc. are the run's own figures.
CURVES = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
#: Seconds between two evaluations of the doctor's findings while training.
FINDINGS_EVERY = 1.0


class SessionError(RuntimeError):
    """A request the page's current state cannot serve (e.g. download before training)."""


class _Hook:
    """The page's hook in the trainer: records epochs, renders frames, stops on request.

    ``fit`` works on deep copies of its callbacks; this one is a channel to the page, not
    state, so its copy is itself.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def __deepcopy__(self, memo):
        return self

    def on_train_begin(self, trainer) -> None:
        self.session._trainer = trainer

    def on_epoch_end(self, trainer, epoch, logs) -> bool:
        return self.session._after_epoch(trainer, logs)

    def on_train_end(self, trainer) -> None:
        """Nothing to do: the worker renders the final frame after ``fit`` returns."""


class Session:
    """The state of one page; every public method is safe to call from any thread.

    Parameters
    ----------
    config : PageConfig
    limits : Limits
    upload : mlplab.datasets.Dataset, optional
        The page's uploaded table (``config.data == "csv"``).
    """

    def __init__(self, config: PageConfig, limits: Limits, upload=None) -> None:
        self.limits = limits
        self.upload = upload
        self.last_seen = time.monotonic()
        self.closed = False
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()  # end the fit
        self._go = threading.Event()  # the worker may train (else it parks)
        self._parked = threading.Event()  # the worker waits in the callback
        self._budget: int | None = None  # epochs left before parking (None: no limit)
        # Held while _go, _parked and _budget change together: a request to train and the
        # worker's decision to park never interleave (see _start and _after_epoch).
        self._gate = threading.Lock()
        self._version = 0
        self._run = 0
        self._frame: dict = {}
        self._configure(config)

    # ------------------------------------------------------------------ page state
    def touch(self) -> None:
        """Note that the page is alive (any request or message)."""
        self.last_seen = time.monotonic()

    @property
    def running(self) -> bool:
        """Whether the worker is training (not parked, not ended)."""
        return self._alive() and not self._parked.is_set()

    def _alive(self) -> bool:
        worker = self._worker
        return worker is not None and worker.is_alive()

    def latest(self) -> tuple[int, dict]:
        """(version, frame) of the newest frame; the version grows with every frame."""
        return self._version, self._frame

    def rows_since(self, start: int) -> list[list[float]]:
        """History rows [epoch, train_loss, val_loss, train_acc, val_acc] from ``start``."""
        return self._rows[start:]

    def state(self) -> dict:
        """The page's whole state, sent when it connects or changes its data."""
        with self._lock:
            return {
                "config": self.config.as_dict(),
                "data": describe_data(self.data),
                "layers": list(self.net.layer_sizes),
                "activation": self.net.activation,
                "output": self.net.output,
            }

    # ------------------------------------------------------------------ commands
    def configure(self, config: PageConfig, upload=None) -> None:
        """A new configuration (and upload): stop, rebuild data and network, new run."""
        with self._lock:  # held while ending the fit, so that no train() starts in between
            self._end_fit()
            self._configure(config, upload)

    def reset(self) -> None:
        """Start the run again from θ₀ (same data and configuration)."""
        self.configure(self.config)

    def train(self) -> None:
        """Train until paused (or until ``limits.max_epochs`` epochs)."""
        self._start(None)

    def step(self) -> None:
        """Train exactly one more epoch, then park."""
        self._start(1)

    def pause(self) -> None:
        """Park the worker after the current epoch, and wait until it is parked."""
        with self._gate:
            self._go.clear()
        self.wait()

    def close(self) -> None:
        """Stop training and drop the page's data (the session cannot be used again)."""
        self.closed = True
        self._end_fit()
        self._publish({"closed": True})

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the worker is parked (its paused frame published) or has ended.

        Waits at most ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while self._alive() and not self._parked.wait(0.02):
            if time.monotonic() > deadline:
                return

    def _end_fit(self) -> None:
        """End the run's fit after the current epoch and wait for the worker to finish."""
        self._stop.set()
        self._go.set()  # a parked worker wakes up to see the stop
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()

    # ------------------------------------------------------------------ products
    def gradient_check(self) -> dict:
        """Backprop against central differences at the current θ, per layer, with verdicts."""
        from ..gradcheck import check_gradients

        with self._lock:
            # while training, θ moves under the copy: the check is then of a θ between
            # two steps, which is as valid a point to check backprop at as any
            net = self.net.copy()
            X, Y = self._encoded_train
            lam = self.config.alpha
        rows = min(X.shape[0], 40)
        result = check_gradients(net, X[:rows], Y[:rows], lam, max_examples=rows)
        return {
            "layers": [
                {"layer": layer, "error": error, "verdict": result.verdict(error)}
                for layer, error in enumerate(result.layer_errors, start=1)
            ],
            "error": result.relative_error,
            "verdict": result.verdict(),
            "examples": result.examples,
            "table": result.format_table(),
        }

    def model_bytes(self) -> bytes:
        """The trained estimator as a safe model file that takes raw features.

        Training pauses first: a model file holds a finished ``fit``. The page's
        standardization is folded into θ⁽¹⁾ of a copy (:meth:`mlplab.Scaling.fold_into`),
        so that ``mlplab.load(file).predict`` takes points in the data's own units.
        """
        from ..persistence import dumps, loads

        with self._lock:
            self._end_fit()
            if self._epochs_done == 0:
                raise SessionError("nothing trained yet: train at least one epoch first")
            copy = loads(dumps(self.estimator))
            scaling = self.data.scaling
        scaling.fold_into(copy.network_)
        return dumps(copy)

    def regions_png(self) -> bytes:
        """The decision regions with the points, drawn by :func:`mlplab.plots.decision_regions`."""
        from ..plots import decision_regions, figure_to_png_bytes

        with self._lock:
            net, data = self.net.copy(), self.data
        X = np.vstack([data.raw_train, data.raw_val])
        y = np.concatenate([data.y_train, data.y_val])
        fig = decision_regions(
            lambda points: net.forward(data.standardize(points)),
            X,
            y,
            feature_names=data.dataset.feature_names or None,
            feature_units=data.dataset.feature_units or None,
            class_names=dict(zip(data.classes.tolist(), data.class_names())),
        )
        return figure_to_png_bytes(fig)

    def curves_png(self) -> bytes:
        """Training and validation curves of the run, by :func:`mlplab.plots.learning_curves`."""
        from ..plots import figure_to_png_bytes, learning_curves

        with self._lock:
            rows = list(self._rows)
        if not rows:
            raise SessionError("nothing trained yet: train at least one epoch first")
        history = {"epoch": [r[0] for r in rows]}
        history.update({name: [r[i] for r in rows] for i, name in enumerate(CURVES, start=1)})
        return figure_to_png_bytes(learning_curves(history, title="Learning curves"))

    # ------------------------------------------------------------------ internals
    def _configure(self, config: PageConfig, upload=None) -> None:
        """Build data, estimator and θ₀ for ``config``; the previous run is forgotten."""
        from sklearn.base import clone

        from ..estimators import MLPClassifier

        if upload is not None:
            self.upload = upload
        data = make_data(config, self.upload)
        batch = min(config.batch, data.X_train.shape[0])
        estimator = MLPClassifier(
            hidden_layer_sizes=config.hidden,
            activation=config.activation,
            solver=config.solver,
            alpha=config.alpha,
            batch_size=batch,
            learning_rate_init=config.lr,
            random_state=config.seed,
            warm_start=True,
            n_iter_no_change=np.inf,  # the page decides when to stop
            tol=0.0,
            output=config.output,
            initializer=config.initializer,
            init_epsilon=config.init_epsilon if config.initializer == "uniform" else None,
            callbacks=[_Hook(self)],
        )
        # The estimator's own encoding and θ₀, exactly as fit will draw them.
        setup = clone(estimator).build_training(
            data.X_train, data.y_train, validation_data=(data.X_val, data.y_val)
        )
        self.config = config
        self.data = data
        self.estimator = estimator
        self.net = setup.network
        self._initial = setup.network.copy()  # θ₀, for the doctor's findings
        self._config = setup.config
        self.task = setup.task
        self._encoded_train = (setup.X, setup.Y)
        self._encoded_val = setup.validation
        self._trainer = None
        self._run += 1
        self._epochs_done = 0
        self._rows: list[list[float]] = []
        self._findings: list[dict] = []
        self._findings_at = 0.0
        self._last_frame = 0.0
        self._stop_reason: str | None = None
        self._error: str | None = None
        self._render(findings=True)

    def _start(self, epochs: int | None) -> None:
        """Let the worker train ``epochs`` more epochs (None: until paused); start it first."""
        with self._lock:
            if self.closed:
                return
            if self._epochs_done >= self.limits.max_epochs:
                raise SessionError(
                    f"this run has reached {self.limits.max_epochs} epochs, the server's "
                    "limit; reset to train again"
                )
            alive = self._alive()
            with self._gate:
                if alive and self._go.is_set():
                    # already training: "train" lifts a step's limit, "step" changes nothing
                    if epochs is None:
                        self._budget = None
                    return
                # Released before a new worker starts: a worker that reached the end of
                # its first epoch before the release would otherwise park there, and be
                # released into a second epoch of the same one-epoch step.
                self._budget = epochs
                self._parked.clear()  # running from now on, for anyone who asks
                self._go.set()
            if not alive:
                self._stop.clear()
                self._worker = threading.Thread(
                    target=self._work, name="mlplab-playground-worker", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        """The worker: the run's fit, parked and released by the hook; then a last frame."""
        try:
            data = self.data
            # one more than the hook allows, so fit never ends on max_iter (no warning)
            self.estimator.set_params(max_iter=self.limits.max_epochs - self._epochs_done + 1)
            self.estimator.fit(data.X_train, data.y_train, validation_data=(data.X_val, data.y_val))
            self.net = self.estimator.network_
            self._stop_reason = self.estimator.stop_reason_
        except Exception as error:  # shown on the page; the server keeps serving
            self._error = f"training stopped: {error}"
        finally:
            self._render(findings=True)

    def _after_epoch(self, trainer, logs) -> bool:
        """Record the epoch, maybe render a frame; True ends the fit."""
        self.net = trainer.net
        self._epochs_done += 1
        self._rows.append(
            [float(self._epochs_done), *(float(logs.get(name, math.nan)) for name in CURVES)]
        )
        if self._stop.is_set() or self.closed or self._epochs_done >= self.limits.max_epochs:
            return True
        with self._gate:
            if self._budget is not None:
                self._budget -= 1
                if self._budget <= 0:
                    self._go.clear()
            going = self._go.is_set()
        if going:
            now = time.monotonic()
            if now - self._last_frame >= 1.0 / self.limits.frame_rate:
                self._render(findings=now - self._findings_at >= FINDINGS_EVERY, running=True)
            return False
        self._trainer = trainer
        self._render(findings=True)  # the paused state, with the doctor's findings
        with self._gate:
            if not self._go.is_set():  # else a request to train came during the render
                self._parked.set()
        self._go.wait()
        return self._stop.is_set() or self.closed

    def _render(self, findings: bool, running: bool = False) -> None:
        """Compute a frame of the current network and make it the newest."""
        if self.closed:
            return
        self._last_frame = time.monotonic()
        if findings:
            self._findings = self._doctor()
            self._findings_at = self._last_frame
        frame = network_frame(self.net, self.data)
        frame.update(
            run=self._run,
            epoch=self._epochs_done,
            running=running,
            findings=self._findings,
            error=self._error,
            limit=self._epochs_done >= self.limits.max_epochs,
        )
        self._publish(frame)

    def _publish(self, frame: dict) -> None:
        self._frame = frame
        self._version += 1

    def _doctor(self) -> list[dict]:
        """The doctor's findings of this run (:func:`mlplab.diagnostics.run_findings`)."""
        trainer = self._trainer
        history = trainer.history if trainer is not None else None
        findings = diagnostics.run_findings(
            self._initial,
            self.net,
            history,
            task=self.task,
            config=self._config,
            train=self._encoded_train,
            validation=self._encoded_val,
            stop_reason=trainer.stop_reason if trainer is not None else None,
            random_state=self.config.seed,
        )
        return [
            {k: v for k, v in f.to_dict().items() if k != "details"}
            for f in findings
            if f.status != diagnostics.SKIP
        ]


def frame_json(value) -> str:
    """A frame (or rows) as JSON text; NaN and ±inf (a diverged epoch) become null."""
    return json.dumps(to_json(value, finite=True), separators=(",", ":"))
