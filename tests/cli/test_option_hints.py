"""Option names from the lecture, the estimators or other tools point to mlplab's option."""

from __future__ import annotations

import pytest

from mlplab.names import NAMES

from ._helpers import invoke, run_mlplab


@pytest.mark.parametrize(
    ("command", "typed", "meant"),
    [
        ("train", "--lambda", "--alpha"),
        ("train", "--lam", "--alpha"),
        ("train", "--weight-decay", "--alpha"),
        ("train", "--lr", "--learning-rate"),
        ("train", "--learning_rate", "--learning-rate"),
        ("train", "--learning-rate-init", "--learning-rate"),
        ("train", "--eta", "--learning-rate"),
        ("train", "--max-iter", "--epochs"),
        ("train", "--hidden-layers", "--hidden"),
        ("train", "--hidden_layer_sizes", "--hidden"),
        ("train", "--batch_size", "--batch-size"),
        ("train", "--init-eps", "--init-epsilon"),
        ("train", "--multi-class", "--multiclass"),
        ("train", "--ovr", "--multiclass"),
        ("doctor", "--lambda", "--alpha"),
        ("gradcheck", "--alpha", "--lam"),
        ("gradcheck", "--lambda", "--lam"),
    ],
)
def test_a_name_from_elsewhere_is_a_usage_error_naming_the_option(command, typed, meant):
    result = invoke(command, typed, "1")
    assert result.exit_code == 2, result.output
    assert f"No such option: {typed}. Did you mean {meant} (" in result.output


def test_the_hint_describes_the_concept_from_the_names_table():
    result = invoke("train", "--lambda=0.1")
    assert result.exit_code == 2
    row = next(row for row in NAMES if row.symbol == "λ")
    assert f"--alpha (λ: {row.meaning})" in result.output


def test_names_the_table_does_not_know_keep_clicks_suggestion():
    result = invoke("train", "--epoch", "3")
    assert result.exit_code == 2
    assert "Did you mean '--epochs'?" in result.output
    result = invoke("train", "--frobnicate", "3")
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert "Did you mean --" not in result.output


def test_the_real_entry_point_exits_2_with_the_hint():
    done = run_mlplab("train", "--lr", "0.1")
    assert done.returncode == 2
    assert "Did you mean --learning-rate (η:" in done.stderr
    assert done.stdout == ""
