"""The compiled kernels compute what the numpy reference computes, to rounding.

Every fused pass of the training step (mlplab._numba_kernels) is run next to its numpy
reference (mlplab._kernels.NumpyKernels, the optimizers' whole-array updates) on the same
inputs, in float32 and float64; then whole training runs on the two backends are
compared. Agreement is to float tolerance, not bit for bit: the compiled loops use fused
multiply-adds, sum in another order and numba's own exp/log.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from mlplab import _kernels
from mlplab.network import Network
from mlplab.optimizers import SGD, Adam
from mlplab.training import Trainer, TrainingConfig

DTYPES = [np.float32, np.float64]
#: relative tolerance of one pass: a few ulp of the dtype
RTOL = {np.float32: 2e-6, np.float64: 1e-13}


@pytest.fixture(scope="module")
def compiled():
    """The numba backend, compiled for both dtypes (from the disk cache after one run)."""
    with _kernels.use_backend("numba"):
        for dtype in DTYPES:
            kernels = _kernels.kernels_for(dtype)
    assert kernels.compiled
    return kernels


def _workspace_pair(sizes, m, dtype, seed=0):
    """Two networks' workspaces of batch size m holding the same random layers."""
    rng = np.random.default_rng(seed)
    pair = []
    for _ in range(2):
        net = Network(sizes, "relu", "softmax", random_state=0, dtype=dtype)
        pair.append(net.workspace(m))
    for layers in zip(*(ws.a_with_bias[1:] for ws in pair)):
        values = rng.normal(size=layers[0][:, 1:].shape)
        for layer in layers:
            layer[:, 1:] = values
    return pair


# ---------------------------------------------------------------------- one pass each
@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_copies_the_same_rows(compiled, dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 7)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 50)]
    order = rng.permutation(50)
    ws_numpy, ws_numba = _workspace_pair([7, 5, 3], 16, dtype)
    targets = [np.empty((16, 3), dtype) for _ in range(2)]
    _kernels.NUMPY.gather(X, Y, order, 20, ws_numpy, targets[0])
    compiled.gather(X, Y, order, 20, ws_numba, targets[1])
    np.testing.assert_array_equal(ws_numba.a_with_bias[1], ws_numpy.a_with_bias[1])
    np.testing.assert_array_equal(ws_numba.inputs, X[order[20:36]])
    np.testing.assert_array_equal(targets[1], targets[0])
    assert (ws_numba.a_with_bias[1][:, 0] == 1).all()


def _targets(name: str, task: int, shape, rng, dtype):
    """Targets that suit an output layer and a task code."""
    m, K = shape
    if task == _kernels.TASK_CODES["regression"]:
        return rng.normal(size=shape).astype(dtype)
    if name == "softmax" or task == _kernels.TASK_CODES["multiclass"]:
        return np.eye(K, dtype=dtype)[rng.integers(0, K, m)]
    return rng.integers(0, 2, size=shape).astype(dtype)


OUTPUT_CASES = [
    ("softmax", "multiclass", 8),  # small: numba's own exp, one fused loop
    ("softmax", "multiclass", 64),  # m·K ≥ 256: numpy's exp between two compiled passes
    ("softmax", None, 64),
    ("sigmoid", "binary", 16),
    ("sigmoid", "multilabel", 16),
    ("sigmoid", "multiclass", 16),
    ("identity", "regression", 16),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "task", "m"), OUTPUT_CASES)
def test_output_loss_delta_and_metric_agree(compiled, dtype, name, task, m):
    rng = np.random.default_rng(2)
    K = 1 if task == "binary" else 5
    code = _kernels.TASK_CODES[task]
    Y = _targets(name, code, (m, K), rng, dtype)
    logits = (4 * rng.normal(size=(m, K)) + 4 * Y).astype(dtype)  # some of them right
    results = []
    for kernels in (_kernels.NUMPY, compiled):
        net = Network([3, K], "relu", name, random_state=0, dtype=dtype)
        ws = net.workspace(m)
        ws.logits[...] = logits
        sums = np.zeros(K) if task == "regression" else None
        with np.errstate(under="ignore"):
            loss, right = kernels.output_loss_delta_and_score(name, ws, Y, ws.scale, code, sums)
        results.append((loss, right, ws.output.copy(), ws.delta[-1].copy(), sums))
    (loss0, right0, out0, delta0, sums0), (loss1, right1, out1, delta1, sums1) = results
    rtol = RTOL[dtype]
    assert loss1 == pytest.approx(loss0, rel=50 * rtol)
    assert right1 == right0
    np.testing.assert_allclose(out1, out0, rtol=4 * rtol, atol=1e-30)
    np.testing.assert_allclose(delta1, delta0, rtol=4 * rtol, atol=rtol / m)
    if sums0 is not None:
        np.testing.assert_allclose(sums1, sums0, rtol=50 * rtol)
    if code == _kernels.TASK_CODES["multiclass"]:
        assert right0 == np.count_nonzero(out0.argmax(axis=1) == Y.argmax(axis=1)) > 0


def test_softmax_paths_agree_on_extreme_logits(compiled):
    # Logits of ±1e4 saturate: the loss stays finite and the probabilities are 0 and 1.
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]] * 100)
    Y = np.eye(3)[[0, 1] * 100]
    for kernels in (_kernels.NUMPY, compiled):
        net = Network([2, 3], "relu", "softmax", random_state=0)
        ws = net.workspace(200)
        ws.logits[...] = logits
        with np.errstate(under="ignore"):
            loss, right = kernels.output_loss_delta_and_score("softmax", ws, Y, ws.scale, 1, None)
        assert loss == pytest.approx(100 * np.log(2))
        assert right == 200
        np.testing.assert_allclose(ws.output[:2], [[1, 0, 0], [0, 0.5, 0.5]], atol=1e-300)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "identity"])
def test_activation_and_derivative_agree(compiled, dtype, activation):
    ws_numpy, ws_numba = _workspace_pair([4, 33, 3], 9, dtype, seed=3)
    ws_numpy.a[2][0, :3] = [0.0, -0.0, 50.0]  # relu's kink, and a saturated sigmoid
    ws_numba.a[2][0, :3] = [0.0, -0.0, 50.0]
    rng = np.random.default_rng(4)
    delta = rng.normal(size=(9, 33)).astype(dtype)
    deltas = []
    for kernels, ws in ((_kernels.NUMPY, ws_numpy), (compiled, ws_numba)):
        with np.errstate(under="ignore", over="ignore"):
            kernels.activate(activation, ws.a_with_bias[2], ws.a[2])
        d = delta.copy()
        kernels.derivative(activation, ws.a_with_bias[2], d, ws)
        deltas.append(d)
        assert (ws.a_with_bias[2][:, 0] == 1).all()  # the bias unit survives
    rtol = RTOL[dtype]
    np.testing.assert_allclose(
        ws_numba.a_with_bias[2], ws_numpy.a_with_bias[2], rtol=4 * rtol, atol=0
    )
    np.testing.assert_allclose(deltas[1], deltas[0], rtol=4 * rtol, atol=0)
    if activation == "relu":
        assert (deltas[1][0, :2] == 0).all()  # relu′(0) is 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("decay", [0.0, 0.03])
def test_add_decay_adds_lambda_over_m_theta_to_the_weights_only(compiled, dtype, decay):
    net = Network([5, 4, 3], "relu", "softmax", random_state=5, dtype=dtype)
    layout = net.layout
    grad = np.random.default_rng(6).normal(size=net.n_params).astype(dtype)
    grads = [grad.copy(), grad.copy()]
    sums = [
        kernels.add_decay(net.theta, g, layout, decay)
        for kernels, g in zip((_kernels.NUMPY, compiled), grads)
    ]
    np.testing.assert_allclose(grads[1], grads[0], rtol=RTOL[dtype])
    expected = grad.astype(np.float64).copy()
    weights = sum(float((t[:, 1:].astype(np.float64) ** 2).sum()) for t in net.thetas)
    start = 0
    for theta in net.thetas:
        block = expected[start : start + theta.size].reshape(theta.shape)
        block[:, 1:] += decay * theta[:, 1:]  # the bias column 0 is not regularized
        start += theta.size
    np.testing.assert_allclose(grads[1], expected, rtol=10 * RTOL[dtype])
    assert sums[0] == pytest.approx(weights if decay else 0.0, rel=10 * RTOL[dtype])
    assert sums[1] == pytest.approx(sums[0], rel=10 * RTOL[dtype])


def _optimizer_pair(make, n, dtype, compiled):
    """Two optimizers made by ``make``: one on numpy, one on the compiled kernels."""
    reference, fast = make(n, dtype), make(n, dtype)
    fast.kernels = compiled
    return reference, fast


OPTIMIZERS = {
    "adam": lambda n, dtype: Adam(n, dtype, learning_rate_init=0.01, beta_1=0.8, beta_2=0.99),
    "sgd-nesterov": lambda n, dtype: SGD(n, dtype, learning_rate_init=0.1, momentum=0.9),
    "sgd-momentum": lambda n, dtype: SGD(
        n, dtype, learning_rate_init=0.1, momentum=0.7, nesterov=False
    ),
    "sgd-plain": lambda n, dtype: SGD(n, dtype, learning_rate_init=0.1, momentum=0.0),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_agree(compiled, dtype, name):
    rng = np.random.default_rng(7)
    n = 1000  # long enough for the vectorized body and its remainder loop
    reference, fast = _optimizer_pair(OPTIMIZERS[name], n, dtype, compiled)
    theta0 = rng.normal(size=n).astype(dtype)
    thetas = [theta0.copy(), theta0.copy()]
    for _ in range(5):
        grad = rng.normal(size=n).astype(dtype)
        reference.step(thetas[0], grad.copy())
        fast.step(thetas[1], grad.copy())
    # a few ulp of the largest entry: m and the velocity are differences that can cancel
    np.testing.assert_allclose(thetas[1], thetas[0], rtol=0, atol=20 * RTOL[dtype])
    for (key, a), b in zip(reference.state_dict()[0].items(), fast.state_dict()[0].values()):
        scale = float(np.abs(a).max())
        np.testing.assert_allclose(b, a, rtol=0, atol=20 * RTOL[dtype] * scale, err_msg=key)
    assert thetas[1].dtype == dtype
    assert fast.learning_rate == reference.learning_rate


# ---------------------------------------------------------------------- whole runs
RUNS = [
    # hidden, output, task, solver settings
    ("relu", "softmax", "multiclass", {"solver": "adam", "learning_rate_init": 0.01}),
    ("sigmoid", "sigmoid", "multilabel", {"solver": "sgd", "learning_rate_init": 0.5}),
    ("tanh", "identity", "regression", {"solver": "sgd", "nesterovs_momentum": False}),
]


def _problem(task: str, rng):
    """240 examples of 6 features with targets for ``task``."""
    X = rng.normal(size=(240, 6))
    scores = X @ rng.normal(size=(6, 3))
    if task == "multiclass":
        return X, np.eye(3)[scores.argmax(axis=1)]
    if task == "multilabel":
        return X, (scores > 0).astype(float)
    return X, np.tanh(scores)


@pytest.mark.parametrize(("activation", "output", "task", "settings"), RUNS)
def test_a_compiled_run_matches_the_numpy_run(activation, output, task, settings):
    X, Y = _problem(task, np.random.default_rng(8))
    runs = {}
    for backend in ("numpy", "numba"):
        net = Network([6, 16, 3], activation, output, random_state=3)
        config = TrainingConfig(batch_size=32, max_iter=5, alpha=1e-2, **settings)
        trainer = Trainer(net, config, task=task, random_state=4)
        with _kernels.use_backend(backend):
            history = trainer.fit(X[:200], Y[:200], validation_data=(X[200:], Y[200:]))
        assert trainer._kernels.name == backend
        runs[backend] = (net.theta.copy(), history)
    (theta0, history0), (theta1, history1) = runs["numpy"], runs["numba"]
    np.testing.assert_allclose(theta1, theta0, rtol=1e-9, atol=1e-11)
    for column in history0:
        if column != "seconds":
            np.testing.assert_allclose(
                history1[column], history0[column], rtol=1e-9, err_msg=column
            )


def test_a_float32_epoch_of_mnist_shape_agrees_and_stays_float32():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(1024, 784)).astype(np.float32)
    Y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 1024)]
    thetas = {}
    for backend in ("numpy", "numba"):
        net = Network(
            [784, 256, 10],
            "relu",
            "softmax",
            initializer="glorot",
            random_state=0,
            dtype=np.float32,
        )
        trainer = Trainer(net, TrainingConfig(batch_size=128, max_iter=1), random_state=0)
        with _kernels.use_backend(backend):
            history = trainer.fit(X, Y)
        assert net.theta.dtype == trainer._grad.dtype == np.float32
        assert all(a.dtype == np.float32 for a in trainer.optimizer.state_dict()[0].values())
        thetas[backend] = (net.theta.copy(), history["train_loss"][0])
    np.testing.assert_allclose(thetas["numba"][0], thetas["numpy"][0], rtol=1e-4, atol=1e-6)
    assert thetas["numba"][1] == pytest.approx(thetas["numpy"][1], rel=1e-5)


def test_a_compiled_run_is_reproducible_bit_for_bit():
    X, Y = _problem("multiclass", np.random.default_rng(10))
    thetas = []
    for _ in range(2):
        net = Network([6, 16, 3], "relu", "softmax", random_state=3, dtype=np.float32)
        trainer = Trainer(net, TrainingConfig(batch_size=16, max_iter=3), random_state=1)
        with _kernels.use_backend("numba"):
            history = trainer.fit(X, Y)
        thetas.append((net.theta.copy(), history["train_loss"].copy()))
    np.testing.assert_array_equal(thetas[0][0], thetas[1][0])
    np.testing.assert_array_equal(thetas[0][1], thetas[1][1])


_REPRODUCE = """
import hashlib, numpy as np
from mlplab import _kernels
from mlplab.network import Network
from mlplab.training import Trainer, TrainingConfig
rng = np.random.default_rng(0)
X = rng.normal(size=(200, 6))
S = X @ rng.normal(size=(6, 3))
problems = [
    ("relu", "softmax", "multiclass", np.eye(3)[S.argmax(axis=1)], 16),
    ("relu", "softmax", "multiclass", np.eye(3)[S.argmax(axis=1)], 128),
    ("sigmoid", "sigmoid", "multilabel", (S > 0).astype(float), 16),
    ("tanh", "identity", "regression", np.tanh(S), 16),
]
with _kernels.use_backend("numba"):
    for activation, output, task, Y, batch in problems:
        net = Network([6, 8, 3], activation, output, random_state=0)
        config = TrainingConfig(batch_size=batch, max_iter=3, alpha=0.1)
        history = Trainer(net, config, task=task, random_state=0).fit(X, Y)
        rows = [float(v).hex() for name in history for v in history[name] if name != "seconds"]
        print(hashlib.md5(net.theta.tobytes() + str(rows).encode()).hexdigest())
"""


def test_fresh_and_cached_compiles_train_bit_for_bit_alike(tmp_path):
    # A checkpoint resumed in another process must continue the run exactly, whether
    # that process compiled the kernels itself or loaded them from numba's disk cache.
    import os
    import subprocess
    import sys

    environment = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", _REPRODUCE],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert any(tmp_path.rglob("*.nbc"))  # the first run compiled and cached ...
    assert runs[0] == runs[1]  # ... and the second, loading, trains identically
    assert len(runs[0].split()) == 4


def test_read_only_training_data_train_as_writable_data_do():
    # X and Y straight from a read-only buffer (a memory-mapped file, say) go to the
    # compiled gather as they are; numba compiles a read-only variant of it.
    X, Y = _problem("multiclass", np.random.default_rng(11))
    thetas = []
    for writable in (True, False):
        X_in, Y_in = X.copy(), Y.copy()
        X_in.flags.writeable = writable
        Y_in.flags.writeable = writable
        net = Network([6, 16, 3], "relu", "softmax", random_state=3)
        trainer = Trainer(net, TrainingConfig(batch_size=16, max_iter=2), random_state=1)
        with _kernels.use_backend("numba"):
            trainer.fit(X_in, Y_in)
        thetas.append(net.theta.copy())
    np.testing.assert_array_equal(thetas[0], thetas[1])
