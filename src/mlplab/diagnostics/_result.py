"""What the checks return: a :class:`Finding` per check and the :class:`Diagnosis` holding them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .._tables import markdown_table
from ..jsonvalues import to_json

__all__ = ["CHECKS", "FAIL", "PASS", "SKIP", "STATUSES", "WARN", "Diagnosis", "Finding"]

PASS = "PASS"
WARN = "WARN"
FAIL = "FAIL"
SKIP = "SKIP"

#: Statuses from least to most severe; ``Diagnosis.worst`` is the last one present.
STATUSES = (SKIP, PASS, WARN, FAIL)
_RANK = {status: rank for rank, status in enumerate(STATUSES)}

#: Every check's name and the title shown in tables, in the order a diagnosis lists them.
CHECKS = {
    "finite_data": "Finite data",
    "feature_scale": "Feature scaling",
    "class_balance": "Class balance",
    "leakage": "Train/validation duplicates",
    "gradient_check": "Gradient check",
    "initial_loss": "Initial loss",
    "regularization": "Regularization term",
    "symmetry": "Symmetry breaking",
    "overfit_small": "Overfit a tiny subset",
    "loss_trend": "Loss goes down",
    "update_ratio": "Update/weight ratio",
    "saturation": "Saturated/dead units",
    "overfitting": "Overfitting",
    "underfitting": "Underfitting",
}


@dataclass(frozen=True)
class Finding:
    """The outcome of one check.

    Attributes
    ----------
    check : str
        The check's name, a key of :data:`CHECKS` (``"gradient_check"``, ...).
    status : {"PASS", "WARN", "FAIL", "SKIP"}
        SKIP means the check does not apply (or could not run); ``message`` says why.
    measured : float or None
        The figure the check measured (a relative error, a ratio, a fraction, ...).
    threshold : str
        The rule the figure was held to, in words and numbers (``"< 1e-4"``).
    message : str
        One line in plain words: what was found.
    advice : str
        What to try when the status is WARN or FAIL (empty otherwise).
    layer : int or None
        For per-layer checks: θ⁽ˡ⁾'s l for update ratios, the hidden layer's l (2 is the
        first hidden layer, as in the lecture) for saturated units.
    details : dict
        Further figures (JSON-friendly): per-layer errors, counts, which features, ...
    """

    check: str
    status: str
    measured: float | None
    threshold: str
    message: str
    advice: str = ""
    layer: int | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        _check_name(self.check)
        if self.status not in _RANK:
            valid = ", ".join(repr(status) for status in STATUSES)
            raise ValueError(f"unknown status {self.status!r}; valid statuses are {valid}")

    @property
    def title(self) -> str:
        """The check's title, with the layer when there is one (``"Update/weight ratio θ(1)"``)."""
        title = CHECKS[self.check]
        if self.layer is None:
            return title
        if self.check == "update_ratio":
            return f"{title} θ({self.layer})"
        return f"{title}, layer {self.layer}"

    @property
    def measured_text(self) -> str:
        """``measured`` formatted for a table ("" when there is none)."""
        return format_number(self.measured)

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain values (JSON-friendly; non-finite numbers stay floats)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {"check": self.check, "title": self.title, **values, "details": dict(self.details)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Finding:
        """The finding back from its :meth:`to_dict` (``title`` is derived, so ignored).

        Raises
        ------
        KeyError, TypeError or ValueError
            If ``values`` lacks ``check`` or ``status`` or names an unknown one.
        """
        optional = {"measured": None, "threshold": "", "message": "", "advice": "", "layer": None}
        given = {name: values.get(name, default) for name, default in optional.items()}
        details = dict(values.get("details") or {})
        return cls(values["check"], values["status"], **given, details=details)


def reconcile_advice(findings: list[Finding]) -> list[Finding]:
    """The findings with no two pieces of advice pulling the learning rate both ways.

    A loss that diverges or bounces (advice: a lower ``learning_rate_init``) is the more
    direct sign; a plateau or small updates elsewhere (advice: raise it) then point back
    to that finding instead of contradicting it.
    """
    from dataclasses import replace

    active = [f for f in findings if f.status in (WARN, FAIL)]
    lower = next((f for f in active if "lower learning_rate_init" in f.advice), None)
    if lower is None:
        return list(findings)
    raising = ("raise learning_rate_init", "larger learning_rate_init")
    return [
        replace(
            f,
            advice=f"fix '{lower.title}' first (it asks for a lower learning_rate_init); "
            "a larger one would make that worse",
        )
        if f in active and any(phrase in f.advice for phrase in raising)
        else f
        for f in findings
    ]


@dataclass(eq=False)
class Diagnosis:
    """The findings of :func:`mlplab.diagnose` and what the report needs to plot them.

    Attributes
    ----------
    findings : list of Finding
        In the order of :data:`CHECKS`: data first, then the network at initialization,
        then the short training run.
    task : {"multiclass", "binary", "multilabel", "regression", "unknown"}
        The estimator's task; "unknown" when non-finite data stopped the diagnosis
        before the network was built.
    params : dict
        The hyperparameters the checks used (scikit-learn's names plus mlplab's extras).
    net : Network
        The network after the short training run (the initial network when ``quick``):
        what ``mlplab.plots.activation_histograms(net, sample)`` draws.
    initial_net : Network
        The network as initialized, before any training.
    sample : ndarray of shape (m_sample, n_features)
        Training inputs (at most a few hundred) to feed the networks.
    history : History or None
        The short run's per-epoch record (losses, accuracies, ``update_ratio_<l>``), for
        ``mlplab.plots.learning_curves`` and ``mlplab.plots.update_ratios``; None when quick.
    stop_reason : str or None
        Why the short run ended ("max_iter", "diverged", ...); None when quick.
    quick : bool
        Whether only the checks that need no training ran.
    seconds : float
        Wall time of the diagnosis.
    source : str
        What the training findings were measured on: a run's own history and weights
        (:func:`mlplab.diagnostics.diagnose_run`) or the checks' own short run.
    """

    findings: list[Finding]
    task: str
    params: dict[str, Any]
    net: Any = None
    initial_net: Any = None
    sample: np.ndarray | None = None
    history: Any = None
    stop_reason: str | None = None
    quick: bool = False
    seconds: float = 0.0
    source: str = ""

    @property
    def has_failures(self) -> bool:
        """True when any finding is FAIL (``mlplab doctor`` then exits non-zero)."""
        return any(f.status == FAIL for f in self.findings)

    @property
    def worst(self) -> str:
        """The most severe status among the findings (FAIL > WARN > PASS > SKIP)."""
        return worst_status(f.status for f in self.findings)

    def counts(self) -> dict[str, int]:
        """How many findings have each status, most severe first."""
        return {s: sum(f.status == s for f in self.findings) for s in reversed(STATUSES)}

    def findings_for(self, check: str) -> list[Finding]:
        """The findings of one check (several for per-layer checks, none if it did not run)."""
        _check_name(check)
        return [f for f in self.findings if f.check == check]

    def status_of(self, check: str) -> str | None:
        """The most severe status of one check's findings, or None if it did not run."""
        found = self.findings_for(check)
        return worst_status(f.status for f in found) if found else None

    def summary(self) -> str:
        """One line: ``"1 FAIL, 2 WARN, 9 PASS, 1 SKIP"`` (statuses that occur)."""
        return ", ".join(f"{n} {s}" for s, n in self.counts().items() if n) or "no findings"

    def to_dict(self) -> dict[str, Any]:
        """The whole diagnosis as plain values (no network, no arrays)."""
        params = {key: to_json(value) for key, value in self.params.items()}
        return {
            "task": self.task,
            "quick": self.quick,
            "worst": self.worst,
            "has_failures": self.has_failures,
            "stop_reason": self.stop_reason,
            "seconds": self.seconds,
            "source": self.source,
            "params": params,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Diagnosis:
        """The diagnosis back from its :meth:`to_dict` (without network, sample or history).

        Raises
        ------
        KeyError, TypeError or ValueError
            If a finding cannot be rebuilt (see :meth:`Finding.from_dict`).
        """
        return cls(
            findings=[Finding.from_dict(f) for f in values.get("findings") or []],
            task=str(values.get("task", "")),
            params=dict(values.get("params") or {}),
            stop_reason=values.get("stop_reason"),
            quick=bool(values.get("quick", False)),
            seconds=float(values.get("seconds", 0.0)),
            source=str(values.get("source") or ""),
        )

    def format_table(self) -> str:
        """A plain-text table, one line per finding, with the advice under WARN and FAIL."""
        header = ("status", "check", "measured", "threshold", "finding")
        rows = [(f.status, f.title, f.measured_text, f.threshold, f.message) for f in self.findings]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(4)]
        lines = []
        for row, finding in zip((header, *rows), (None, *self.findings)):
            cells = [cell.ljust(width) for cell, width in zip(row, widths)]
            lines.append("  ".join([*cells, row[4]]).rstrip())
            if finding is None:
                lines.append("  ".join("-" * w for w in [*widths, len(header[4])]))
            elif finding.advice and finding.status in (WARN, FAIL):
                lines.append(" " * (sum(widths) + 2 * len(widths)) + "→ " + finding.advice)
        lines.append("")
        lines.append(f"{self.summary()}.")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        """The findings as a notebook shows them, advice under WARN and FAIL."""
        header = ("status", "check", "measured", "threshold", "finding", "what to try")
        rows = [
            (
                f"**{f.status}**" if f.status in (WARN, FAIL) else f.status,
                f.title,
                f.measured_text,
                f.threshold,
                f.message,
                f.advice if f.status in (WARN, FAIL) else "",
            )
            for f in self.findings
        ]
        return markdown_table(header, rows, caption=f"Diagnosis: {self.summary()}")

    def __repr__(self) -> str:
        return f"Diagnosis(task={self.task!r}, worst={self.worst!r}, {self.summary()})"


def _check_name(check: str) -> None:
    """A ValueError listing the checks unless ``check`` is one of them."""
    if check not in CHECKS:
        valid = ", ".join(repr(name) for name in CHECKS)
        raise ValueError(f"unknown check {check!r}; valid checks are {valid}")


def worst_status(statuses) -> str:
    """The most severe of some statuses; PASS when there are none."""
    return max(statuses, key=_RANK.__getitem__, default=PASS)


def format_number(value: float | None) -> str:
    """A compact figure for tables: 3 significant digits, scientific when tiny or huge."""
    if value is None:
        return ""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.2e}"
    if abs(value) >= 100:
        return f"{value:.0f}"  # "1000", not .3g's "1e+03"
    return f"{value:.3g}"
