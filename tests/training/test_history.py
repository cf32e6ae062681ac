"""The per-epoch record: its columns, what they mean, and its CSV round trip."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.network import Network
from mlplab.training import Trainer, TrainingConfig
from mlplab.training.history import History


def _classification_history(digits, solver="adam"):
    net = Network([64, 12, 8, 10], "relu", "softmax", random_state=0)
    settings = {"max_iter": 4} if solver != "adam" else {"max_iter": 4, "batch_size": 100}
    trainer = Trainer(net, TrainingConfig(solver=solver, **settings), random_state=0)
    return trainer.fit(
        digits.X_train, digits.Y_train, validation_data=(digits.X_test, digits.Y_test)
    )


def test_classification_history_has_every_column(digits):
    history = _classification_history(digits)
    assert history.columns == [
        "epoch",
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
        "learning_rate",
        "grad_norm",
        "update_ratio_1",
        "update_ratio_2",
        "update_ratio_3",
        "seconds",
    ]
    assert history.n_epochs == 4
    assert history["epoch"].tolist() == [1.0, 2.0, 3.0, 4.0]
    for name in history:
        assert history[name].shape == (4,)
        assert np.isfinite(history[name]).all(), name
    assert np.all((history["train_accuracy"] >= 0) & (history["train_accuracy"] <= 1))
    assert np.all(history["val_accuracy"] > 0.1)
    assert np.all(history["grad_norm"] > 0)
    assert np.all(history["seconds"] > 0)
    assert history.last("train_loss") == history["train_loss"][-1]
    with pytest.raises(KeyError, match="no column 'val_r2'"):
        history["val_r2"]


def test_validation_figures_are_those_of_the_epochs_final_weights(digits):
    net = Network([64, 12, 10], "relu", "softmax", random_state=0)
    alpha = 0.0
    trainer = Trainer(net, TrainingConfig(alpha=alpha, max_iter=3, batch_size=100))
    history = trainer.fit(
        digits.X_train, digits.Y_train, validation_data=(digits.X_test, digits.Y_test)
    )
    assert history["val_loss"][-1] == pytest.approx(
        net.cost(digits.X_test, digits.Y_test), rel=1e-12
    )
    right = np.mean(net.forward(digits.X_test).argmax(1) == digits.y_test)
    assert history["val_accuracy"][-1] == right


def test_regression_history_records_r2_not_accuracy():
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    Y = np.column_stack([X @ [1.0, -2.0, 0.5], np.sin(X[:, 0])])
    X_val = rng.normal(size=(40, 3))
    Y_val = np.column_stack([X_val @ [1.0, -2.0, 0.5], np.sin(X_val[:, 0])])
    net = Network([3, 10, 2], "tanh", "identity", random_state=0)
    reference = Network([3, 10, 2], "tanh", "identity", random_state=0)
    eta = 0.05
    config = TrainingConfig(solver="gd", learning_rate_init=eta, alpha=0.0, max_iter=30)
    history = Trainer(net, config, task="regression").fit(X, Y, validation_data=(X_val, Y_val))

    assert "train_r2" in history
    assert "val_r2" in history
    assert "train_accuracy" not in history
    assert "val_accuracy" not in history
    # gd: the row of epoch k scores θ before its step, over the whole training set
    expected = []
    for _ in range(30):
        expected.append(r2_score(Y, reference.forward(X)))
        _, D = reference.cost_and_grad(X, Y)
        reference.theta = reference.theta - eta * D
    np.testing.assert_allclose(history["train_r2"], expected, rtol=1e-10, atol=1e-12)
    assert history["val_r2"][-1] == pytest.approx(r2_score(Y_val, net.forward(X_val)), rel=1e-10)
    assert history["train_r2"][-1] > history["train_r2"][0] + 0.3


def test_regression_with_mini_batches_and_lbfgs_also_record_train_r2():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 2))
    Y = X @ [[2.0], [-1.0]]
    for solver in ("sgd", "lbfgs"):
        net = Network([2, 4, 1], "tanh", "identity", random_state=0)
        config = TrainingConfig(solver=solver, batch_size=16, max_iter=20, learning_rate_init=0.05)
        history = Trainer(net, config, task="regression", random_state=0).fit(X, Y)
        assert history["train_r2"][-1] > 0.9, solver


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_csv_round_trip_is_exact(digits, tmp_path, solver):
    # lbfgs rows carry NaN learning rates: they must come back as NaN.
    history = _classification_history(digits, solver)
    path = tmp_path / "history.csv"
    text = history.to_csv(path)

    assert path.read_text(encoding="utf-8") == text
    assert text.splitlines()[0] == ",".join(history.columns)
    assert text.splitlines()[1].startswith("1,")
    loaded = History.from_csv(path)
    assert loaded.columns == history.columns
    assert loaded.n_epochs == history.n_epochs
    for name in history.columns:
        assert np.array_equal(loaded[name], history[name], equal_nan=True), name
    assert np.isnan(loaded["learning_rate"]).all() == (solver == "lbfgs")


def test_from_csv_refuses_a_ragged_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("epoch,train_loss\n1,0.5\n2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: expected 2 fields, got 1"):
        History.from_csv(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="empty history file"):
        History.from_csv(empty)
