"""The feed-forward network: unrolled parameters, forward propagation, cost and backprop.

Notation (the lecture's, layers numbered from 1): layer 1 is the input, layer L the output,
u_l units in layer l. θ⁽ˡ⁾ has shape ``(u_{l+1}, u_l + 1)`` and maps layer l to l + 1;
θ⁽ˡ⁾ᵢⱼ connects unit j of layer l to unit i of layer l + 1, and column j = 0 multiplies
the bias unit a₀⁽ˡ⁾ = 1. In code the list ``thetas`` is 0-based: ``thetas[0]`` is θ⁽¹⁾.

Batches are rows. The lecture writes one example as a column vector; here ``X`` holds m
examples as the rows of an ``(m, n)`` array, so every formula is the lecture's transposed:

===================================  ==============================================
lecture (one example, columns)       code (m examples, rows)
===================================  ==============================================
z⁽ˡ⁺¹⁾ = θ⁽ˡ⁾ [1; a⁽ˡ⁾]              Z = [1, A] @ θ.T            shape (m, u_{l+1})
a⁽ˡ⁺¹⁾ = f(z⁽ˡ⁺¹⁾)                   A = f(Z)
δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y                      Δ_L = A_L − Y               shape (m, K)
δ⁽ˡ⁾ = (θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾ .* f′(z⁽ˡ⁾)     D_l = (D_{l+1} @ θ[:, 1:]) * f′
Δ⁽ˡ⁾ += δ⁽ˡ⁺¹⁾ (a⁽ˡ⁾)ᵀ, summed over k   Δ = D_{l+1}.T @ [1, A_l]    shape of θ⁽ˡ⁾
===================================  ==============================================

Why the bias column stays inside θ: it is how the slides write it, and it also makes the
code faster. Each activation buffer carries its own column of ones, so one matrix product
gives z *with* the bias added, and one product ``δᵀ [1, A]`` gives the whole gradient of
θ⁽ˡ⁾, bias column included, straight into the gradient buffer.

All θ⁽ˡ⁾ live in one contiguous 1-D array, ``theta`` (the lecture's "unrolled"
parameters); ``thetas[l]`` is a view into it. Optimizers, gradient checking, L-BFGS and
model files all see that one vector. Update it in place; rebinding it would leave the
per-layer views pointing at the old memory.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from ._kernels import NUMPY, TASK_CODES
from ._rng import as_generator
from ._validation import check_lam, check_sample_weight
from .activations import ACTIVATIONS, resolve_activation
from .initializers import INITIALIZERS, renamed_epsilon, resolve_initializer
from .layout import ThetaLayout
from .losses import apply_output, resolve_output
from .memory import allocation, describe_network
from .names import explain_unknown_keywords
from .workspace import Workspace, copy_rows

__all__ = ["Network"]

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: Rows of a sparse X made dense at a time by cost and cost_and_grad.
SPARSE_CHUNK_ROWS = 1024


def resolve_dtype(dtype) -> np.dtype:
    """Return ``dtype`` as a numpy dtype if it is float32 or float64, else raise ValueError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    # Test with `is None` first: a dtype compares equal to None (numpy reads None as
    # float64), so `None in SUPPORTED_DTYPES` would be True.
    if resolved is None or resolved not in SUPPORTED_DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return resolved


class Network:
    """A fully connected feed-forward network with bias units.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first and output last: ``[n_in, u_2, ..., n_out]``.
        Two entries make a network with no hidden layer (logistic regression).
    activation : {"sigmoid", "tanh", "relu", "identity"}, default="sigmoid"
        f of the hidden units (``"logistic"`` is accepted for ``"sigmoid"``).
    output : {"sigmoid", "softmax", "identity", "exp"}, default="sigmoid"
        The output layer and, paired with it, the loss: binary cross-entropy per output
        (the lecture's cost), categorical cross-entropy, squared error, or half the
        Poisson deviance (e^z, the log link); see :mod:`mlplab.losses`.
    initializer : {"uniform", "glorot", "he", "zeros"}, default="uniform"
        How θ is drawn; see :mod:`mlplab.initializers`.
    init_epsilon : float, optional
        ε of the ``"uniform"`` initializer, θ ~ U[−ε, ε]. Default √6/√(u_in + u_out).
        (``epsilon``, its old name, works for one more release with a DeprecationWarning.)
    random_state : None, int or numpy.random.Generator
        Seed or generator for the initialization.
    dtype : {numpy.float64, numpy.float32}
        Type of the parameters and of every computation.

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        All parameters unrolled, layer after layer, each θ⁽ˡ⁾ row-major.
    thetas : list of ndarray of shape (u_{l+1}, u_l + 1)
        Views of ``theta`` in the lecture's layout; writing into them changes the network.
    """

    @explain_unknown_keywords("network")
    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "sigmoid",
        output: str = "sigmoid",
        *,
        initializer: str = "uniform",
        init_epsilon: float | None = None,
        random_state=None,
        dtype=np.float64,
        epsilon: float | None = None,
    ) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.activation = resolve_activation(activation)
        self.output = resolve_output(output)
        if self.output == "softmax" and self.layer_sizes[-1] < 2:
            # softmax over one unit is 1 whatever z is: J = 0, D = 0, nothing is learned
            raise ValueError(
                "output='softmax' needs at least 2 output units (it normalizes over them; "
                "over one unit it is always 1); for two classes use one sigmoid output "
                "unit, output='sigmoid'"
            )
        self.dtype = resolve_dtype(dtype)
        self.layout = ThetaLayout(self.layer_sizes)
        what = describe_network(self.layer_sizes, self.layout.size, self.dtype)
        with allocation(self.layout.size * self.dtype.itemsize, what):
            self._theta = np.zeros(self.layout.size, dtype=self.dtype)
        self._thetas = self.layout.thetas(self._theta)
        self._workspaces: dict[int, Workspace] = {}
        init_epsilon = renamed_epsilon("Network", epsilon, init_epsilon)
        self.initialize(initializer, init_epsilon=init_epsilon, random_state=random_state)

    # ------------------------------------------------------------------ parameters
    @property
    def theta(self) -> np.ndarray:
        """All parameters as one 1-D array (a writable view of the network's buffer)."""
        return self._theta

    @theta.setter
    def theta(self, values) -> None:
        values = np.asarray(values)
        if values.shape != self._theta.shape:
            raise ValueError(f"theta must have shape {self._theta.shape}, got {values.shape}")
        self._theta[...] = values  # copy in: the per-layer views must stay valid

    @property
    def thetas(self) -> list[np.ndarray]:
        """θ⁽¹⁾, ..., θ⁽ᴸ⁻¹⁾ as views of ``theta``, each of shape (u_{l+1}, u_l + 1)."""
        return list(self._thetas)

    @thetas.setter
    def thetas(self, matrices) -> None:
        matrices = list(matrices)
        if len(matrices) != len(self._thetas):
            raise ValueError(f"expected {len(self._thetas)} matrices, got {len(matrices)}")
        for layer, (view, values) in enumerate(zip(self._thetas, matrices), start=1):
            values = np.asarray(values)
            if values.shape != view.shape:
                raise ValueError(f"θ({layer}) must have shape {view.shape}, got {values.shape}")
        for view, values in zip(self._thetas, matrices):
            view[...] = values

    @property
    def weights(self) -> list[np.ndarray]:
        """W⁽ˡ⁾ = θ⁽ˡ⁾[:, 1:], the non-bias weights, as views of shape (u_{l+1}, u_l)."""
        return [theta[:, 1:] for theta in self._thetas]

    @property
    def biases(self) -> list[np.ndarray]:
        """b⁽ˡ⁾ = θ⁽ˡ⁾[:, 0], the bias weights, as views of shape (u_{l+1},)."""
        return [theta[:, 0] for theta in self._thetas]

    @property
    def n_params(self) -> int:
        """Number of parameters, bias weights included."""
        return self._theta.size

    @property
    def n_layers(self) -> int:
        """L, the number of layers counting input and output."""
        return len(self.layer_sizes)

    def initialize(
        self,
        initializer: str = "uniform",
        *,
        init_epsilon: float | None = None,
        random_state=None,
        epsilon: float | None = None,
    ) -> Network:
        """Draw new parameters in place with the named initializer; return ``self``.

        ``init_epsilon`` is ε of the ``"uniform"`` initializer (``epsilon`` its deprecated
        name).
        """
        fill = INITIALIZERS[resolve_initializer(initializer)]
        epsilon = renamed_epsilon("Network.initialize", epsilon, init_epsilon)
        if epsilon is not None and not (
            isinstance(epsilon, numbers.Real) and 0 < epsilon < math.inf
        ):
            raise ValueError(f"init_epsilon must be a positive finite number, got {epsilon!r}")
        rng = as_generator(random_state)
        n_layers = len(self._thetas)
        for index, theta in enumerate(self._thetas):
            # The output layer's units are not f-units; the gain rule follows the output.
            activation = self.activation if index < n_layers - 1 else self.output
            fill(theta, rng, init_epsilon=epsilon, activation=activation)
        return self

    def copy(self) -> Network:
        """Return an independent network with the same architecture and parameters."""
        clone = object.__new__(Network)
        clone.__dict__.update(self.__dict__)
        clone._theta = self._theta.copy()
        clone._thetas = self.layout.thetas(clone._theta)
        clone._workspaces = {}
        return clone

    def astype(self, dtype) -> Network:
        """Return a copy whose parameters and computations use ``dtype``."""
        clone = self.copy()
        clone.dtype = resolve_dtype(dtype)
        clone._theta = clone._theta.astype(clone.dtype)
        clone._thetas = self.layout.thetas(clone._theta)
        return clone

    def __repr__(self) -> str:
        sizes = "-".join(str(u) for u in self.layer_sizes)
        return (
            f"Network({sizes}, activation={self.activation!r}, output={self.output!r}, "
            f"dtype={self.dtype.name}, n_params={self.n_params})"
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_thetas"] = None  # views are rebuilt on unpickling
        state["_workspaces"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._thetas = self.layout.thetas(self._theta)

    # ------------------------------------------------------------------ prediction
    def forward(self, X) -> np.ndarray:
        """h_θ(X): output activations a⁽ᴸ⁾ of shape (m, n_out) for inputs X of shape (m, n_in)."""
        return self.activations(X)[-1]

    def decision_function(self, X) -> np.ndarray:
        """z⁽ᴸ⁾: the output layer's logits, shape (m, n_out), before the output function."""
        A = self._check_X(X)
        with np.errstate(under="ignore"):  # saturated units underflow harmlessly to 0
            for theta in self._thetas[:-1]:
                A = self._layer(A, theta)
                ACTIVATIONS[self.activation](A)
            return self._layer(A, self._thetas[-1])

    def activations(self, X) -> list[np.ndarray]:
        """[a⁽¹⁾, a⁽²⁾, ..., a⁽ᴸ⁾] for a batch, each of shape (m, u_l), without bias columns.

        a⁽¹⁾ is X itself (as the network's dtype); the hidden ones are the features the
        network has learned.
        """
        A = self._check_X(X)
        layers = [A]
        with np.errstate(under="ignore"):  # saturated units underflow harmlessly to 0
            for theta in self._thetas[:-1]:
                A = self._layer(A, theta)
                ACTIVATIONS[self.activation](A)
                layers.append(A)
            Z = self._layer(A, self._thetas[-1])
            layers.append(apply_output(self.output, Z, out=Z))
        return layers

    @staticmethod
    def _layer(A: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """z = [1, A] @ θᵀ, computed as A @ Wᵀ + b without building [1, A]."""
        Z = A @ theta[:, 1:].T
        Z += theta[:, 0]
        return Z

    # ------------------------------------------------------------------ learning
    @explain_unknown_keywords("network")
    def cost(self, X, Y, lam: float = 0.0) -> float:
        """J(θ): the mean loss over the m examples plus λ/(2m) Σ θ², bias column excluded.

        Y has shape (m, n_out): one-hot rows for classification, targets for regression.
        The loss of an example is summed over its K outputs (the lecture's J); the
        estimators *report* the squared error averaged over outputs, as scikit-learn
        does (see :class:`mlplab.MLPRegressor`), but minimize this J.
        """
        lam = check_lam(lam)
        X, Y = self.check_XY(X, Y)
        if sparse.issparse(X):
            return self._sparse_cost_and_grad(X, Y, lam, None)
        ws = self.workspace(X.shape[0])
        np.copyto(ws.inputs, X)
        with np.errstate(under="ignore"):  # saturated units underflow harmlessly to 0
            data_loss, _ = self.train_forward(ws, Y, NUMPY, TASK_CODES[None], None)
        return data_loss / X.shape[0] + self.penalty(lam, X.shape[0])

    @explain_unknown_keywords("network")
    def cost_and_grad(
        self, X, Y, lam: float = 0.0, *, out: np.ndarray | None = None, sample_weight=None
    ) -> tuple[float, np.ndarray]:
        """J(θ) and its gradient D (1-D, the layout of ``theta``), by vectorized backprop.

        D⁽ˡ⁾ = (Δ⁽ˡ⁾ + λθ⁽ˡ⁾)/m for columns j ≥ 1 and Δ⁽ˡ⁾/m for the bias column j = 0.
        ``out`` (shape ``theta.shape``, contiguous) receives the gradient when given.
        With ``sample_weight`` w of shape (m,) (scikit-learn's weighting), J is
        Σᵢ wᵢ·lossᵢ/Σw + λ/(2Σw) Σ θ², and δ⁽ᴸ⁾ of example i is wᵢ(a⁽ᴸ⁾ − y)/Σw.
        """
        lam = check_lam(lam)
        X, Y = self.check_XY(X, Y)
        grad = np.empty_like(self._theta) if out is None else out
        if grad.shape != self._theta.shape or grad.dtype != self.dtype:
            raise ValueError(
                f"out must have shape {self._theta.shape} and dtype {self.dtype}, "
                f"got {grad.shape} and {grad.dtype}"
            )
        if not grad.flags.c_contiguous or not grad.flags.writeable:
            # The per-layer gradients are written through reshaped views of ``out``; on a
            # strided array those reshapes would be copies and the gradient would be lost.
            raise ValueError("out must be a writeable, contiguous array; pass a fresh np.empty")
        weights = check_sample_weight(sample_weight, X.shape[0], self.dtype)
        if sparse.issparse(X):
            return self._sparse_cost_and_grad(X, Y, lam, grad, weights), grad
        m = X.shape[0] if weights is None else float(weights.sum())  # Σw: m when unweighted
        ws = self.workspace(X.shape[0])
        np.copyto(ws.inputs, X)
        # The passes the training step runs, with the numpy kernels: forward up to
        # δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)/m, backward to Δ⁽ˡ⁾/m, then D = Δ⁽ˡ⁾/m + λ/m·θ⁽ˡ⁾ for j ≥ 1.
        with np.errstate(under="ignore"):  # tiny δ of saturated units underflow harmlessly
            data_loss, _ = self.train_forward(ws, Y, NUMPY, TASK_CODES[None], None, weights)
            self.train_backward(ws, grad, NUMPY)
            squared = self.layout.add_decay(self._theta, grad, lam / m)
        return data_loss / m + lam / (2.0 * m) * squared, grad

    def deltas(self, x, y) -> dict[int, np.ndarray]:
        """δ⁽ˡ⁾ of every unit for one example, keyed by layer: ``net.deltas(x, y)[2]`` is δ⁽²⁾.

        The lecture's "error" of each unit; see :func:`mlplab.backprop.example_deltas`.
        """
        from .backprop import example_deltas

        return example_deltas(self, x, y)

    def _sparse_cost_and_grad(self, X, Y, lam: float, grad, weights=None) -> float:
        """J over a sparse X (and D into ``grad`` unless None), SPARSE_CHUNK_ROWS at a time.

        Each chunk's rows are made dense and go through the same forward and backward
        pass; its D part (scaled by its own m_c) is weighted by m_c/m, so the sum is Δ/m
        (with example weights: by the chunk's Σw over the whole Σw).
        """
        rows = X.shape[0]
        m = rows if weights is None else float(weights.sum())
        data_loss = 0.0
        part = None
        if grad is not None:
            grad.fill(0.0)
            part = np.empty_like(grad)
        with np.errstate(under="ignore"):  # saturated units underflow harmlessly to 0
            for start in range(0, rows, SPARSE_CHUNK_ROWS):
                stop = min(start + SPARSE_CHUNK_ROWS, rows)
                ws = self.workspace(stop - start)
                copy_rows(X, slice(start, stop), ws.inputs)
                chunk = None if weights is None else weights[start:stop]
                if chunk is not None and not chunk.sum() > 0:
                    continue  # no weight: nothing to add
                loss, _ = self.train_forward(
                    ws, Y[start:stop], NUMPY, TASK_CODES[None], None, chunk
                )
                data_loss += loss
                if grad is not None:
                    self.train_backward(ws, part, NUMPY)  # Δ/m_c of the chunk
                    part *= (stop - start if chunk is None else float(chunk.sum())) / m
                    grad += part
        if grad is not None:
            self.layout.add_decay(self._theta, grad, lam / m)  # + λ/m·W
        return data_loss / m + self.penalty(lam, m)

    def penalty(self, lam: float, m: int) -> float:
        """λ/(2m) Σₗ Σᵢ Σⱼ≥1 (θ⁽ˡ⁾ᵢⱼ)², the regularization term of J (bias excluded)."""
        if lam == 0:
            return 0.0
        return lam / (2.0 * m) * self.layout.squared_weights(self._theta)

    # ------------------------------------------------------------------ hot path
    def workspace(self, m: int) -> Workspace:
        """The buffers for batch size m, made on first use and kept."""
        ws = self._workspaces.get(m)
        if ws is None:
            if len(self._workspaces) >= 4:  # a few sizes are live at once: batch, last batch
                self._workspaces.clear()
            ws = self._workspaces[m] = Workspace(self.layer_sizes, m, self.dtype)
        return ws

    def train_forward(
        self, ws: Workspace, Y: np.ndarray, kernels, task: int, residual_ss, weights=None
    ) -> tuple[float, int]:
        """Forward propagation of a training batch, up to δ⁽ᴸ⁾, for the training loop.

        ``ws.inputs`` (a⁽¹⁾) holds the batch and ``Y`` its targets. Fills a⁽²⁾, ..., a⁽ᴸ⁾
        and δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)/m; returns the summed data loss of the batch and the
        examples it got right (see
        :meth:`mlplab._kernels.NumpyKernels.output_loss_delta_and_score`). The caller
        sets ``np.errstate``. With example weights w of shape (m,), δ⁽ᴸ⁾ is
        wᵢ(a⁽ᴸ⁾ − y)/Σw and the data loss Σᵢ wᵢ·lossᵢ.
        """
        if ws.theta_T_of is not self._theta:  # views made once per θ buffer
            ws.theta_T = [None] + [theta.T for theta in self._thetas]
            ws.theta_T_of = self._theta
        theta_T, a_with_bias, a = ws.theta_T, ws.a_with_bias, ws.a
        ws.forward_passes += 1
        activation = self.activation
        L = ws.L
        for l in range(1, L - 1):
            # z⁽ˡ⁺¹⁾ = [1, a⁽ˡ⁾] θ⁽ˡ⁾ᵀ, written where a⁽ˡ⁺¹⁾ will live, then a⁽ˡ⁺¹⁾ = f(z⁽ˡ⁺¹⁾)
            np.matmul(a_with_bias[l], theta_T[l], out=a[l + 1])
            kernels.activate(activation, a_with_bias[l + 1], a[l + 1])
        np.matmul(a_with_bias[L - 1], theta_T[L - 1], out=ws.logits)  # z⁽ᴸ⁾
        # a⁽ᴸ⁾, the loss, δ⁽ᴸ⁾ = (a⁽ᴸ⁾ − y)/m and the examples right, in one pass
        if weights is None:
            return kernels.output_loss_delta_and_score(
                self.output, ws, Y, ws.scale, task, residual_ss
            )
        scale = ws.scale.dtype.type(1.0 / weights.sum())
        return kernels.output_loss_delta_and_score(
            self.output, ws, Y, scale, task, residual_ss, weights
        )

    def train_backward(self, ws: Workspace, grad: np.ndarray, kernels) -> None:
        """Backpropagation after :meth:`train_forward`: D *without* the L2 term into ``grad``.

        The optimizer adds λ/m·W as it updates (``step_with_decay``), computing the
        penalty's Σ W² on the way, which saves passes over θ.
        """
        of_theta, of_grad = ws.D_and_W_of
        if of_theta is not self._theta or of_grad is not grad:  # views made once per pair
            ws.D = [None, *self.layout.thetas(grad)]
            ws.W = [None, *self.layout.weights(self._theta)]
            ws.D_and_W_of = (self._theta, grad)
        a_with_bias, delta, D, W = ws.a_with_bias, ws.delta, ws.D, ws.W
        activation = self.activation
        for l in range(ws.L - 1, 0, -1):
            np.matmul(delta[l + 1].T, a_with_bias[l], out=D[l])  # Δ⁽ˡ⁾/m = δ⁽ˡ⁺¹⁾ᵀ [1, a⁽ˡ⁾]
            if l > 1:
                # δ⁽ˡ⁾ = (θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾ without the bias row (W⁽ˡ⁾ = θ⁽ˡ⁾[:, 1:]), .* f′(z⁽ˡ⁾)
                np.matmul(delta[l + 1], W[l], out=delta[l])
                kernels.derivative(activation, a_with_bias[l], delta[l], ws)

    # ------------------------------------------------------------------ validation
    def _check_X(self, X) -> np.ndarray:
        """X as a 2-D array (or CSR matrix) of the network's dtype with n_in columns."""
        if sparse.issparse(X):
            X = sparse.csr_matrix(X, dtype=self.dtype)  # rows are gathered: CSR
        else:
            X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (m, {self.layer_sizes[0]}), got {X.shape}")
        return X

    def check_XY(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        """X and Y as 2-D arrays of matching lengths; Y gets n_out columns."""
        X = self._check_X(X)
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.ndim == 1 and self.layer_sizes[-1] == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape != (X.shape[0], self.layer_sizes[-1]):
            raise ValueError(
                f"Y must have shape ({X.shape[0]}, {self.layer_sizes[-1]}), got {Y.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError("X and Y must hold at least one example")
        return X, Y


def _check_layer_sizes(layer_sizes) -> tuple[int, ...]:
    """Layer sizes as a tuple of positive ints (at least input and output), or a ValueError."""
    try:
        sizes = tuple(layer_sizes)
    except TypeError:
        raise ValueError(
            f"layer_sizes must be a sequence of positive ints, got {layer_sizes!r}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least an input and an output size, got {sizes}")
    for size in sizes:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
            raise ValueError(f"layer sizes must be positive integers, got {sizes}")
    return tuple(int(s) for s in sizes)
