"""numba versions of the training step's fused passes (imported only by :mod:`._kernels`).

Each function does in one pass over memory what the numpy reference in
:mod:`mlplab._kernels` does in several ufunc calls; the two are tested to agree to
rounding. The rules that make them fast and safe:

- ``error_model="numpy"``: a float division never checks for zero (numba's default
  "python" model does, and that branch keeps LLVM from vectorizing the loop);
- fastmath only as ``contract`` (fused multiply-add), ``reassoc`` (vectorized sums) and
  ``nsz``; never ``nnan``/``ninf``, because divergence must still show up as inf or NaN,
  and never approximate reciprocals or functions;
- serial code (no ``parallel=True``): no thread pool that could fight BLAS's threads on a
  small machine, nothing that breaks after ``fork``, and results that do not depend on a
  thread count. Every reduction runs in a fixed order, so a run is bit-for-bit
  reproducible;
- indices into the flat parameter buffer are unsigned, so numba emits no negative-index
  wraparound and the inner loops stay vectorizable;
- ``cache=True``: compiled once per machine into ``__pycache__``, then loaded;
- helpers that kernels share are inlined by numba itself (``inline="always"``): a kernel
  that called another compiled function gave a last-bit different loss when freshly
  compiled than when loaded from the cache (LLVM optimized the pair differently), and a
  run resumed in another process must reproduce the original bit for bit.

Layouts: a workspace buffer ``L`` (``Workspace.a_with_bias[l]``) of shape ``(m, u + 1)``
holds ``[1, a⁽ˡ⁾]`` with the bias column 0; ``D`` of shape ``(m, u)`` holds δ⁽ˡ⁾. For the
L2 term θ is walked row by row: row r of the flat buffer starts at ``starts[r]``, its
entry 0 is a bias (never regularized) and the other ``lengths[r] − 1`` entries are weights.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_FASTMATH = {"contract", "reassoc", "nsz"}
_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": _FASTMATH}

# What the output kernels count besides the loss (the trainer's per-epoch metric).
TASK_NONE, TASK_MULTICLASS, TASK_BINARY, TASK_MULTILABEL, TASK_REGRESSION = 0, 1, 2, 3, 4


@njit(**_OPTIONS)
def gather(X, Y, order, start, inputs, targets):
    """inputs[r, 1:] ← X[order[start + r]] and targets[r] ← Y[order[start + r]]."""
    n = X.shape[1]
    k = Y.shape[1]
    for r in range(inputs.shape[0]):
        i = order[start + r]
        for j in range(n):
            inputs[r, j + 1] = X[i, j]
        for j in range(k):
            targets[r, j] = Y[i, j]


@njit(inline="always", **_OPTIONS)
def _row_metric(A, Y, i, task, residual_ss):
    """1 if example i is classified right (task codes above), else 0; regression sums."""
    K = A.shape[1]
    if task == TASK_MULTICLASS:
        # first maximum of each row, as np.argmax; selects instead of branches
        best_a = 0
        best_y = 0
        for k in range(1, K):
            best_a = k if A[i, k] > A[i, best_a] else best_a
            best_y = k if Y[i, k] > Y[i, best_y] else best_y
        return 1 if best_a == best_y else 0
    if task == TASK_BINARY:
        return 1 if (A[i, 0] >= 0.5) == (Y[i, 0] >= 0.5) else 0
    if task == TASK_MULTILABEL:
        for k in range(K):
            if (A[i, k] >= 0.5) != (Y[i, k] >= 0.5):
                return 0
        return 1
    if task == TASK_REGRESSION:
        for k in range(K):
            r = np.float64(A[i, k]) - np.float64(Y[i, k])
            residual_ss[k] += r * r
    return 0


@njit(**_OPTIONS)
def softmax_output(Z, Y, A, D, scale, task, residual_ss):
    """A ← softmax(Z), D ← (A − Y)·scale; return (Σ −y log a, examples right).

    Everything in one pass, with numba's scalar exp: the choice for small batches.
    """
    m, K = Z.shape
    for i in range(m):
        top = Z[i, 0]
        for k in range(1, K):
            top = max(top, Z[i, k])
        for k in range(K):
            A[i, k] = np.exp(Z[i, k] - top)  # shifted logit ≤ 0: exp never overflows
    return _softmax_finish(Z, Y, A, D, scale, task, residual_ss)


@njit(**_OPTIONS)
def softmax_shift(Z, A):
    """A ← Z minus its row maximum (then exponentiated by numpy's vectorized exp)."""
    m, K = Z.shape
    for i in range(m):
        top = Z[i, 0]
        for k in range(1, K):
            top = max(top, Z[i, k])
        for k in range(K):
            A[i, k] = Z[i, k] - top


@njit(**_OPTIONS)
def softmax_finish(Z, Y, A, D, scale, task, residual_ss):
    """With A = e^(Z − row max): normalize A, D ← (A − Y)·scale; return (loss, right)."""
    return _softmax_finish(Z, Y, A, D, scale, task, residual_ss)


@njit(inline="always", **_OPTIONS)
def _softmax_finish(Z, Y, A, D, scale, task, residual_ss):
    """The body of ``softmax_finish``, inlined into both of its callers."""
    m, K = Z.shape
    loss = 0.0
    correct = 0
    for i in range(m):
        top = Z[i, 0]
        for k in range(1, K):
            top = max(top, Z[i, k])
        total = A.dtype.type(0.0)
        y_sum = 0.0
        y_dot_s = 0.0
        best_y = 0
        for k in range(K):
            total += A[i, k]
            y_sum += Y[i, k]
            y_dot_s += np.float64(Y[i, k]) * np.float64(Z[i, k] - top)
            best_y = k if Y[i, k] > Y[i, best_y] else best_y
        # −Σₖ yₖ log aₖ = log Σⱼ e^(sⱼ) · Σₖ yₖ − Σₖ yₖ sₖ, both terms ≥ 0 (s = z − max z)
        loss += math.log(np.float64(total)) * y_sum - y_dot_s
        best_a = 0
        for k in range(K):
            a = A[i, k] / total
            A[i, k] = a
            D[i, k] = (a - Y[i, k]) * scale
            best_a = k if a > A[i, best_a] else best_a  # the first maximum, as np.argmax
        if task == TASK_MULTICLASS:
            correct += 1 if best_a == best_y else 0
        elif task != TASK_NONE:
            correct += _row_metric(A, Y, i, task, residual_ss)
    return loss, correct


@njit(**_OPTIONS)
def sigmoid_output(Z, Y, A, D, scale, task, residual_ss):
    """A ← sigmoid(Z), D ← (A − Y)·scale; return (binary cross-entropy sum, right)."""
    m, K = Z.shape
    one = Z.dtype.type(1.0)
    loss = 0.0
    correct = 0
    for i in range(m):
        for k in range(K):
            z = Z[i, k]
            y = Y[i, k]
            e = np.exp(-abs(z))  # e^(−|z|) ≤ 1: never overflows
            # max(z, 0) − z·y + log(1 + e^(−|z|)), entry by entry (no cancellation)
            loss += (
                np.float64(max(z, Z.dtype.type(0.0)))
                - np.float64(z) * np.float64(y)
                + math.log1p(np.float64(e))
            )
            a = one / (one + e) if z >= 0 else e / (one + e)
            A[i, k] = a
            D[i, k] = (a - y) * scale
        correct += _row_metric(A, Y, i, task, residual_ss)
    return loss, correct


@njit(**_OPTIONS)
def identity_output(Z, Y, A, D, scale, task, residual_ss):
    """A ← Z, D ← (A − Y)·scale; return (½ Σ (a − y)², right)."""
    m, K = Z.shape
    loss = 0.0
    correct = 0
    for i in range(m):
        for k in range(K):
            a = Z[i, k]
            r = a - Y[i, k]
            A[i, k] = a
            D[i, k] = r * scale
            loss += 0.5 * np.float64(r) * np.float64(r)
        correct += _row_metric(A, Y, i, task, residual_ss)
    return loss, correct


@njit(**_OPTIONS)
def relu(L):
    """L[:, 1:] ← max(L[:, 1:], 0) in place (NaN stays NaN, as with np.maximum)."""
    m, width = L.shape
    for i in range(m):
        for j in range(1, width):
            if L[i, j] < 0:
                L[i, j] = 0


@njit(**_OPTIONS)
def reciprocal_one_plus(L):
    """L[:, 1:] ← 1 / (1 + L[:, 1:]) and L[:, 0] ← 1.

    The sigmoid 1/(1 + e^(−z)) once L holds e^(−z); column 0 is the bias unit again.
    """
    m, width = L.shape
    one = L.dtype.type(1.0)
    for i in range(m):
        L[i, 0] = one
        for j in range(1, width):
            L[i, j] = one / (one + L[i, j])


@njit(**_OPTIONS)
def relu_derivative(L, D):
    """D ← D .* relu′: zero where the unit was off (a ≤ 0, read from L[:, 1:])."""
    m, u = D.shape
    for i in range(m):
        for j in range(u):
            if L[i, j + 1] <= 0:
                D[i, j] = 0


@njit(**_OPTIONS)
def sigmoid_derivative(L, D):
    """D ← D .* a(1 − a), a read from L[:, 1:]."""
    m, u = D.shape
    one = D.dtype.type(1.0)
    for i in range(m):
        for j in range(u):
            a = L[i, j + 1]
            D[i, j] = D[i, j] * a * (one - a)


@njit(**_OPTIONS)
def tanh_derivative(L, D):
    """D ← D .* (1 − a²), a read from L[:, 1:]."""
    m, u = D.shape
    one = D.dtype.type(1.0)
    for i in range(m):
        for j in range(u):
            a = L[i, j + 1]
            D[i, j] = D[i, j] * (one - a * a)


@njit(**_OPTIONS)
def add_decay(theta, grad, starts, lengths, decay):
    """grad ← grad + decay·θ on the weights (entries 1: of every row); return Σ W².

    The sum runs row by row in a fixed order (a run is reproducible bit for bit).
    """
    squared = 0.0
    zero = theta.dtype.type(0.0)  # a row sums in θ's dtype: float32 sums 8 lanes at once
    one = np.uint64(1)
    for r in range(starts.size):
        row = zero
        for j in range(starts[r] + one, starts[r] + lengths[r]):
            t = theta[j]
            row += t * t
            grad[j] = grad[j] + decay * t
        squared += np.float64(row)
    return squared


@njit(**_OPTIONS)
def adam(theta, grad, first, second, c1, c2, step_size, eps):
    """One Adam step, per entry: m ← m + c1 (g − m); v ← v + c2 (g² − v);
    θ ← θ − η_t m / (√v + ε), with c1 = 1 − β₁, c2 = 1 − β₂ and η_t = ``step_size``.
    """
    for i in range(theta.size):
        g = grad[i]
        m = first[i] + c1 * (g - first[i])
        v = second[i] + c2 * (g * g - second[i])
        first[i] = m
        second[i] = v
        theta[i] = theta[i] - step_size * (m / (np.sqrt(v) + eps))


@njit(**_OPTIONS)
def sgd(theta, grad, velocity, rate, momentum, nesterov):
    """One SGD step with momentum: v ← μ v − η g; θ ← θ + v, or with Nesterov's
    momentum θ ← θ − η g + μ v.
    """
    for i in range(theta.size):
        scaled = rate * grad[i]
        v = momentum * velocity[i] - scaled
        velocity[i] = v
        if nesterov:
            theta[i] = theta[i] - scaled + momentum * v
        else:
            theta[i] = theta[i] + v


@njit(**_OPTIONS)
def adam_with_decay(theta, grad, first, second, starts, lengths, decay, c1, c2, step_size, eps):
    """``add_decay`` then ``adam``, row by row while the row is in cache; return Σ W².

    Each row runs the very loops of the two kernels one after the other, so the result
    is theirs bit for bit, with one trip through memory instead of two.
    """
    squared = 0.0
    zero = theta.dtype.type(0.0)  # a row sums in θ's dtype: float32 sums 8 lanes at once
    one = np.uint64(1)
    for r in range(starts.size):
        s = starts[r]
        e = s + lengths[r]
        row = zero
        for j in range(s + one, e):
            t = theta[j]
            row += t * t
            grad[j] = grad[j] + decay * t
        squared += np.float64(row)
        for i in range(s, e):
            g = grad[i]
            m = first[i] + c1 * (g - first[i])
            v = second[i] + c2 * (g * g - second[i])
            first[i] = m
            second[i] = v
            theta[i] = theta[i] - step_size * (m / (np.sqrt(v) + eps))
    return squared


@njit(**_OPTIONS)
def sgd_with_decay(theta, grad, velocity, starts, lengths, decay, rate, momentum, nesterov):
    """``add_decay`` then ``sgd``, row by row; return Σ W² (see ``adam_with_decay``)."""
    squared = 0.0
    zero = theta.dtype.type(0.0)  # a row sums in θ's dtype: float32 sums 8 lanes at once
    one = np.uint64(1)
    for r in range(starts.size):
        s = starts[r]
        e = s + lengths[r]
        row = zero
        for j in range(s + one, e):
            t = theta[j]
            row += t * t
            grad[j] = grad[j] + decay * t
        squared += np.float64(row)
        for i in range(s, e):
            scaled = rate * grad[i]
            v = momentum * velocity[i] - scaled
            velocity[i] = v
            if nesterov:
                theta[i] = theta[i] - scaled + momentum * v
            else:
                theta[i] = theta[i] + v
    return squared
