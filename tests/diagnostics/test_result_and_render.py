"""Finding and Diagnosis, and how they are shown: plain text, rich, HTML."""

from __future__ import annotations

import io
import json
import math

import pytest

from mlplab.diagnostics import Diagnosis, Finding, diagnosis_to_html, render_rich


def _diagnosis(*findings: Finding, quick: bool = False) -> Diagnosis:
    return Diagnosis(list(findings), "multiclass", {"alpha": 0.0001}, quick=quick)


PASSING = Finding("symmetry", "PASS", 0.0, "no identical hidden units", "all units differ")
WARNING = Finding(
    "update_ratio",
    "WARN",
    2e-6,
    "1e-05 to 0.1",
    "θ(1) changes very little",
    "raise learning_rate_init",
    layer=1,
)
FAILURE = Finding(
    "gradient_check",
    "FAIL",
    0.5,
    "< 0.0001",
    "backprop's gradient is wrong",
    "check f′",
    details={"layer_errors": [0.5, 1e-9]},
)
SKIPPED = Finding("class_balance", "SKIP", None, "smallest/largest ≥ 0.2", "regression")


def test_finding_rejects_unknown_checks_and_statuses():
    with pytest.raises(ValueError, match="unknown status 'OK'; valid statuses are 'SKIP'"):
        Finding("symmetry", "OK", 0.0, "", "")
    with pytest.raises(ValueError, match="unknown check 'vibes'; valid checks are"):
        Finding("vibes", "PASS", 0.0, "", "")


def test_finding_titles_and_figures():
    assert PASSING.title == "Symmetry breaking"
    assert WARNING.title == "Update/weight ratio θ(1)"
    assert Finding("saturation", "PASS", 0.1, "", "", layer=3).title == (
        "Saturated/dead units, layer 3"
    )
    assert WARNING.measured_text == "2.00e-06"
    assert FAILURE.measured_text == "0.5"
    assert SKIPPED.measured_text == ""
    assert Finding("loss_trend", "FAIL", math.inf, "", "").measured_text == "inf"
    assert Finding("initial_loss", "PASS", 1234.5, "", "").measured_text == "1234"
    assert Finding("initial_loss", "PASS", 12345.0, "", "").measured_text == "1.23e+04"


def test_worst_and_failures():
    assert _diagnosis(PASSING, SKIPPED).worst == "PASS"
    assert _diagnosis(SKIPPED).worst == "SKIP"
    assert _diagnosis().worst == "PASS"
    mixed = _diagnosis(PASSING, WARNING, SKIPPED)
    assert mixed.worst == "WARN"
    assert not mixed.has_failures
    failing = _diagnosis(PASSING, FAILURE, WARNING)
    assert failing.worst == "FAIL"
    assert failing.has_failures
    assert failing.counts() == {"FAIL": 1, "WARN": 1, "PASS": 1, "SKIP": 0}
    assert failing.summary() == "1 FAIL, 1 WARN, 1 PASS"


def test_lookup_by_check():
    diagnosis = _diagnosis(PASSING, WARNING, FAILURE)
    assert diagnosis.findings_for("update_ratio") == [WARNING]
    assert diagnosis.status_of("gradient_check") == "FAIL"
    assert diagnosis.status_of("overfitting") is None
    with pytest.raises(ValueError, match="unknown check 'gradient'"):
        diagnosis.findings_for("gradient")


def test_dict():
    diagnosis = _diagnosis(WARNING, FAILURE)
    data = json.loads(json.dumps(diagnosis.to_dict()))
    assert data["findings"][0] == {
        "check": "update_ratio",
        "title": "Update/weight ratio θ(1)",
        "status": "WARN",
        "measured": 2e-6,
        "threshold": "1e-05 to 0.1",
        "message": "θ(1) changes very little",
        "advice": "raise learning_rate_init",
        "layer": 1,
        "details": {},
    }
    assert data["worst"] == "FAIL"
    assert data["has_failures"] is True
    assert data["findings"][1]["details"] == {"layer_errors": [0.5, 1e-9]}
    assert data["params"] == {"alpha": 0.0001}


def test_diagnosis_rebuilds_itself_from_its_dict():
    original = Diagnosis(
        [PASSING, WARNING, FAILURE, SKIPPED],
        "binary",
        {"alpha": 0.5},
        stop_reason="max_iter",
        quick=False,
        seconds=1.25,
    )
    stored = json.loads(json.dumps(original.to_dict()))  # as diagnostics.json holds it
    rebuilt = Diagnosis.from_dict(stored)
    assert rebuilt.findings == original.findings
    assert [f.details for f in rebuilt.findings] == [f.details for f in original.findings]
    assert rebuilt.to_dict() == original.to_dict()


def test_rebuilding_refuses_unknown_checks():
    stored = _diagnosis(PASSING).to_dict()
    stored["findings"][0]["check"] = "no_such_check"
    with pytest.raises(ValueError, match="unknown check 'no_such_check'"):
        Diagnosis.from_dict(stored)


def test_plain_table_puts_advice_under_warnings_and_failures():
    text = _diagnosis(PASSING, WARNING, FAILURE).format_table()
    lines = text.splitlines()

    assert lines[0].split() == ["status", "check", "measured", "threshold", "finding"]
    assert lines[2].startswith("PASS    Symmetry breaking")
    warn_line = next(i for i, line in enumerate(lines) if line.startswith("WARN"))
    assert lines[warn_line + 1].strip() == "→ raise learning_rate_init"
    fail_line = next(i for i, line in enumerate(lines) if line.startswith("FAIL"))
    assert lines[fail_line + 1].strip() == "→ check f′"
    assert lines[-1] == "1 FAIL, 1 WARN, 1 PASS."
    assert "all units differ" in text


def test_html_escapes_everything_and_shows_badges():
    nasty = Finding(
        "leakage",
        "WARN",
        0.5,
        "≤ 1% <rows>",
        '<script>alert("x")</script> & more',
        "use <b>np.unique</b>",
    )

    fragment = diagnosis_to_html(_diagnosis(PASSING, nasty, SKIPPED))

    assert "<script>" not in fragment
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in fragment
    assert "use &lt;b&gt;np.unique&lt;/b&gt;" in fragment
    assert "≤ 1% &lt;rows&gt;" in fragment
    assert fragment.startswith('<div class="mlplab-diagnosis">')
    assert fragment.rstrip().endswith("</div>")
    assert fragment.count("<tr class=") == 3
    assert '<tr class="status-warn">' in fragment
    assert 'class="badge badge-skip"' in fragment
    assert "1 WARN, 1 PASS, 1 SKIP" in fragment


def test_html_shows_advice_only_for_warnings_and_failures():
    passing_with_advice = Finding("symmetry", "PASS", 0.0, "", "fine", "never shown")
    assert "never shown" not in diagnosis_to_html(_diagnosis(passing_with_advice))
    assert "(quick: no training)" in diagnosis_to_html(_diagnosis(PASSING, quick=True))


def test_rich_table_prints_text_literally():
    from rich.console import Console

    tricky = Finding(
        "initial_loss",
        "FAIL",
        34.0,
        "≈ ln 10 [bold]",
        "θ ~ U[−ε, ε] with [red]ε = 10[/red]",
        "smaller init_epsilon",
    )
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, force_terminal=False)

    render_rich(_diagnosis(PASSING, tricky), console)

    out = buffer.getvalue()
    assert "θ ~ U[−ε, ε] with [red]ε = 10[/red]" in out  # markup is not interpreted
    assert "≈ ln 10 [bold]" in out
    assert "→ smaller init_epsilon" in out
    assert "Initial loss" in out
    assert "1 FAIL, 1 PASS." in out
    assert "mlplab doctor" in out
