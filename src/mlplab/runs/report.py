"""The HTML report of a training run: one self-contained page to look at, not to read.

``mlplab train`` leaves a run folder behind; this module turns it into ``report.html``:

=======================  ===============================================================
file in the run folder   what the report takes from it
=======================  ===============================================================
config.json              configuration, data summary, metrics, the figures' captions
history.csv              learning curves (drawn anew if learning_curves.png is missing),
                         epochs run and the best epoch
*.png                    the figures, embedded as ``data:`` URIs
gradcheck.json           the gradient-check table (``mlplab gradcheck --out RUN_DIR``)
diagnostics.json         the diagnostics section (``mlplab train --diagnose`` or
                         ``mlplab doctor --out RUN_DIR``)
model.safetensors        listed with its size
=======================  ===============================================================

The page is a single file: figures are embedded, the stylesheet (``report.css`` next to
this module) is inline, nothing is fetched and no script runs, so it can be mailed,
archived or opened offline. Every string that comes from the user (labels, feature and
file names, the command line) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from ..fileformat import atomic_write_bytes
from .folder import FIGURE_CAPTIONS, RunFolder
from .sections import (
    config_section,
    data_section,
    diagnostics_section,
    figure_name,
    figures_section,
    files_section,
    gradcheck_section,
    metrics_section,
    per_class_section,
    summary_cards,
)
from .text import esc

#: The report's stylesheet, inlined into every page.
STYLESHEET = resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")


def _header(page_title: str, config: Mapping) -> str:
    meta = []
    created = config.get("created")
    if created:
        meta.append(f"trained {esc(_readable_time(created))}")
    if config.get("mlplab_version"):
        meta.append(f"mlplab {esc(config['mlplab_version'])}")
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    meta.append(f"report built {esc(generated)}")
    command = config.get("command")
    lines = [
        "<header>",
        f"<h1>{html.escape(page_title)}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if command:
        lines.append(f'<pre class="command">{esc(command)}</pre>')
    lines.append("</header>")
    return "\n".join(lines)


#: Section anchors for the contents line: (id, heading).
_SECTIONS = (
    ("results", "Results"),
    ("figures", "Figures"),
    ("per-class", "Per class"),
    ("data", "Data"),
    ("configuration", "Configuration"),
    ("gradient-check", "Gradient check"),
    ("diagnostics", "Diagnostics"),
    ("files", "Files"),
)


def _contents(content: str) -> str:
    """Links to the sections present in ``content``."""
    links = " · ".join(
        f'<a href="#{anchor}">{title}</a>'
        for anchor, title in _SECTIONS
        if f'<section id="{anchor}">' in content
    )
    return f'<nav class="contents">{links}</nav>'


def _readable_time(stamp: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------- building the page
def build_report(
    run_dir=None,
    *,
    config: Mapping | None = None,
    history=None,
    figures: Sequence | None = None,
    gradcheck: Mapping | None = None,
    diagnosis=None,
    files: Sequence | None = None,
    title: str | None = None,
) -> str:
    """The report as one HTML document (a string).

    Parameters
    ----------
    run_dir : path, optional
        A run folder; every part not given explicitly is read from it (:meth:`RunFolder.load`).
    config : mapping, optional
        config.json's content (see ``mlplab train``): ``data``, ``model``, ``training``,
        ``metrics``, ``per_class``, ``command``, ...; missing keys leave sections out.
    history : mapping of str to sequence, optional
        Per-epoch columns (a :class:`~mlplab.History`, dict or DataFrame).
    figures : sequence, optional
        Items ``(png, title, caption)`` where png is a path, PNG bytes or a matplotlib
        Figure. Without a ``learning_curves.png`` among them, learning curves are drawn
        from ``history``.
    gradcheck : mapping, optional
        ``relative_error``, ``layer_errors``, ``layer_shapes``, ``verdict``.
    diagnosis : Diagnosis or mapping, optional
        A :class:`mlplab.diagnostics.Diagnosis` or its ``to_dict()``.
    files : sequence of (name, size), optional
        The run folder's files, listed at the end.
    title : str, optional
        Page title; default names the data set.

    Returns
    -------
    str
        A complete HTML5 document with inline CSS and embedded figures, no scripts.
    """
    if run_dir is not None:
        parts = RunFolder(run_dir).load()
        config = parts["config"] if config is None else config
        history = parts["history"] if history is None else history
        figures = parts["figures"] if figures is None else figures
        gradcheck = parts["gradcheck"] if gradcheck is None else gradcheck
        diagnosis = parts["diagnosis"] if diagnosis is None else diagnosis
        files = parts["files"] if files is None else files
    config = dict(config or {})
    figures = list(figures or [])
    if history is not None:
        figures = _with_learning_curves(figures, history)
    data = config.get("data") or {}
    page_title = title or f"mlplab run: {data.get('name', 'training run')}"

    sections = [
        summary_cards(config, history),
        metrics_section(config, history),
        figures_section(figures),
        per_class_section(config),
        data_section(data),
        config_section(config),
        gradcheck_section(gradcheck),
        diagnostics_section(diagnosis, config),
        files_section(files),
    ]
    content = "\n".join(part for part in sections if part)
    body = [_header(page_title, config), _contents(content), content, _footer(config)]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(page_title)}</title>\n"
        f"<style>{STYLESHEET}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main>\n</body>\n</html>\n"
    )


def write_report(run_dir, path=None, **parts) -> Path:
    """Build the report of ``run_dir`` and write it (atomically) as report.html there.

    Parameters
    ----------
    run_dir : path
    path : path, optional
        Where to write instead of ``run_dir/report.html``.
    **parts
        Passed to :func:`build_report` (explicit parts instead of the folder's).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = RunFolder(run_dir).report_file if path is None else Path(path)
    document = build_report(run_dir, **parts)
    atomic_write_bytes(target, document.encode("utf-8"))
    return target


def _with_learning_curves(figures: list, history) -> list:
    """``figures`` with the learning curves drawn from ``history`` when their PNG is absent."""
    for index, item in enumerate(figures):
        if figure_name(item[0]) == "learning_curves.png":
            if Path(item[0]).is_file():
                return figures
            return [*figures[:index], _learning_curves_figure(history), *figures[index + 1 :]]
    return [_learning_curves_figure(history), *figures]


def _learning_curves_figure(history):
    """(figure, title, caption) of the learning curves drawn from ``history``."""
    from ..plots import learning_curves

    if not hasattr(history, "keys"):
        return (None, *FIGURE_CAPTIONS["learning_curves.png"])
    try:
        figure = learning_curves(history)
    except (TypeError, ValueError) as error:
        title, _ = FIGURE_CAPTIONS["learning_curves.png"]
        return (None, title, f"The history cannot be drawn: {error}")
    return (figure, *FIGURE_CAPTIONS["learning_curves.png"])


def _footer(config: Mapping) -> str:
    return (
        "<footer>Made by mlplab"
        f"{' ' + esc(config['mlplab_version']) if config.get('mlplab_version') else ''}. "
        "Rebuild this page with <code>mlplab report RUN_DIR</code>.</footer>"
    )
