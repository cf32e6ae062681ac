"""``lbfgs`` and ``cg``: the whole training set's (J, ∇J) handed to scipy.optimize.minimize.

Their history has a row per optimizer iteration. They cannot be checkpointed
(:func:`mlplab.solvers.check_resumable`): scipy's state cannot be saved mid-run.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .scores import class_indices, count_correct, r2

__all__ = ["ScipyMixin"]


class ScipyMixin:
    """The scipy solvers' part of the Trainer."""

    def _fit_scipy(self, X, Y, validation, max_iterations: int, weights=None) -> None:
        """Minimize J over the whole training set with scipy's L-BFGS-B or CG."""
        from scipy.optimize import minimize

        if max_iterations <= 0:
            return
        net, config = self.net, self.config
        lam = config.alpha
        val_batch = self._validation_batch(validation)
        labels = class_indices(Y) if self.task == "multiclass" else None
        grad = self._grad
        m_total = X.shape[0]
        progress = self._progress(self.epoch + max_iterations)
        started = [time.perf_counter()]
        before = net.theta.astype(np.float64)

        def cost_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
            net.theta[...] = x
            cost, _ = net.cost_and_grad(X, Y, lam, out=grad, sample_weight=weights)
            return cost, grad.astype(np.float64)

        def record(intermediate_result) -> None:
            net.theta[...] = intermediate_result.x
            self.epoch += 1
            self.examples_seen += m_total
            loss = float(intermediate_result.fun)  # J: the data term summed over outputs
            if self.loss_divisor != 1:
                penalty = net.penalty(lam, m_total if weights is None else weights.sum())
                loss = (loss - penalty) / self.loss_divisor + penalty
            row = {"epoch": self.epoch, "train_loss": loss}
            output = net.forward(X)
            if self.task == "regression":
                row["train_r2"] = r2(output, Y)
            else:
                row["train_accuracy"] = (
                    count_correct(self.task, output, Y, labels, slice(None)) / m_total
                )
            if val_batch is not None:
                row.update(self._evaluate_validation(val_batch))
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
