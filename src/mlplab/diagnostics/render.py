"""Showing a :class:`Diagnosis`: a colored terminal table (rich) and an HTML fragment.

Plain text is :meth:`Diagnosis.format_table`. Neither renderer interprets the findings'
text as markup: rich gets :class:`rich.text.Text` cells, HTML gets escaped strings.
"""

from __future__ import annotations

import html

from ._result import FAIL, PASS, SKIP, WARN, Diagnosis

__all__ = ["STATUS_COLORS", "diagnosis_to_html", "render_rich"]

#: Badge background colors (white text on each passes WCAG AA contrast).
STATUS_COLORS = {PASS: "#1a7f37", WARN: "#9a6700", FAIL: "#cf222e", SKIP: "#6e7781"}
_RICH_STYLES = {PASS: "bold green", WARN: "bold yellow", FAIL: "bold red", SKIP: "dim"}


def render_rich(diagnosis: Diagnosis, console=None) -> None:
    """Print the findings as a colored table, with the advice under WARN and FAIL rows.

    Parameters
    ----------
    diagnosis : Diagnosis
    console : rich.console.Console, optional
        Where to print; a new ``Console()`` (standard output) by default.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if console is None:
        console = Console()
    title = "mlplab doctor" + (" (quick: no training)" if diagnosis.quick else "")
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("measured", justify="right", no_wrap=True)
    table.add_column("threshold")
    table.add_column("finding")
    for finding in diagnosis.findings:
        text = Text(finding.message)
        if finding.advice and finding.status in (WARN, FAIL):
            text.append("\n→ " + finding.advice, style="italic cyan")
        table.add_row(
            Text(finding.status, style=_RICH_STYLES[finding.status]),
            Text(finding.title),
            Text(finding.measured_text),
            Text(finding.threshold, style="dim"),
            text,
        )
    console.print(table)
    if diagnosis.source:
        console.print(Text(f"Measured on {diagnosis.source}.", style="dim"))
    summary = Text(diagnosis.summary() + ".")
    summary.stylize(_RICH_STYLES[diagnosis.worst])
    console.print(summary)


def diagnosis_to_html(diagnosis: Diagnosis) -> str:
    """An HTML fragment: a summary line and a table of findings with status badges.

    Every piece of text is escaped with :func:`html.escape`. Elements carry classes
    (``mlplab-diagnosis``, ``status-fail``, ``badge``, ...) for a page's stylesheet, and
    the badges inline styles so the fragment also reads well without one.
    """
    e = html.escape
    worst = diagnosis.worst
    parts = [
        '<div class="mlplab-diagnosis">',
        f'<p class="mlplab-diagnosis-summary">{_badge(worst)} {e(diagnosis.summary())}'
        + (" (quick: no training)" if diagnosis.quick else "")
        + "</p>",
        *(
            [f'<p class="mlplab-diagnosis-source note">Measured on {e(diagnosis.source)}.</p>']
            if diagnosis.source
            else []
        ),
        '<table class="mlplab-diagnosis-table">',
        "<thead><tr><th>Status</th><th>Check</th><th>Measured</th><th>Threshold</th>"
        "<th>Finding</th><th>What to try</th></tr></thead>",
        "<tbody>",
    ]
    for finding in diagnosis.findings:
        advice = finding.advice if finding.status in (WARN, FAIL) else ""
        parts.append(
            f'<tr class="status-{e(finding.status.lower())}">'
            f"<td>{_badge(finding.status)}</td>"
            f"<td>{e(finding.title)}</td>"
            f'<td style="text-align:right;font-variant-numeric:tabular-nums">'
            f"{e(finding.measured_text)}</td>"
            f"<td>{e(finding.threshold)}</td>"
            f"<td>{e(finding.message)}</td>"
            f"<td>{e(advice)}</td></tr>"
        )
    parts += ["</tbody>", "</table>", "</div>"]
    return "\n".join(parts)


def _badge(status: str) -> str:
    """A colored status label."""
    color = STATUS_COLORS[status]
    return (
        f'<span class="badge badge-{html.escape(status.lower())}" style="background:{color};'
        "color:#fff;border-radius:3px;padding:0 0.4em;font-weight:bold;"
        f'font-family:monospace">{html.escape(status)}</span>'
    )
