"""What a student of the lecture runs into first: names, counts and tables in a notebook."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import mlplab


@pytest.mark.parametrize(
    "expression",
    ["mlplab.multiclass.compare_multiclass", "mlplab.training.Trainer"],
)
def test_the_docs_names_resolve_after_a_plain_import(expression):
    # a fresh interpreter: in this one another test may have imported the submodule already
    code = f"import mlplab; print({expression}.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expression.rsplit(".", 1)[1]


def test_len_of_a_history_is_its_number_of_epochs(xor_data):
    X, Y = xor_data
    net = mlplab.Network([2, 2, 1], random_state=0)
    history = mlplab.train(net, X, Y, task="binary", solver="gd", max_iter=7, tol=0.0)
    assert history.n_epochs == 7
    assert len(history) == 7
    assert len(history.keys()) == len(history.columns) > 1  # the columns are counted apart
    assert list(history) == history.columns
    assert dict(history.items()).keys() == set(history.columns)


def test_history_shows_as_a_table_in_a_notebook(xor_data):
    X, Y = xor_data
    net = mlplab.Network([2, 2, 1], random_state=0)
    history = mlplab.train(net, X, Y, task="binary", solver="gd", max_iter=30, tol=0.0)
    lines = history._repr_markdown_().splitlines()
    assert lines[0] == "History: 30 epochs"
    header = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert header == history.columns
    body = lines[4:]
    assert len(body) == 5 + 1 + 5  # first five epochs, "…", last five
    assert body[0].startswith("| 1 |")
    assert body[-1].startswith("| 30 |")
    assert set(body[5].strip("| ").split(" | ")) == {"…"}


def test_gradient_check_shows_as_a_table_in_a_notebook(xor_data):
    X, Y = xor_data
    check = mlplab.check_gradients(mlplab.Network([2, 2, 1], random_state=0), X, Y)
    lines = check._repr_markdown_().splitlines()
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert rows[0] == ["layer", "shape", "params", "relative error", "verdict"]
    assert [row[0] for row in rows[2:]] == ["θ(1)", "θ(2)", "all"]
    assert rows[-1][2] == "9"
    assert rows[-1][4] == check.verdict()
    assert float(rows[-1][3]) == pytest.approx(check.relative_error, rel=1e-3)  # printed .3e


def test_a_diagnosis_shows_as_a_table_in_a_notebook():
    from mlplab.diagnostics import CHECKS

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] > 0).astype(int)
    diagnosis = mlplab.diagnose(mlplab.MLPClassifier(), X, y, quick=True, random_state=0)
    text = diagnosis._repr_markdown_()
    assert text.splitlines()[0] == f"Diagnosis: {diagnosis.summary()}"
    assert len(text.splitlines()) == 2 + 2 + len(diagnosis.findings)
    for finding in diagnosis.findings:
        assert finding.title in text
        assert finding.check in CHECKS


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_deltas_of_one_example_are_the_bias_gradients(activation):
    # For one example (m = 1, λ = 0), D⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ [1; a⁽ˡ⁾]ᵀ, so its bias column is δ⁽ˡ⁺¹⁾:
    # an oracle computed by the vectorized backprop, independent of the per-example code.
    net = mlplab.Network([3, 4, 2, 2], activation=activation, random_state=0)
    x, y = np.array([0.3, -1.2, 0.8]), np.array([0.0, 1.0])
    deltas = net.deltas(x, y)
    assert sorted(deltas) == [2, 3, 4]  # the lecture's layer numbers; no δ⁽¹⁾
    assert [deltas[layer].shape for layer in (2, 3, 4)] == [(4,), (2,), (2,)]
    # δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y; matrix-vector and matrix-matrix products round apart by an ulp or so
    np.testing.assert_allclose(deltas[4], net.forward(x[None, :])[0] - y, rtol=1e-12, atol=1e-16)
    _, D = net.cost_and_grad(x[None, :], y[None, :])
    start = 0
    for layer, theta in enumerate(net.thetas, start=1):
        bias_column = D[start : start + theta.size].reshape(theta.shape)[:, 0]
        # the same sums in a different order: a few ulps of |δ|
        np.testing.assert_allclose(deltas[layer + 1], bias_column, rtol=1e-12, atol=1e-16)
        start += theta.size


def test_train_reads_the_task_from_the_output_layer_and_y(xor_data):
    # The trap: on XOR a 2-2-1 network that gets 2 of 4 right reported 100% accuracy,
    # because the default task took an arg-max over one column (always 0).
    X, Y = xor_data
    net = mlplab.Network([2, 2, 1], random_state=0)
    history = mlplab.train(net, X, Y, solver="gd", max_iter=1, tol=0.0)
    truth = float(np.mean((net.forward(X) >= 0.5) == (Y == 1)))
    assert history.last("train_accuracy") == truth < 1.0


@pytest.mark.parametrize(
    ("output", "n_outputs", "rows", "task"),
    [
        ("sigmoid", 1, [[0], [1], [1], [0]], "binary"),
        ("sigmoid", 3, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]], "multiclass"),
        ("sigmoid", 3, [[1, 1, 0], [0, 0, 0], [0, 0, 1], [0, 1, 0]], "multilabel"),
        ("softmax", 3, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]], "multiclass"),
        ("identity", 2, [[0.5, -1], [2, 0], [1, 1], [3, 0.25]], "regression"),
    ],
)
def test_the_task_rule(xor_data, output, n_outputs, rows, task):
    from mlplab.tasks import infer_task

    X, _ = xor_data
    Y = np.array(rows, dtype=float)
    assert infer_task(output, Y) == task
    trainer = mlplab.Trainer(mlplab.Network([2, 3, n_outputs], output=output, random_state=0))
    trainer.fit(X, Y, epochs=1)
    assert trainer.task == task
    assert ("train_r2" in trainer.history) == (task == "regression")


@pytest.mark.parametrize(
    ("sizes", "output", "rows", "task", "message"),
    [
        ([2, 2, 1], "sigmoid", [[0], [1], [1], [0]], "multiclass", "one sigmoid output unit"),
        ([2, 2, 3], "sigmoid", [[1, 1, 0]] * 4, "multiclass", "several or no 1s"),
        ([2, 2, 2], "softmax", [[1, 0]] * 4, "binary", "a softmax output layer"),
        ([2, 2, 1], "identity", [[0.5]] * 4, "binary", "an identity output layer"),
        ([2, 2, 1], "sigmoid", [[0], [1], [1], [0]], "regression", "output='identity'"),
    ],
)
def test_a_task_that_contradicts_the_network_and_y_is_an_error(
    xor_data, sizes, output, rows, task, message
):
    X, _ = xor_data
    net = mlplab.Network(sizes, output=output, random_state=0)
    with pytest.raises(ValueError, match=rf"task='{task}' contradicts(.|\n)*{re.escape(message)}"):
        mlplab.train(net, X, np.array(rows, dtype=float), task=task, max_iter=1)


def test_multilabel_may_be_declared_for_rows_of_one_label(xor_data):
    X, _ = xor_data
    Y = np.eye(2)[[0, 1, 1, 0]]
    history = mlplab.train(mlplab.Network([2, 2, 2]), X, Y, task="multilabel", max_iter=1)
    assert history.n_epochs == 1


def test_a_softmax_over_one_unit_is_refused():
    # softmax over one unit is 1 whatever z is: forward all ones, J = 0, nothing learned
    with pytest.raises(ValueError, match="output='softmax' needs at least 2 output units"):
        mlplab.Network([2, 2, 1], output="softmax")
    assert mlplab.Network([2, 2, 2], output="softmax").layer_sizes == (2, 2, 2)


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_val_loss_is_the_validation_data_loss_without_the_penalty(solver):
    # Adding λ/(2m)ΣW² to the validation loss shifted the curves with λ (1.166 against a
    # data loss of 0.853 at λ = 0.1), misleading exactly the comparison of λs.
    rng = np.random.default_rng(0)
    X, X_val = rng.standard_normal((40, 2)), rng.standard_normal((30, 2))
    Y, Y_val = (X[:, :1] * X[:, 1:] > 0) * 1.0, (X_val[:, :1] * X_val[:, 1:] > 0) * 1.0
    net = mlplab.Network([2, 8, 1], random_state=0)
    history = mlplab.train(
        net,
        X,
        Y,
        validation_data=(X_val, Y_val),
        solver=solver,
        alpha=0.1,
        max_iter=20,
        learning_rate_init=1.0,
    )
    data_loss = net.cost(X_val, Y_val, lam=0.0)
    assert net.cost(X_val, Y_val, lam=0.1) > data_loss * (1 + 1e-3)  # the penalty matters
    # the same forward pass over the same rows, reduced in another order: ≤ a few ulps
    assert history["val_loss"][-1] == pytest.approx(data_loss, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda X, Y: mlplab.train(mlplab.Network([2, 1]), X, Y, lam=0.1), "train's `alpha`"),
        (lambda X, Y: mlplab.train(mlplab.Network([2, 1]), X, Y, epochs=5), "`max_iter`"),
        (lambda X, Y: mlplab.MLPClassifier(lam=0.1), "estimators' and train's `alpha` (λ)"),
        (lambda X, Y: mlplab.MLPRegressor(eta=0.1), "`learning_rate_init` (η)"),
        (lambda X, Y: mlplab.Network([2, 1]).cost(X, Y, alpha=0.1), "Network's and check"),
        (lambda X, Y: mlplab.check_gradients(mlplab.Network([2, 1]), X, Y, alpha=1.0), "`lam`"),
        (lambda X, Y: mlplab.Network([2, 1], learning_rate=0.1), "a training setting"),
    ],
)
def test_a_name_from_the_other_side_points_to_the_right_one(xor_data, call, message):
    X, Y = xor_data
    with pytest.raises(TypeError, match=re.escape(message)):
        call(X, Y)


def test_estimators_keep_their_signature_for_scikit_learn():
    from sklearn.base import clone

    clf = clone(mlplab.MLPClassifier(alpha=0.5, init_epsilon=0.1))
    assert (clf.alpha, clf.init_epsilon) == (0.5, 0.1)
    assert "alpha" in mlplab.MLPRegressor().get_params()


def test_an_estimator_warns_when_epsilon_looks_like_the_initializers(xor_data):
    # MLPClassifier(initializer="uniform", epsilon=0.12) silently set Adam's ε
    X, Y = xor_data
    clf = mlplab.MLPClassifier(
        hidden_layer_sizes=(2,), initializer="uniform", epsilon=0.12, max_iter=2
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, Y.ravel())  # two epochs also say "not converged"
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any(re.search(r"Adam's ε.*init_epsilon=0\.12", m) for m in messages), messages


def test_the_names_table_in_the_docs_is_the_librarys():
    from pathlib import Path

    from mlplab.names import markdown

    lecture = Path(__file__).resolve().parents[2] / "docs" / "lecture.md"
    assert markdown() in lecture.read_text(encoding="utf-8")
