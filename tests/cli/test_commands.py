"""evaluate, predict, gradcheck, demo, doctor, export and report, driven as a user would."""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pytest

import mlplab
import mlplab.network
from mlplab.datasets import digits, digits_split

from ._helpers import invoke, write_csv

COMMANDS = (
    "train",
    "evaluate",
    "predict",
    "gradcheck",
    "logic",
    "demo",
    "doctor",
    "export",
    "report",
    "playground",
)


def one_line_error(result, *fragments: str) -> None:
    """Exit code 1 and one line on stderr that names the problem, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.fixture(scope="module")
def corrupt_model(tmp_path_factory, digits_run):
    """A model file with one flipped byte in its weights (the checksum catches it)."""
    data = bytearray((digits_run / "model.safetensors").read_bytes())
    data[-10] ^= 0xFF
    path = tmp_path_factory.mktemp("corrupt") / "model.safetensors"
    path.write_bytes(bytes(data))
    return path


@pytest.fixture(scope="module")
def digits_csv(tmp_path_factory):
    """The first 30 digits as CSV: 64 pixel columns and the "digit" target column."""
    data = digits()
    rows = [[*(int(v) for v in x), int(y)] for x, y in zip(data.X[:30], data.y[:30])]
    path = tmp_path_factory.mktemp("csv") / "digits30.csv"
    return write_csv(path, [*data.feature_names, "digit"], rows)


# ---------------------------------------------------------------------- help
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: cli " in result.stdout or "Usage: mlplab " in result.stdout
    assert "Examples:" in result.stdout


# ---------------------------------------------------------------------- evaluate
def test_evaluate_test_part_matches_the_run(digits_run, digits_config):
    result = invoke(
        "evaluate", digits_run / "model.safetensors", "--data", "digits", "--part", "test"
    )
    assert result.exit_code == 0, result.output
    recorded = digits_config["metrics"]["test"]
    assert f"{100 * recorded['accuracy']:.2f}%" in result.stdout
    assert f"{recorded['loss']:.4g}" in result.stdout
    assert "450" in result.stdout
    assert "precision" in result.stdout


def test_evaluate_all_examples(digits_run):
    result = invoke("evaluate", digits_run / "model.safetensors", "--data", "digits")
    assert result.exit_code == 0, result.output
    model = mlplab.load(digits_run / "model.safetensors")
    data = digits()
    accuracy = float(np.mean(model.predict(data.X) == data.y))
    assert f"{100 * accuracy:.2f}%" in result.stdout
    assert "1797" in result.stdout


def test_evaluate_corrupt_model_is_one_line(corrupt_model):
    result = invoke("evaluate", corrupt_model, "--data", "digits")
    one_line_error(result, str(corrupt_model))


def test_evaluate_missing_model(tmp_path):
    result = invoke("evaluate", tmp_path / "nope.safetensors", "--data", "digits")
    one_line_error(result, "nope.safetensors")


def test_evaluate_on_data_of_another_shape(digits_run):
    result = invoke("evaluate", digits_run / "model.safetensors", "--data", "xor")
    one_line_error(result, "takes 64 features", "has 2")


def test_evaluate_part_needs_the_run_folder(tmp_path, digits_run):
    shutil.copy(digits_run / "model.safetensors", tmp_path / "model.safetensors")
    result = invoke(
        "evaluate", tmp_path / "model.safetensors", "--data", "digits", "--part", "test"
    )
    one_line_error(result, "config.json", "--part all")


def test_evaluate_requires_data(digits_run):
    result = invoke("evaluate", digits_run / "model.safetensors")
    assert result.exit_code == 2
    assert "--data" in result.stderr


# ---------------------------------------------------------------------- predict
def read_predictions(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_predict_to_stdout_ignores_the_target_column(digits_run, digits_csv):
    result = invoke("predict", digits_run / "model.safetensors", digits_csv)
    assert result.exit_code == 0, result.output
    rows = read_predictions(result.stdout)
    assert len(rows) == 30
    assert list(rows[0]) == ["prediction", *(f"p_{k}" for k in range(10))]
    model = mlplab.load(digits_run / "model.safetensors")
    expected = model.predict(digits().X[:30])
    assert [int(r["prediction"]) for r in rows] == expected.tolist()
    for row in rows:
        probabilities = np.array([float(row[f"p_{k}"]) for k in range(10)])
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-4)
        assert int(row["prediction"]) == int(np.argmax(probabilities))


def test_predict_features_only_to_a_file(tmp_path, digits_run):
    data = digits()
    features = write_csv(
        tmp_path / "new.csv", list(data.feature_names), [[int(v) for v in x] for x in data.X[:5]]
    )
    out = tmp_path / "predictions.csv"
    result = invoke("predict", digits_run / "model.safetensors", features, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "wrote 5 predictions" in result.stderr
    assert len(read_predictions(out.read_text())) == 5


def test_predict_refuses_a_file_without_the_training_names(tmp_path, digits_run):
    """The model records its features' names: a file that lacks them is refused, named."""
    data = digits()
    features = write_csv(
        tmp_path / "anon.csv",
        [f"c{j}" for j in range(64)],
        [[int(v) for v in x] for x in data.X[:4]],
    )
    result = invoke("predict", digits_run / "model.safetensors", features)
    assert result.exit_code == 1, result.output
    assert "anon.csv, line 1: the file has no column 'pixel_0_0'" in result.output
    assert "the model takes 64 features, matched by name" in result.output
    assert "64 missing" in result.output


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("a,b,c\n1,2,3\n", ["takes 64 features", "no column 'pixel_0_0'"]),
        ("", ["the file is empty"]),
        (None, ["no such CSV file"]),
    ],
)
def test_predict_bad_input_files(tmp_path, digits_run, content, fragments):
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_text(content)
    result = invoke("predict", digits_run / "model.safetensors", path)
    one_line_error(result, *fragments)


def test_predict_bad_cell_names_line_and_column(tmp_path, digits_run):
    data = digits()
    rows = [[int(v) for v in x] for x in data.X[:3]]
    rows[1][5] = "n/a"
    path = write_csv(tmp_path / "bad.csv", list(data.feature_names), rows)
    result = invoke("predict", digits_run / "model.safetensors", path)
    one_line_error(result, "line 3, column 6 ('pixel_0_5')", "'n/a' is not a number")


def test_predict_corrupt_model(corrupt_model, digits_csv):
    one_line_error(invoke("predict", corrupt_model, digits_csv), "corrupt")


# ---------------------------------------------------------------------- gradcheck
def test_gradcheck_default_is_good():
    result = invoke("gradcheck")
    assert result.exit_code == 0, result.output
    assert "network 3-5-4-3" in result.stdout
    for row in ("θ(1)", "θ(2)", "θ(3)", "all"):
        assert row in result.stdout
    assert "verdict: good" in result.stdout


def test_gradcheck_options(tmp_path):
    result = invoke(
        "gradcheck", "--hidden", "6", "--activation", "tanh", "--output", "softmax",
        "--outputs", "4", "--lam", "0.5", "--examples", "3", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "gradcheck.json").read_text())
    assert record["layer_shapes"] == [[6, 4], [4, 7]]
    assert record["settings"]["output"] == "softmax"
    assert max(record["layer_errors"]) < 1e-7
    assert (tmp_path / "gradient_check.png").is_file()


def test_gradcheck_wrong_backprop_exits_1(monkeypatch):
    """A backprop that doubles its gradient is caught: exit 1 and the verdict "wrong"."""
    original = mlplab.network.Network.cost_and_grad

    def doubled(self, X, Y, lam=0.0, **kwargs):
        cost, grad = original(self, X, Y, lam, **kwargs)
        return cost, 2 * grad

    monkeypatch.setattr(mlplab.network.Network, "cost_and_grad", doubled)
    result = invoke("gradcheck")
    assert "verdict: wrong" in result.stdout
    one_line_error(result, "gradient check failed")


def test_gradcheck_into_a_run_folder_updates_its_report(tmp_path, digits_run):
    run = tmp_path / "run"
    shutil.copytree(digits_run, run)
    assert 'id="gradient-check"' not in (run / "report.html").read_text(encoding="utf-8")
    result = invoke("gradcheck", "--out", run)
    assert result.exit_code == 0, result.output
    page = (run / "report.html").read_text(encoding="utf-8")
    assert 'id="gradient-check"' in page
    assert "3-5-4-3" in page


@pytest.mark.parametrize(
    "args",
    [
        ["--hidden", "a"],
        ["--output", "softmax", "--outputs", "1"],
        ["--lam", "-1"],
        ["--examples", "0"],
    ],
)
def test_gradcheck_usage_errors(args):
    result = invoke("gradcheck", *args)
    assert result.exit_code == 2, result.output


# ---------------------------------------------------------------------- demo
def test_demo_list():
    result = invoke("demo", "--list")
    assert result.exit_code == 0, result.output
    for name in ("logic", "xor", "digits"):
        assert name in result.stdout


def test_demo_runs_and_saves_figures(tmp_path):
    result = invoke("demo", "logic", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    pngs = list(tmp_path.glob("logic-*.png"))
    assert pngs
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert "wrote" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"), [(["nosuch"], "unknown demo 'nosuch'"), ([], "name a demo")]
)
def test_demo_usage_errors(args, message):
    result = invoke("demo", *args)
    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------------- doctor
def test_doctor_quick_passes_on_a_sane_setup(tmp_path):
    result = invoke("doctor", "--data", "xor", "--hidden", "4", "--quick", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Gradient check" in result.stdout
    assert "PASS" in result.stdout
    diagnosis = json.loads((tmp_path / "diagnostics.json").read_text())
    assert diagnosis["quick"] is True
    assert not diagnosis["has_failures"]


def test_doctor_fails_on_a_diverging_learning_rate():
    result = invoke("doctor", "--data", "xor", "--hidden", "4", "--learning-rate", "50")
    assert "FAIL" in result.stdout
    one_line_error(result, "check(s) failed", "Loss goes down")


def test_doctor_out_adds_findings_to_the_report(tmp_path, digits_run):
    run = tmp_path / "run"
    shutil.copytree(digits_run, run)
    assert "Not run" in (run / "report.html").read_text(encoding="utf-8")
    result = invoke("doctor", "--quick", "--out", run)
    assert result.exit_code == 0, result.output
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "mlplab-diagnosis" in page
    assert "Not run" not in page


def test_doctor_bad_data():
    one_line_error(invoke("doctor", "--data", "nope"), "unknown data set 'nope'")


# ---------------------------------------------------------------------- export
def test_export_onnx_predicts_like_the_model(tmp_path, digits_run):
    onnxruntime = pytest.importorskip("onnxruntime")
    out = tmp_path / "digits.onnx"
    result = invoke("export", digits_run / "model.safetensors", "--onnx", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    _, X_test, _, _ = digits_split()
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"X": X_test})))
    model = mlplab.load(digits_run / "model.safetensors")
    # raw pixels in, like the saved model: the input scaling is inside the graph's θ⁽¹⁾
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(X_test), atol=1e-9)
    assert outputs["label"].tolist() == model.predict(X_test).tolist()


def test_export_corrupt_model(tmp_path, corrupt_model):
    result = invoke("export", corrupt_model, "--onnx", tmp_path / "m.onnx")
    one_line_error(result, "corrupt")
    assert not (tmp_path / "m.onnx").exists()


def test_export_needs_onnx_option(digits_run):
    result = invoke("export", digits_run / "model.safetensors")
    assert result.exit_code == 2
    assert "--onnx" in result.stderr


# ---------------------------------------------------------------------- report
def test_report_rebuilds_the_page(tmp_path, digits_run):
    run = tmp_path / "run"
    shutil.copytree(digits_run, run)
    (run / "report.html").unlink()
    (run / "learning_curves.png").unlink()  # drawn again from history.csv
    result = invoke("report", run)
    assert result.exit_code == 0, result.output
    page = (run / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(list(run.glob("*.png"))) + 1
    assert "Learning curves" in page


def test_report_to_another_file(tmp_path, digits_run):
    out = tmp_path / "elsewhere.html"
    result = invoke("report", digits_run, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("state", ["missing", "empty", "damaged"])
def test_report_of_no_run(tmp_path, state):
    folder = tmp_path / "folder"
    if state != "missing":
        folder.mkdir()
    if state == "damaged":
        (folder / "config.json").write_text("{not json")
    result = invoke("report", folder)
    one_line_error(result, "folder" if state != "damaged" else "config.json is damaged")
