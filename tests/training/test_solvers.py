"""Each solver learns digits, and every update rule is the formula it claims to be."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlplab.network import Network
from mlplab.optimizers import SGD, Adam
from mlplab.training import Trainer, TrainingConfig
from mlplab.training.callbacks import EarlyStopping

from ._problems import accuracy

# solver, hidden activation, output, settings: small, fast configurations that reach 95 %
DIGITS_RUNS = [
    ("gd", "sigmoid", "sigmoid", {"learning_rate_init": 2.0, "max_iter": 300}),
    ("sgd", "relu", "softmax", {"learning_rate_init": 0.1, "batch_size": 32, "max_iter": 30}),
    ("adam", "relu", "softmax", {"learning_rate_init": 1e-2, "batch_size": 64, "max_iter": 30}),
    ("lbfgs", "relu", "softmax", {"max_iter": 100}),
    ("cg", "relu", "softmax", {"max_iter": 100}),
]


@pytest.mark.parametrize(("solver", "activation", "output", "settings"), DIGITS_RUNS)
def test_every_solver_learns_digits(digits, solver, activation, output, settings):
    net = Network([64, 50, 10], activation, output, random_state=0)
    alpha = 1e-4
    cost_before = net.cost(digits.X_train, digits.Y_train, alpha)

    trainer = Trainer(net, TrainingConfig(solver=solver, alpha=alpha, **settings), random_state=0)
    history = trainer.fit(digits.X_train, digits.Y_train)

    cost_after = net.cost(digits.X_train, digits.Y_train, alpha)
    assert cost_after < 0.1 * cost_before
    assert history["train_loss"][-1] < 0.2 * history["train_loss"][0]
    assert np.isfinite(history["train_loss"]).all()
    assert accuracy(net, digits.X_test, digits.y_test) >= 0.95
    assert trainer.stop_reason in ("max_iter", "converged")


def test_gd_is_the_slides_update_on_the_full_batch(digits):
    # θ := θ − η D with D from Network.cost_and_grad on all m examples, five times.
    X, Y = digits.X_train, digits.Y_train
    eta, lam = 0.7, 0.3
    net = Network([64, 20, 10], "sigmoid", "sigmoid", random_state=1)
    reference = Network([64, 20, 10], "sigmoid", "sigmoid", random_state=1)
    assert np.array_equal(net.theta, reference.theta)

    history = Trainer(
        net, TrainingConfig(solver="gd", learning_rate_init=eta, alpha=lam, max_iter=5)
    ).fit(X, Y)

    costs, grad_norms, ratios, accuracies = [], [], [], []
    for _ in range(5):
        accuracies.append(accuracy(reference, X, digits.y_train))
        cost, D = reference.cost_and_grad(X, Y, lam)
        before = [theta.copy() for theta in reference.thetas]
        reference.theta = reference.theta - eta * D
        costs.append(cost)
        grad_norms.append(np.linalg.norm(D))
        ratios.append(
            [
                np.linalg.norm(after - old) / np.linalg.norm(after)
                for after, old in zip(reference.thetas, before)
            ]
        )
    # The trainer's fused kernels and this loop may round D = (1/m) Σ δ aᵀ differently.
    # With sigmoid units |δ a| ≤ 1; the rounding of a sum of m terms is ≤ m·eps (worst
    # case) and ~√m·eps with random signs, so 5 steps of η = 0.7 move θ apart by about
    # 5·0.7·√1347·eps ≈ 3e-14 (worst case 1e-9): atol 1e-12 is 35× the expected difference.
    np.testing.assert_allclose(net.theta, reference.theta, rtol=0, atol=1e-12)
    # The row of epoch k describes the step taken from θ of epoch k − 1.
    np.testing.assert_allclose(history["train_loss"], costs, rtol=1e-12)
    np.testing.assert_allclose(history["grad_norm"], grad_norms, rtol=1e-10)
    np.testing.assert_allclose(history["train_accuracy"], accuracies, rtol=0, atol=0)
    for layer in (1, 2):
        np.testing.assert_allclose(
            history[f"update_ratio_{layer}"], [r[layer - 1] for r in ratios], rtol=1e-9
        )
    assert np.array_equal(history["learning_rate"], np.full(5, eta))


def _count_forward_passes(monkeypatch) -> list[int]:
    calls = [0]
    original = Network.train_forward

    def counted(self, *args, **kwargs):
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "train_forward", counted)
    return calls


def test_gd_reuses_the_end_of_epoch_check_as_the_next_forward_pass(digits, monkeypatch):
    # Each epoch's step is checked by a forward pass at the new θ; that pass is the next
    # epoch's forward pass: E epochs cost E + 1 passes, not 2E.
    calls = _count_forward_passes(monkeypatch)
    net = Network([64, 20, 10], "sigmoid", "sigmoid", random_state=1)
    Trainer(net, TrainingConfig(solver="gd", learning_rate_init=0.7, max_iter=6)).fit(
        digits.X_train, digits.Y_train
    )
    assert calls[0] == 7
    # a second call starts afresh: its data may differ
    Trainer(net, TrainingConfig(solver="gd", max_iter=2)).fit(digits.X_test, digits.Y_test)
    assert calls[0] == 7 + 3


class _MeddlingCallback:
    """Between epochs, moves θ or runs a forward pass of other rows through the workspace."""

    def __init__(self, how: str, X_other, Y_other):
        self.how, self.X_other, self.Y_other = how, X_other, Y_other

    def meddle(self, net):
        if self.how == "theta":
            net.theta = net.theta * 0.9
        else:  # same m: the same workspace, refilled with other rows
            net.cost(self.X_other, self.Y_other)

    def on_epoch_end(self, trainer, epoch, logs):
        self.meddle(trainer.net)


@pytest.mark.parametrize("how", ["theta", "workspace"])
def test_gd_recomputes_the_forward_pass_when_a_callback_meddles(digits, how):
    X, Y = digits.X_train, digits.Y_train
    rng = np.random.default_rng(0)
    X_other = rng.random(X.shape)
    callback = _MeddlingCallback(how, X_other, Y[rng.permutation(len(Y))])
    eta = 0.7
    net = Network([64, 20, 10], "sigmoid", "sigmoid", random_state=1)
    reference = net.copy()
    history = Trainer(
        net,
        TrainingConfig(solver="gd", learning_rate_init=eta, alpha=0.0, max_iter=4),
        callbacks=[callback],
    ).fit(X, Y)

    costs = []
    for _ in range(4):
        cost, D = reference.cost_and_grad(X, Y)
        reference.theta = reference.theta - eta * D
        costs.append(cost)
        callback.meddle(reference)
    # tolerance as in test_gd_is_the_slides_update_on_the_full_batch; a stale forward
    # pass would be off by far more
    np.testing.assert_allclose(net.theta, reference.theta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(history["train_loss"], costs, rtol=1e-12)


def test_gd_regression_scores_each_epoch_at_its_starting_theta(monkeypatch):
    from mlplab.metrics import r2

    calls = _count_forward_passes(monkeypatch)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4))
    Y = np.column_stack([X @ [1.0, -2.0, 0.5, 0.0], np.sin(X[:, 0])])
    net = Network([4, 8, 2], "tanh", "identity", random_state=0)
    reference = net.copy()
    history = Trainer(
        net,
        TrainingConfig(solver="gd", learning_rate_init=0.05, alpha=0.0, max_iter=5),
        task="regression",
    ).fit(X, Y)
    assert calls[0] == 6
    scores = []
    for _ in range(5):
        scores.append(r2(reference.forward(X), Y))
        reference.theta = reference.theta - 0.05 * reference.cost_and_grad(X, Y)[1]
    np.testing.assert_allclose(history["train_r2"], scores, rtol=1e-12)


# ---------------------------------------------------------------------- update rules
def _gradients(n: int, steps: int) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [rng.normal(size=n) for _ in range(steps)]


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_steps_follow_scikit_learns_formulas(nesterov):
    eta, mu = 0.05, 0.9
    theta0 = np.random.default_rng(1).normal(size=7)
    optimizer = SGD(7, np.float64, learning_rate_init=eta, momentum=mu, nesterov=nesterov)
    theta = theta0.copy()
    expected = theta0.copy()
    v = np.zeros(7)
    for D in _gradients(7, 4):
        optimizer.step(theta, D)
        v = mu * v - eta * D  # v := μv − ηD
        # Nesterov: θ := θ + μv − ηD; classical momentum: θ := θ + v
        expected = expected + (mu * v - eta * D if nesterov else v)
        np.testing.assert_allclose(theta, expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(optimizer.velocity, v, rtol=1e-14, atol=1e-15)


def test_sgd_without_momentum_is_plain_descent():
    theta = np.arange(5.0)
    optimizer = SGD(5, np.float64, learning_rate_init=0.25, momentum=0.0)
    D = np.array([1.0, -2.0, 4.0, 0.0, 8.0])
    optimizer.step(theta, D)
    assert np.array_equal(theta, np.arange(5.0) - 0.25 * D)
    assert optimizer.velocity is None


def test_adam_steps_follow_scikit_learns_formulas():
    eta, b1, b2, eps = 1e-2, 0.8, 0.95, 1e-7
    theta0 = np.random.default_rng(2).normal(size=9)
    optimizer = Adam(9, np.float64, learning_rate_init=eta, beta_1=b1, beta_2=b2, epsilon=eps)
    theta, expected = theta0.copy(), theta0.copy()
    m, v = np.zeros(9), np.zeros(9)
    for t, D in enumerate(_gradients(9, 5), start=1):
        optimizer.step(theta, D)
        m = b1 * m + (1 - b1) * D
        v = b2 * v + (1 - b2) * D**2
        eta_t = eta * math.sqrt(1 - b2**t) / (1 - b1**t)  # bias correction folded into η
        expected = expected - eta_t * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(theta, expected, rtol=1e-13, atol=1e-15)
        assert optimizer.learning_rate == pytest.approx(eta_t, rel=1e-15)
        assert optimizer.t == t


@pytest.mark.parametrize("nesterov", [False, True])
def test_trainer_sgd_with_momentum_matches_a_hand_loop(small_problem, nesterov):
    # batch_size ≥ m: one full-batch step per epoch, no shuffling, so D is cost_and_grad's.
    X, Y, _, _ = small_problem
    eta, mu, lam = 0.3, 0.8, 0.01
    net = Network([6, 5, 3], "tanh", "softmax", random_state=4)
    reference = Network([6, 5, 3], "tanh", "softmax", random_state=4)
    config = TrainingConfig(
        solver="sgd",
        learning_rate_init=eta,
        momentum=mu,
        nesterovs_momentum=nesterov,
        alpha=lam,
        batch_size=1000,
        max_iter=4,
    )
    Trainer(net, config, random_state=0).fit(X, Y)

    v = np.zeros_like(reference.theta)
    for _ in range(4):
        _, D = reference.cost_and_grad(X, Y, lam)
        v = mu * v - eta * D
        step = mu * v - eta * D if nesterov else v
        reference.theta = reference.theta + step
    np.testing.assert_allclose(net.theta, reference.theta, rtol=0, atol=1e-13)


def test_trainer_adam_matches_a_hand_loop_and_records_eta_t(small_problem):
    X, Y, _, _ = small_problem
    eta, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    net = Network([6, 5, 3], "relu", "softmax", random_state=4)
    reference = Network([6, 5, 3], "relu", "softmax", random_state=4)
    config = TrainingConfig(solver="adam", learning_rate_init=eta, batch_size=1000, max_iter=3)
    history = Trainer(net, config, random_state=0).fit(X, Y)

    m, v = np.zeros_like(reference.theta), np.zeros_like(reference.theta)
    rates = []
    for t in range(1, 4):
        _, D = reference.cost_and_grad(X, Y, config.alpha)
        m = b1 * m + (1 - b1) * D
        v = b2 * v + (1 - b2) * D**2
        rates.append(eta * math.sqrt(1 - b2**t) / (1 - b1**t))
        reference.theta = reference.theta - rates[-1] * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(net.theta, reference.theta, rtol=0, atol=1e-13)
    np.testing.assert_allclose(history["learning_rate"], rates, rtol=1e-15)


# ---------------------------------------------------------------------- schedules
def test_invscaling_sets_eta_from_the_examples_seen(small_problem):
    # scikit-learn: after each epoch η = η₀ / (t + 1)^power_t, t = examples seen so far.
    X, Y, _, _ = small_problem
    m = X.shape[0]
    eta0, power = 0.5, 0.25
    net = Network([6, 5, 3], "sigmoid", "softmax", random_state=8)
    reference = Network([6, 5, 3], "sigmoid", "softmax", random_state=8)
    config = TrainingConfig(
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=eta0,
        power_t=power,
        momentum=0.0,
        batch_size=m,
        max_iter=4,
    )
    history = Trainer(net, config).fit(X, Y)

    rates = [eta0 / (epoch * m + 1) ** power for epoch in range(4)]
    assert rates[0] == eta0
    for eta in rates:
        _, D = reference.cost_and_grad(X, Y, config.alpha)
        reference.theta = reference.theta - eta * D
    np.testing.assert_allclose(history["learning_rate"], rates, rtol=1e-15)
    np.testing.assert_allclose(net.theta, reference.theta, rtol=0, atol=1e-13)


def test_adaptive_divides_eta_by_5_on_plateaus_and_stops_below_1e_6(small_problem):
    # min_delta = 10 makes every epoch after the first a plateau epoch; with patience 1
    # scikit-learn divides η by 5 every second epoch from epoch 3 and, once η ≤ 1e-6,
    # stops at the next plateau.
    X, Y, _, _ = small_problem
    net = Network([6, 5, 3], "relu", "softmax", random_state=0)
    config = TrainingConfig(
        solver="sgd", learning_rate="adaptive", learning_rate_init=1e-3, max_iter=100
    )
    stopper = EarlyStopping("train_loss", patience=1, min_delta=10.0, restore_best=False)
    trainer = Trainer(net, config, callbacks=[stopper], random_state=0)
    history = trainer.fit(X, Y)

    expected = [1e-3] * 3
    rate = 1e-3
    while rate > 1e-6:
        rate /= 5
        expected += [rate, rate]
    assert history["learning_rate"] == pytest.approx(expected, rel=1e-12)
    assert history.n_epochs == 13
    assert history["learning_rate"][-1] < 1e-6 < history["learning_rate"][-3]
    assert trainer.stop_reason == "no_improvement"

    # scikit-learn, with the same rule, runs the same number of epochs.
    from sklearn.neural_network import MLPClassifier

    reference = MLPClassifier(
        hidden_layer_sizes=(5,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=1e-3,
        tol=10.0,
        n_iter_no_change=1,
        max_iter=100,
        random_state=0,
    ).fit(X, Y.argmax(axis=1))
    assert reference.n_iter_ == history.n_epochs


def test_a_plateau_stops_adam_and_constant_sgd_at_once(small_problem):
    X, Y, _, _ = small_problem
    for solver in ("adam", "sgd"):
        stopper = EarlyStopping("train_loss", patience=1, min_delta=10.0, restore_best=False)
        trainer = Trainer(
            Network([6, 5, 3], "relu", "softmax", random_state=0),
            TrainingConfig(solver=solver, max_iter=100),
            callbacks=[stopper],
        )
        history = trainer.fit(X, Y)
        assert history.n_epochs == 3, solver
        assert trainer.stop_reason == "no_improvement"
    # The constant schedule never lowered η.
    assert history["learning_rate"].tolist() == [1e-3, 1e-3, 1e-3]


# ---------------------------------------------------------------------- scipy solvers
@pytest.mark.parametrize("solver", ["lbfgs", "cg"])
def test_scipy_solvers_respect_max_iter_with_one_row_per_iteration(small_problem, solver):
    X, Y, X_val, Y_val = small_problem
    net = Network([6, 8, 3], "tanh", "softmax", random_state=2)
    trainer = Trainer(net, TrainingConfig(solver=solver, max_iter=7, tol=0.0, alpha=1e-3))
    history = trainer.fit(X, Y, validation_data=(X_val, Y_val))

    assert trainer.scipy_result.nit == 7
    assert history.n_epochs == trainer.epoch == 7
    assert history["epoch"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert trainer.stop_reason == "max_iter"
    assert np.all(np.diff(history["train_loss"]) <= 0)  # both methods only accept descents
    assert history["train_loss"][-1] == pytest.approx(net.cost(X, Y, 1e-3), rel=1e-12)
    assert np.isnan(history["learning_rate"]).all()
    assert np.isfinite(history["val_loss"]).all()

    # fit again with epochs=3: three more iterations, three more rows.
    trainer.fit(X, Y, epochs=3)
    assert trainer.scipy_result.nit == 3
    assert trainer.history.n_epochs == trainer.epoch == 10
