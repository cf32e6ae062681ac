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

The page is a single file: figures are embedded, the stylesheet is inline, nothing is
fetched and no script runs, so it can be mailed, archived or opened offline. Every string
that comes from the user (labels, feature and file names, the command line) is escaped
with :func:`html.escape`.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "FIGURE_CAPTIONS",
    "REPORT_FILE",
    "RunFolderError",
    "build_report",
    "format_loss",
    "format_percent",
    "load_run",
    "write_report",
]

REPORT_FILE = "report.html"
CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
GRADCHECK_FILE = "gradcheck.json"
DIAGNOSTICS_FILE = "diagnostics.json"
MODEL_FILE = "model.safetensors"

#: Figures a run folder may hold, in the order the report shows them: (title, caption).
FIGURE_CAPTIONS = {
    "learning_curves.png": (
        "Learning curves",
        "The training objective J(θ) (and, for classifiers, the accuracy) per epoch on the "
        "training and validation parts. A growing gap between the two means overfitting; "
        "both poor and flat means underfitting.",
    ),
    "confusion_matrix.png": (
        "Confusion matrix",
        "Rows are the true classes, columns the predicted ones; everything off the "
        "diagonal is a mistake.",
    ),
    "decision_regions.png": (
        "Decision regions",
        "The class the network predicts at each point of the input plane, with the "
        "examples on top.",
    ),
    "hidden_units.png": (
        "What the hidden units look for",
        "Each first-layer hidden unit's incoming weights θ⁽¹⁾ drawn as an image: white "
        "pixels excite the unit, black ones inhibit it.",
    ),
    "update_ratios.png": (
        "Update-to-weight ratios",
        "‖Δθ⁽ˡ⁾‖ / ‖θ⁽ˡ⁾‖ of each layer's last step per epoch; a healthy learning rate "
        "keeps it near 1e-3.",
    ),
    "misclassified.png": (
        "Misclassified examples",
        "Test images the network got wrong, with the true and the predicted class.",
    ),
    "gradient_check.png": (
        "Gradient check",
        "Relative error between backprop and central differences, per layer.",
    ),
}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

#: Why training stopped, in words.
STOP_REASONS = {
    "max_iter": "reached the epoch limit",
    "no_improvement": "no improvement for --patience epochs",
    "converged": "converged",
    "diverged": "diverged (weights of the last good epoch kept)",
    "interrupted": "interrupted (model of the last full epoch)",
}


#: The same, short enough for a summary card.
STOP_REASONS_SHORT = {
    "max_iter": "epoch limit",
    "no_improvement": "no improvement",
    "converged": "converged",
    "diverged": "diverged",
    "interrupted": "interrupted",
}


class RunFolderError(ValueError):
    """A folder that holds no mlplab run (or a file in it that cannot be read)."""


# ---------------------------------------------------------------------- formatting
def format_percent(value: float | None) -> str:
    """0.97333 → "97.33%"; None or NaN → "–"."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{100.0 * value:.2f}%"


def format_loss(value: float | None) -> str:
    """A loss with four significant digits; None or NaN → "–"."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


def format_seconds(value: float | None) -> str:
    """12.3 → "12.3 s"; 75 → "1 min 15 s"."""
    if value is None or not math.isfinite(value):
        return "–"
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds} s"


def _format_size(n_bytes: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1024 or unit == "MB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} MB"  # pragma: no cover


def _format_value(value: Any) -> str:
    """A configuration value as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_format_value(v) for v in value) or "none"
    if value is None:
        return "–"
    return str(value)


def _e(value: Any) -> str:
    """Escaped text of any value."""
    return html.escape(value if isinstance(value, str) else _format_value(value))


# ---------------------------------------------------------------------- reading a run
def load_run(run_dir) -> dict[str, Any]:
    """Read the parts of a run folder that exist.

    Returns
    -------
    dict
        ``config`` (dict or None), ``history`` (History or None), ``figures`` (list of
        (path, title, caption)), ``gradcheck`` (dict or None), ``diagnosis`` (dict or
        None), ``files`` (list of (name, size in bytes)).

    Raises
    ------
    RunFolderError
        The folder does not exist, has neither config.json nor history.csv, or one of
        the files is damaged.
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise RunFolderError(f"no such run folder: {os.fspath(run_dir)!r}")
    config = _read_json(folder / CONFIG_FILE)
    history = None
    history_file = folder / HISTORY_FILE
    # A run that ended in its first epoch (diverged, interrupted) has a history without rows.
    if history_file.is_file() and len(history_file.read_bytes().strip().splitlines()) > 1:
        from .history import History

        try:
            history = History.from_csv(history_file)
        except ValueError as error:
            raise RunFolderError(f"cannot read {HISTORY_FILE}: {error}") from None
    if config is None and not history_file.is_file():
        raise RunFolderError(
            f"{os.fspath(run_dir)!r} is not an mlplab run folder: it has neither "
            f"{CONFIG_FILE} nor {HISTORY_FILE} (train one with: mlplab train --out FOLDER)"
        )
    return {
        "config": config,
        "history": history,
        "figures": _figures_in(folder, config),
        "gradcheck": _read_json(folder / GRADCHECK_FILE),
        "diagnosis": _read_json(folder / DIAGNOSTICS_FILE),
        "files": sorted(
            (entry.name, entry.stat().st_size)
            for entry in folder.iterdir()
            if entry.is_file() and not entry.name.startswith(".") and entry.name != REPORT_FILE
        ),
    }


def _read_json(path: Path) -> dict | None:
    """A JSON object from ``path``, None if absent, RunFolderError if damaged."""
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFolderError(f"{path.name} is damaged: {error}") from None
    if not isinstance(value, dict):
        raise RunFolderError(f"{path.name} must hold a JSON object, got {type(value).__name__}")
    return value


def _figures_in(folder: Path, config: Mapping | None) -> list[tuple[Path, str, str]]:
    """The run's figures: those config.json lists, else the known file names present."""
    listed = (config or {}).get("figures")
    figures = []
    if isinstance(listed, list):
        for entry in listed:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("file"), str):
                continue
            name = os.path.basename(entry["file"])  # never read outside the folder
            title, caption = FIGURE_CAPTIONS.get(name, (name, ""))
            figures.append(
                (folder / name, str(entry.get("title", title)), str(entry.get("caption", caption)))
            )
    known = {path.name for path, _, _ in figures}
    for name, (title, caption) in FIGURE_CAPTIONS.items():
        if name not in known and (folder / name).is_file():
            figures.append((folder / name, title, caption))
    return figures


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
        A run folder; every part not given explicitly is read from it (:func:`load_run`).
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
        parts = load_run(run_dir)
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
        _summary_cards(config, history),
        _metrics_section(config, history),
        _figures_section(figures),
        _per_class_section(config),
        _data_section(data),
        _config_section(config),
        _gradcheck_section(gradcheck),
        _diagnostics_section(diagnosis, config),
        _files_section(files),
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
    from .fileformat import atomic_write_bytes

    target = Path(run_dir) / REPORT_FILE if path is None else Path(path)
    document = build_report(run_dir, **parts)
    atomic_write_bytes(target, document.encode("utf-8"))
    return target


def _figure_name(source) -> str | None:
    return os.path.basename(os.fspath(source)) if isinstance(source, (str, os.PathLike)) else None


def _with_learning_curves(figures: list, history) -> list:
    """``figures`` with the learning curves drawn from ``history`` when their PNG is absent."""
    for index, item in enumerate(figures):
        if _figure_name(item[0]) == "learning_curves.png":
            if Path(item[0]).is_file():
                return figures
            return [*figures[:index], _learning_curves_figure(history), *figures[index + 1 :]]
    return [_learning_curves_figure(history), *figures]


def _learning_curves_figure(history):
    """(figure, title, caption) of the learning curves drawn from ``history``."""
    from .plots import learning_curves

    if not hasattr(history, "keys"):
        return (None, *FIGURE_CAPTIONS["learning_curves.png"])
    try:
        figure = learning_curves(history)
    except (TypeError, ValueError) as error:
        title, _ = FIGURE_CAPTIONS["learning_curves.png"]
        return (None, title, f"The history cannot be drawn: {error}")
    return (figure, *FIGURE_CAPTIONS["learning_curves.png"])


def _png_data_uri(source) -> tuple[str | None, str]:
    """(data URI, "") for a PNG path, bytes or Figure; (None, why) when there is none."""
    if source is None:
        return None, "figure not available"
    if hasattr(source, "savefig"):
        from .plots import figure_to_png_bytes

        data = figure_to_png_bytes(source)
    elif isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            return None, f"{path.name} is missing"
        data = path.read_bytes()
    if not data.startswith(_PNG_MAGIC):
        return None, "not a PNG image"
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii"), ""


# ---------------------------------------------------------------------- sections
def _header(page_title: str, config: Mapping) -> str:
    meta = []
    created = config.get("created")
    if created:
        meta.append(f"trained {_e(_readable_time(created))}")
    if config.get("mlplab_version"):
        meta.append(f"mlplab {_e(config['mlplab_version'])}")
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    meta.append(f"report built {_e(generated)}")
    command = config.get("command")
    lines = [
        "<header>",
        f"<h1>{html.escape(page_title)}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if command:
        lines.append(f'<pre class="command">{_e(command)}</pre>')
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


def _section(anchor: str, heading: str) -> str:
    """The opening of a section with its anchor and heading."""
    return f'<section id="{anchor}">\n<h2>{heading}</h2>'


def _readable_time(stamp: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _main_score(config: Mapping) -> tuple[str, str, float | None]:
    """(metric key, label, value) of the headline figure: test, else validation, else train."""
    metrics = config.get("metrics") or {}
    regression = (config.get("data") or {}).get("task") == "regression"
    key = "r2" if regression else "accuracy"
    for part in ("test", "validation", "train"):
        value = (metrics.get(part) or {}).get(key)
        if isinstance(value, (int, float)):
            label = f"{part} {'R²' if regression else 'accuracy'}"
            return key, label, float(value)
    return key, "accuracy", None


def _summary_cards(config: Mapping, history) -> str:
    training = config.get("training") or {}
    key, label, value = _main_score(config)
    shown = "–" if value is None else format_percent(value) if key == "accuracy" else f"{value:.4f}"
    epochs = training.get("epochs_run")
    if epochs is None and history is not None:
        epochs = _n_epochs(history)
    cards = [
        (label, shown, "headline"),
        ("epochs", _format_value(epochs) if epochs is not None else "–", ""),
        ("training time", format_seconds(training.get("seconds")), ""),
        (
            "stopped by",
            STOP_REASONS_SHORT.get(str(training.get("stop_reason")), "–")
            if training.get("stop_reason")
            else "–",
            "",
        ),
    ]
    model = config.get("model") or {}
    if model.get("layer_sizes"):
        cards.append(("network", "–".join(str(u) for u in model["layer_sizes"]), ""))
    items = "".join(
        f'<div class="card {cls}"><div class="card-value">{_e(text)}</div>'
        f'<div class="card-label">{_e(name)}</div></div>'
        for name, text, cls in cards
    )
    return f'<section class="cards">{items}</section>'


def _n_epochs(history) -> int | None:
    n = getattr(history, "n_epochs", None)
    if n is not None:
        return int(n)
    try:
        return len(history["train_loss"])
    except (KeyError, TypeError):
        return None


def _stop_reason_text(reason) -> str:
    if not reason:
        return "–"
    return STOP_REASONS.get(str(reason), str(reason))


def _metrics_section(config: Mapping, history) -> str:
    metrics = config.get("metrics") or {}
    regression = (config.get("data") or {}).get("task") == "regression"
    rows = []
    for part in ("train", "validation", "test"):
        values = metrics.get(part)
        if not isinstance(values, Mapping):
            continue
        score = values.get("r2" if regression else "accuracy")
        if regression:
            score_text = "–" if score is None else f"{score:.4f}"
        else:
            score_text = format_percent(score)
        rows.append(
            f'<tr><th scope="row">{_e(part)}</th><td class="num">{_e(values.get("n", "–"))}</td>'
            f'<td class="num">{_e(score_text)}</td>'
            f'<td class="num">{_e(format_loss(values.get("loss")))}</td></tr>'
        )
    training = config.get("training") or {}
    facts = []
    epochs = training.get("epochs_run")
    if epochs is None and history is not None:
        epochs = _n_epochs(history)
    if epochs is not None:
        facts.append(("epochs run", _format_value(epochs)))
    if training.get("best_epoch") is not None:
        facts.append(("best epoch (weights kept)", _format_value(training["best_epoch"])))
    if training.get("seconds") is not None:
        facts.append(("training time", format_seconds(training["seconds"])))
    if training.get("stop_reason"):
        facts.append(("stop reason", _stop_reason_text(training["stop_reason"])))
    if training.get("interrupted"):
        facts.append(("interrupted by", str(training["interrupted"])))
    for warning in training.get("warnings") or []:
        facts.append(("warning", str(warning)))
    if not rows and not facts:
        return ""
    score_name = "R²" if regression else "accuracy"
    loss_name = "mean squared error" if regression else "log loss"
    parts = [_section("results", "Results")]
    if rows:
        parts += [
            '<table class="metrics">',
            '<thead><tr><th>part</th><th class="num">examples</th>'
            f'<th class="num">{score_name}</th><th class="num">{loss_name}</th></tr></thead>',
            "<tbody>",
            *rows,
            "</tbody></table>",
            f'<p class="note">Scores of the saved model. The {loss_name} is the data loss '
            "without the λ term; the learning curves plot the training objective J(θ), "
            "which includes it.</p>",
        ]
    if facts:
        parts.append(_key_value_table(facts, css="facts"))
    parts.append("</section>")
    return "\n".join(parts)


def _key_value_table(rows: Sequence[tuple[str, Any]], css: str = "") -> str:
    body = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows)
    return f'<table class="kv {css}"><tbody>{body}</tbody></table>'


def _figures_section(figures: Sequence) -> str:
    if not figures:
        return ""
    items = []
    for item in figures:
        source, title, caption = (*tuple(item), "", "")[:3]
        uri, why = _png_data_uri(source)
        name = _figure_name(source)
        if uri is None:
            items.append(f'<figure class="missing"><p>{_e(title)}: {_e(why)}</p></figure>')
            continue
        alt = f"{title} ({name})" if name else str(title)
        items.append(
            f'<figure><img src="{uri}" alt="{_e(alt)}">'
            f"<figcaption><strong>{_e(title)}.</strong> {_e(caption)}</figcaption></figure>"
        )
    return _section("figures", "Figures") + "\n" + "\n".join(items) + "\n</section>"


def _per_class_section(config: Mapping) -> str:
    per_class = config.get("per_class")
    if not isinstance(per_class, Mapping) or not per_class.get("rows"):
        return ""
    names = _class_name_map(config.get("data") or {})
    rows = []
    for row in per_class["rows"]:
        label = str(row.get("class", ""))
        name = names.get(label, label)
        rows.append(
            f'<tr><th scope="row">{_e(name)}</th>'
            f'<td class="num">{_e(format_percent(row.get("precision")))}</td>'
            f'<td class="num">{_e(format_percent(row.get("recall")))}</td>'
            f'<td class="num">{_e(format_percent(row.get("f1")))}</td>'
            f'<td class="num">{_e(row.get("support", "–"))}</td></tr>'
        )
    part = per_class.get("part", "test")
    return (
        _section("per-class", f"Per class ({_e(part)} part)") + "\n"
        '<table class="metrics"><thead><tr><th>class</th><th class="num">precision</th>'
        '<th class="num">recall</th><th class="num">F1</th><th class="num">examples</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>\n</section>"
    )


def _class_name_map(data: Mapping) -> dict[str, str]:
    classes = data.get("classes") or []
    names = data.get("class_names") or classes
    if len(names) != len(classes):
        names = classes
    return {str(label): str(name) for label, name in zip(classes, names)}


def _data_section(data: Mapping) -> str:
    if not data:
        return ""
    split = data.get("split") or {}
    facts = [
        ("name", data.get("name", "–")),
        ("source", data.get("source", "–")),
    ]
    if data.get("description"):
        facts.append(("description", data["description"]))
    facts += [
        ("task", data.get("task", "–")),
        ("target", data.get("target", "–")),
        ("examples", data.get("n_examples", "–")),
        ("features", data.get("n_features", "–")),
        ("feature names", _feature_list(data.get("feature_names"), data.get("feature_units"))),
    ]
    if split:
        facts.append(
            (
                "split",
                f"{split.get('n_train', '–')} training, {split.get('n_validation', '–')} "
                f"validation, {split.get('n_test', '–')} test (seed {split.get('seed', '–')})",
            )
        )
    scaling = data.get("scaling")
    facts.append(("input scaling", _scaling_text(scaling)))
    parts = [_section("data", "Data"), _key_value_table(facts)]
    classes = data.get("classes")
    counts = data.get("class_counts")
    if classes and counts and len(classes) == len(counts):
        names = _class_name_map(data)
        largest = max(counts) or 1
        rows = "".join(
            f'<tr><th scope="row">{_e(names.get(str(label), str(label)))}</th>'
            f'<td class="num">{_e(count)}</td>'
            f'<td class="bar-cell"><span class="bar" style="width:{100.0 * count / largest:.1f}%">'
            "</span></td></tr>"
            for label, count in zip(classes, counts)
        )
        parts.append(
            '<table class="classes"><thead><tr><th>class</th><th class="num">examples</th>'
            f'<th class="bar-cell">share</th></tr></thead><tbody>{rows}</tbody></table>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def _feature_list(names, units) -> str:
    if not names:
        return "–"
    units = units if units and len(units) == len(names) else [""] * len(names)
    labelled = [f"{n} ({u})" if u else str(n) for n, u in zip(names, units)]
    if len(labelled) > 12:
        return f"{', '.join(labelled[:4])}, …, {', '.join(labelled[-2:])} ({len(labelled)} in all)"
    return ", ".join(labelled)


def _scaling_text(scaling) -> str:
    if not isinstance(scaling, Mapping):
        return "none (raw inputs)"
    if scaling.get("kind") == "divide":
        scale = scaling.get("scale") or [16]
        return f"divided by {_format_value(float(scale[0]))}; folded into θ⁽¹⁾ of the saved model"
    return (
        "standardized, (x − mean) / standard deviation of the training part; folded into "
        "θ⁽¹⁾ of the saved model, which takes raw inputs"
    )


def _config_section(config: Mapping) -> str:
    model = config.get("model") or {}
    if not model:
        return ""
    labels = [
        ("kind", "model"),
        ("layer_sizes", "layer sizes (input, hidden…, output)"),
        ("activation", "hidden activation f"),
        ("output", "output layer"),
        ("solver", "solver"),
        ("learning_rate", "learning rate η"),
        ("alpha", "regularization λ (alpha)"),
        ("epochs", "most epochs"),
        ("batch_size", "batch size"),
        ("patience", "patience (epochs)"),
        ("early_stopping", "early stopping"),
        ("dtype", "dtype"),
        ("seed", "seed"),
        ("n_params", "parameters"),
    ]
    rows = [(label, model[key]) for key, label in labels if key in model]
    training = config.get("training") or {}
    if training.get("checkpoint_every"):
        rows.append(("checkpoint every", f"{training['checkpoint_every']} epochs"))
    parts = [_section("configuration", "Configuration"), _key_value_table(rows)]
    params = model.get("estimator_params")
    if isinstance(params, Mapping) and params:
        parts.append(
            "<details><summary>All estimator parameters</summary>"
            + _key_value_table(sorted(params.items()), css="small")
            + "</details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _gradcheck_section(gradcheck: Mapping | None) -> str:
    if not gradcheck:
        return ""
    errors = list(gradcheck.get("layer_errors") or [])
    shapes = list(gradcheck.get("layer_shapes") or [])
    rows = []
    for index, error in enumerate(errors, start=1):
        shape = shapes[index - 1] if len(shapes) == len(errors) else None
        shape_text = f"{shape[0]}×{shape[1]}" if shape else "–"
        rows.append((f"θ⁽{_superscript(index)}⁾", shape_text, error))
    if gradcheck.get("relative_error") is not None:
        rows.append(("all parameters", "", gradcheck["relative_error"]))
    body = "".join(
        f'<tr><th scope="row">{_e(name)}</th><td>{_e(shape)}</td>'
        f'<td class="num">{_e(_sci(error))}</td><td>{_verdict_badge(_verdict(error))}</td></tr>'
        for name, shape, error in rows
    )
    verdict = str(gradcheck.get("verdict") or (_verdict(max(errors)) if errors else "–"))
    settings = gradcheck.get("settings") or {}
    setting_text = ", ".join(f"{k} {_format_value(v)}" for k, v in settings.items())
    return (
        _section("gradient-check", "Gradient check") + "\n"
        f"<p>Backprop against central differences (ε = 1e-4): verdict {_verdict_badge(verdict)}"
        + (f' <span class="note">({_e(setting_text)})</span>' if setting_text else "")
        + "</p>\n"
        '<table class="metrics"><thead><tr><th>parameters</th><th>shape</th>'
        '<th class="num">relative error</th><th>verdict</th></tr></thead><tbody>'
        + body
        + "</tbody></table>\n"
        '<p class="note">Below 1e-7 good, below 1e-4 acceptable, below 1e-2 suspect, '
        "otherwise wrong.</p>\n</section>"
    )


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sci(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return f"{value:.2e}" if math.isfinite(value) else str(value)


def _verdict(error) -> str:
    try:
        error = float(error)
    except (TypeError, ValueError):
        return "wrong"
    if error < 1e-7:
        return "good"
    if error < 1e-4:
        return "acceptable"
    if error < 1e-2:
        return "suspect"
    return "wrong"


def _verdict_badge(verdict: str) -> str:
    css = {"good": "pass", "acceptable": "pass", "suspect": "warn"}.get(verdict, "fail")
    return f'<span class="badge {css}">{_e(verdict)}</span>'


def _diagnostics_section(diagnosis, config: Mapping) -> str:
    heading = _section("diagnostics", "Diagnostics") + "\n"
    if diagnosis is None:
        command = _doctor_command(config)
        return (
            heading + "<p>Not run. The checks (gradient check, initial loss, overfitting a tiny "
            "subset, update ratios, dead or saturated units, over- and underfitting) run with"
            f'</p>\n<pre class="command">{_e(command)}</pre>\n</section>'
        )
    fragment = _diagnosis_html(diagnosis)
    return heading + fragment + "\n</section>"


def _doctor_command(config: Mapping) -> str:
    command = config.get("doctor_command")
    if command:
        return str(command)
    return f"mlplab doctor --out {config.get('run_dir') or 'RUN_DIR'}"


def _diagnosis_html(diagnosis) -> str:
    """The diagnostics engine's own HTML fragment, or a plain table of the findings."""
    if isinstance(diagnosis, Mapping):
        rebuilt = _diagnosis_from_dict(diagnosis)
        if rebuilt is None:
            return _plain_findings(diagnosis)
        diagnosis = rebuilt
    from .diagnostics import diagnosis_to_html

    return diagnosis_to_html(diagnosis)


def _diagnosis_from_dict(values: Mapping):
    """A Diagnosis from its ``to_dict()``, or None if the diagnostics cannot rebuild it."""
    try:
        from .diagnostics import Diagnosis, Finding
    except ImportError:
        return None
    try:
        findings = [
            Finding(
                check=f["check"],
                status=f["status"],
                measured=f.get("measured"),
                threshold=f.get("threshold", ""),
                message=f.get("message", ""),
                advice=f.get("advice", ""),
                layer=f.get("layer"),
                details=dict(f.get("details") or {}),
            )
            for f in values.get("findings") or []
        ]
        return Diagnosis(
            findings=findings,
            task=str(values.get("task", "")),
            params=dict(values.get("params") or {}),
            stop_reason=values.get("stop_reason"),
            quick=bool(values.get("quick", False)),
            seconds=float(values.get("seconds", 0.0)),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _plain_findings(values: Mapping) -> str:
    """The findings of a diagnostics.json as a table, without the diagnostics package."""
    rows = "".join(
        f"<tr><td>{_status_badge(f.get('status', ''))}</td>"
        f"<td>{_e(f.get('title') or f.get('check', ''))}</td>"
        f"<td>{_e(f.get('message', ''))}</td><td>{_e(f.get('advice', ''))}</td></tr>"
        for f in values.get("findings") or []
        if isinstance(f, Mapping)
    )
    return (
        '<table class="metrics"><thead><tr><th>status</th><th>check</th><th>finding</th>'
        f"<th>what to try</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _status_badge(status: str) -> str:
    css = {"PASS": "pass", "WARN": "warn", "FAIL": "fail"}.get(str(status), "skip")
    return f'<span class="badge {css}">{_e(status)}</span>'


def _files_section(files: Sequence | None) -> str:
    if not files:
        return ""
    rows = "".join(
        f'<tr><td><code>{_e(name)}</code></td><td class="num">{_e(_format_size(size))}</td></tr>'
        for name, size in files
    )
    return (
        _section("files", "Files in the run folder") + "\n"
        f'<table class="files"><tbody>{rows}</tbody></table>\n'
        '<p class="note">Use the model with <code>mlplab evaluate model.safetensors --data …</code>'
        ", <code>mlplab predict model.safetensors INPUT.csv</code> or, in Python, "
        '<code>mlplab.load("model.safetensors")</code>; it takes raw (unscaled) '
        "features.</p>\n</section>"
    )


def _footer(config: Mapping) -> str:
    return (
        "<footer>Made by mlplab"
        f"{' ' + _e(config['mlplab_version']) if config.get('mlplab_version') else ''}. "
        "Rebuild this page with <code>mlplab report RUN_DIR</code>.</footer>"
    )


STYLESHEET = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --zebra:#f6f8fa; --accent:#0969da;
  --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --skip:#6e7781; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:#fff;
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1000px; margin:0 auto; padding:24px 20px 40px; }
h1 { font-size:1.7em; margin:0 0 4px; }
h2 { font-size:1.25em; margin:32px 0 12px; padding-bottom:4px;
  border-bottom:1px solid var(--line); }
.meta, .note { color:var(--muted); font-size:0.9em; }
nav.contents { font-size:0.9em; margin:4px 0 0; }
nav.contents a { text-decoration:none; }
pre.command { background:var(--zebra); border:1px solid var(--line); border-radius:6px;
  padding:8px 12px; overflow-x:auto; font-size:0.9em; white-space:pre-wrap; word-break:break-all; }
code { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:0.92em; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin:20px 0 8px; }
.card { flex:1 1 150px; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.card-value { font-size:1.2em; font-weight:600; }
.card.headline .card-value { font-size:2em; color:var(--accent); }
.card-label { color:var(--muted); font-size:0.85em; }
table { border-collapse:collapse; margin:8px 0 12px; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:6px 12px; border-bottom:1px solid var(--line);
  vertical-align:top; }
thead th { border-bottom:2px solid var(--line); font-weight:600; }
tbody tr:nth-child(even) { background:var(--zebra); }
td.num, th.num { text-align:right; }
table.kv th { font-weight:500; color:var(--muted); white-space:nowrap; }
table.small { font-size:0.85em; }
table.classes { min-width:60%; }
td.bar-cell, th.bar-cell { width:50%; }
.bar { display:inline-block; height:0.9em; background:var(--accent); opacity:0.55;
  border-radius:2px; }
figure { margin:16px 0 28px; }
figure img { max-width:100%; max-height:760px; width:auto; height:auto; display:block;
  border:1px solid var(--line); border-radius:6px; }
figcaption { color:var(--muted); font-size:0.9em; margin-top:6px; }
figcaption strong { color:var(--fg); }
figure.missing p { color:var(--muted); font-style:italic; }
.badge { display:inline-block; color:#fff; border-radius:3px; padding:0 0.45em; font-weight:600;
  font-family:ui-monospace,Menlo,Consolas,monospace; font-size:0.85em; }
.badge.pass { background:var(--pass); } .badge.warn { background:var(--warn); }
.badge.fail { background:var(--fail); } .badge.skip { background:var(--skip); }
.mlplab-diagnosis table { font-size:0.9em; }
details summary { cursor:pointer; color:var(--accent); margin:8px 0; }
footer { margin-top:40px; padding-top:12px; border-top:1px solid var(--line);
  color:var(--muted); font-size:0.85em; }
a { color:var(--accent); }
"""
