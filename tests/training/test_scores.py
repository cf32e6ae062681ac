"""The trainer's scores are :mod:`mlplab.metrics`' scores.

The fused output kernels count the examples they get right inside their pass, and sum
the squared residuals for R²; these tests hold both backends to ``metrics.count_correct``
and ``metrics.r2`` for every output layer and task, on outputs built to sit exactly on
the rules' edges (sigmoid outputs of exactly 0.5, softmax rows whose maximum is shared),
and hold the history's columns to the same functions.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlplab import _kernels, metrics
from mlplab.network import Network, copy_rows
from mlplab.training import Trainer, TrainingConfig


def _backends():
    """The numpy reference, and the compiled backend when numba is installed."""
    backends = [pytest.param("numpy", id="numpy")]
    try:
        import numba  # noqa: F401
    except ImportError:
        return backends
    return [*backends, pytest.param("numba", id="numba")]


#: output layer, task, batch size m, outputs K. Softmax at m·K ≥ 256 takes the kernels'
#: second path (numpy's exp between two compiled passes); "exp" has no compiled kernel.
CASES = [
    ("softmax", "multiclass", 12, 5),
    ("softmax", "multiclass", 60, 5),
    ("sigmoid", "binary", 40, 1),
    ("sigmoid", "multilabel", 40, 4),
    ("sigmoid", "multiclass", 40, 4),  # K sigmoid units, one per class
    ("identity", "binary", 40, 1),
    ("identity", "regression", 40, 3),
    ("exp", "regression", 40, 3),
]


def _batch(output, task, m, K, rng, dtype):
    """A one-layer network, inputs and targets whose outputs hit the scoring rules' edges.

    Each logit is b + w·x with x a small whole number and w in {±1, ±0.5, 0}. The first
    four rows have x = 0: every logit there is b, so a sigmoid output is exactly 0.5 (an
    identity output too, with b = 0.5) and a softmax row is a tie of all its units; their
    targets (all ones, or the last class) count as right only under metrics' rules
    (≥ 0.5; the first maximum). Every other row has no tie and no output at 0.5.
    """
    net = Network([1, K], "relu", output, random_state=0, dtype=dtype)
    weights = np.array([1.0, -1.0, 0.5, -0.5, 0.0])[:K]
    bias = 0.5 if output == "identity" else 0.0
    net.thetas = [np.column_stack([np.full(K, bias), weights]).astype(dtype)]
    X = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(m, 1)).astype(dtype)
    X[:4] = 0
    if task == "regression":
        Y = rng.normal(size=(m, K)).astype(dtype)
        Y[:, 0] = 1.5  # a constant target: R²'s SS_tot = 0 rule
    elif task == "multiclass":
        Y = np.eye(K, dtype=dtype)[rng.integers(0, K, m)]
        Y[:4] = np.eye(K, dtype=dtype)[K - 1]
    else:
        Y = rng.integers(0, 2, size=(m, K)).astype(dtype)
        Y[:4] = 1
    return net, X, Y


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("output", "task", "m", "K"), CASES)
def test_the_kernels_score_as_metrics(backend, dtype, output, task, m, K):
    net, X, Y = _batch(output, task, m, K, np.random.default_rng(m + K), dtype)
    with _kernels.use_backend(backend):
        kernels = _kernels.kernels_for(dtype)
    ws = net.workspace(m)
    copy_rows(X, slice(None), ws.inputs)
    residual_ss = np.zeros(K) if task == "regression" else None
    with np.errstate(under="ignore"):
        _, correct = net.train_forward(ws, Y, kernels, _kernels.TASK_CODES[task], residual_ss)
    if task == "regression":
        # The kernels' Σ (a − y)² per output, through metrics' R², against metrics' R².
        # The kernels subtract in the network's dtype (one rounding of a − y, then m
        # squares summed: ≤ (m + 2)·eps relative), metrics in float64.
        kernels_r2 = metrics.r2_from_sums(residual_ss, metrics.total_sum_of_squares(Y))
        expected = metrics.r2(ws.output, Y)
        bound = (m + 2) * np.finfo(dtype).eps * (1 - expected)  # 1 − R² = mean of SS_res/SS_tot
        assert abs(kernels_r2 - expected) <= bound
        assert metrics.r2(Y, Y) == 1.0  # the constant column fitted exactly scores 1
        return
    assert correct == metrics.count_correct(task, ws.output, Y)
    # the edges were reached, so the agreement says something about them
    edge = ws.output[:4]
    assert (edge == (edge[:, :1] if output == "softmax" else 0.5)).all()
    assert 0 < correct < m


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize(
    ("output", "task", "solver"),
    [
        ("softmax", "multiclass", "gd"),
        ("sigmoid", "multilabel", "gd"),
        ("sigmoid", "binary", "lbfgs"),
        ("identity", "regression", "gd"),
        ("identity", "regression", "lbfgs"),
    ],
)
def test_the_history_scores_as_metrics(backend, output, task, solver):
    rng = np.random.default_rng(3)
    K = 1 if task in ("binary", "regression") else 3
    X = rng.normal(size=(90, 4))
    scores = X @ rng.normal(size=(4, K))
    Y = {
        "multiclass": lambda: np.eye(K)[scores.argmax(axis=1)],
        "regression": lambda: scores + rng.normal(scale=0.3, size=scores.shape),
    }.get(task, lambda: (scores > 0).astype(float))()
    net = Network([4, 5, K], "tanh", output, random_state=1)
    start = net.copy()
    config = TrainingConfig(solver=solver, max_iter=3, learning_rate_init=0.1)
    trainer = Trainer(net, config, task=task, random_state=0)
    with _kernels.use_backend(backend):
        history = trainer.fit(X[:60], Y[:60], validation_data=(X[60:], Y[60:]))
    if task == "regression":
        score, column = metrics.r2, "r2"
    else:

        def score(output, Y):
            return metrics.accuracy(task, output, Y)

        column = "accuracy"
    # gd's row 1 scores θ before its step; lbfgs' rows score θ after each iteration
    scored = start if solver == "gd" else net
    row = 0 if solver == "gd" else -1
    train = score(scored.forward(X[:60]), Y[:60])
    assert history[f"train_{column}"][row] == pytest.approx(train, rel=1e-12)
    val = score(net.forward(X[60:]), Y[60:])
    assert history[f"val_{column}"][-1] == pytest.approx(val, rel=1e-12)


WEIGHTED = [("softmax", "multiclass"), ("identity", "regression")]


@pytest.mark.parametrize(("output", "task"), WEIGHTED)
def test_weighted_validation_scores_as_metrics(output, task):
    rng = np.random.default_rng(5)
    K = 1 if task == "regression" else 3
    X = rng.normal(size=(90, 4))
    scores = X @ rng.normal(size=(4, K))
    Y = scores if task == "regression" else np.eye(K)[scores.argmax(axis=1)]
    weights = rng.uniform(0.2, 3.0, size=90)
    net = Network([4, 5, K], "tanh", output, random_state=1)
    config = TrainingConfig(solver="adam", batch_size=20, max_iter=3)
    trainer = Trainer(net, config, task=task, random_state=0)
    validation = (X[60:], Y[60:], weights[60:])
    history = trainer.fit(X[:60], Y[:60], validation_data=validation, sample_weight=weights[:60])
    output_val = net.forward(X[60:])
    if task == "regression":
        expected, column = metrics.r2(output_val, Y[60:], weights[60:]), "val_r2"
    else:
        expected = metrics.accuracy(task, output_val, Y[60:], weights[60:])
        column = "val_accuracy"
    assert history[column][-1] == pytest.approx(expected, rel=1e-12)
