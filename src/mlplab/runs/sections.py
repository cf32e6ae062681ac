"""The sections of the HTML report, each from one part of a run (config, figures, ...)."""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..gradcheck import VERDICTS, verdict
from ..regular_files import read_regular_bytes
from .text import (
    STOP_REASONS,
    STOP_REASONS_SHORT,
    esc,
    format_loss,
    format_percent,
    format_score,
    format_seconds,
    format_size,
    format_value,
)

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def section(anchor: str, heading: str) -> str:
    """The opening of a section with its anchor and heading."""
    return f'<section id="{anchor}">\n<h2>{heading}</h2>'


def figure_name(source) -> str | None:
    return os.path.basename(os.fspath(source)) if isinstance(source, (str, os.PathLike)) else None


def png_data_uri(source) -> tuple[str | None, str]:
    """(data URI, "") for a PNG path, bytes or Figure; (None, why) when there is none."""
    if source is None:
        return None, "figure not available"
    if hasattr(source, "savefig"):
        from ..plots import figure_to_png_bytes

        data = figure_to_png_bytes(source)
    elif isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            return None, f"{path.name} is missing"
        try:
            data = read_regular_bytes(path)
        except (OSError, ValueError) as error:  # a pipe, a device, unreadable
            return None, f"{path.name} cannot be read ({error})"
    if not data.startswith(_PNG_MAGIC):
        return None, "not a PNG image"
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii"), ""


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


def summary_cards(config: Mapping, history) -> str:
    training = config.get("training") or {}
    key, label, value = _main_score(config)
    shown = format_score(value, regression=key == "r2")
    epochs = training.get("epochs_run")
    if epochs is None and history is not None:
        epochs = _n_epochs(history)
    cards = [
        (label, shown, "headline"),
        ("epochs", format_value(epochs) if epochs is not None else "–", ""),
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
        layers = "–".join(str(u) for u in model["layer_sizes"])
        if (model.get("n_networks") or 1) > 1:  # --multiclass ovr/ovo: binary networks
            shown = f"{model['n_networks']} × {layers}"
            cards.append((f"{model['multiclass']} networks", shown, ""))
        else:
            cards.append(("network", layers, ""))
    items = "".join(
        f'<div class="card {cls}"><div class="card-value">{esc(text)}</div>'
        f'<div class="card-label">{esc(name)}</div></div>'
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


def _network_facts(config: Mapping) -> list[tuple[str, str]]:
    """A run of several binary networks (one-vs-rest, one-vs-one): how many, how long."""
    networks = (config.get("training") or {}).get("networks")
    if not networks:
        return []
    strategy = (config.get("model") or {}).get("multiclass")
    epochs = sorted(int(n.get("epochs_run") or 0) for n in networks)
    reasons = sorted({STOP_REASONS_SHORT.get(str(n.get("stop_reason")), "–") for n in networks})
    facts = [
        (
            "binary networks",
            f"{len(networks)} ({strategy}), {epochs[0]}–{epochs[-1]} epochs each, "
            f"stopped by {', '.join(reasons)}",
        )
    ]
    if strategy == "ovo":
        facts.append(("log loss", "none: one-vs-one networks vote, which gives no probabilities"))
    return facts


def metrics_section(config: Mapping, history) -> str:
    metrics = config.get("metrics") or {}
    regression = (config.get("data") or {}).get("task") == "regression"
    rows = []
    for part in ("train", "validation", "test"):
        values = metrics.get(part)
        if not isinstance(values, Mapping):
            continue
        score = format_score(values.get("r2" if regression else "accuracy"), regression)
        rows.append(
            [esc(part), esc(values.get("n", "–")), esc(score), esc(format_loss(values.get("loss")))]
        )
    training = config.get("training") or {}
    facts = []
    epochs = training.get("epochs_run")
    if epochs is None and history is not None:
        epochs = _n_epochs(history)
    if epochs is not None:
        facts.append(("epochs run", format_value(epochs)))
    monitor = (config.get("model") or {}).get("monitor")
    if training.get("best_epoch") is not None:
        by = f" by {monitor}" if monitor else ""
        facts.append((f"best epoch{by} (weights kept)", format_value(training["best_epoch"])))
    elif monitor == "train_loss":
        facts.append(("early stopping", "off (stops when the training loss stops improving)"))
    facts += _network_facts(config)
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
    parts = [section("results", "Results")]
    if rows:
        columns = [("part", ""), ("examples", "num"), (score_name, "num"), (loss_name, "num")]
        parts += [
            _table("metrics", columns, rows),
            f'<p class="note">Scores of the saved model. The {loss_name} is the data loss '
            "without the λ term; the learning curves plot the training objective J(θ), "
            f"which includes it{_scaled_target_note(config)}.</p>",
        ]
    if facts:
        parts.append(_key_value_table(facts, css="facts"))
    parts.append("</section>")
    return "\n".join(parts)


def _scaled_target_note(config: Mapping) -> str:
    """How the learning curves' loss relates to the table's when the target was scaled."""
    if not (config.get("data") or {}).get("target_scaling"):
        return ""
    return (
        ", on the standardized target (y − mean) / std the network trained on; the saved "
        "model predicts in the target's own units"
    )


def _key_value_table(rows: Sequence[tuple[str, Any]], css: str = "") -> str:
    body = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    return f'<table class="kv {css}"><tbody>{body}</tbody></table>'


def _table(css: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> str:
    """A table of ``columns`` (heading, cell class); ``rows`` hold HTML, the first cell of
    each is the row's heading."""

    def cell(tag: str, text: str, cls: str, heading_of_row: bool = False) -> str:
        attributes = ' scope="row"' if heading_of_row else ""
        attributes += f' class="{cls}"' if cls else ""
        return f"<{tag}{attributes}>{text}</{tag}>"

    head = "".join(cell("th", heading, cls) for heading, cls in columns)
    body = "".join(
        "<tr>"
        + cell("th", row[0], columns[0][1], heading_of_row=True)
        + "".join(cell("td", text, cls) for text, (_, cls) in zip(row[1:], columns[1:]))
        + "</tr>"
        for row in rows
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def figures_section(figures: Sequence) -> str:
    if not figures:
        return ""
    items = []
    for item in figures:
        source, title, caption = (*tuple(item), "", "")[:3]
        uri, why = png_data_uri(source)
        name = figure_name(source)
        if uri is None:
            items.append(f'<figure class="missing"><p>{esc(title)}: {esc(why)}</p></figure>')
            continue
        alt = f"{title} ({name})" if name else str(title)
        items.append(
            f'<figure><img src="{uri}" alt="{esc(alt)}">'
            f"<figcaption><strong>{esc(title)}.</strong> {esc(caption)}</figcaption></figure>"
        )
    return section("figures", "Figures") + "\n" + "\n".join(items) + "\n</section>"


def per_class_section(config: Mapping) -> str:
    per_class = config.get("per_class")
    if not isinstance(per_class, Mapping) or not per_class.get("rows"):
        return ""
    names = _class_name_map(config.get("data") or {})
    rows = []
    for row in per_class["rows"]:
        label = str(row.get("class", ""))
        name = names.get(label, label)
        scores = [esc(format_percent(row.get(key))) for key in ("precision", "recall", "f1")]
        rows.append([esc(name), *scores, esc(row.get("support", "–"))])
    part = per_class.get("part", "test")
    columns = [("class", ""), *((name, "num") for name in ("precision", "recall", "F1"))]
    table = _table("metrics", [*columns, ("examples", "num")], rows)
    return section("per-class", f"Per class ({esc(part)} part)") + f"\n{table}\n</section>"


def _class_name_map(data: Mapping) -> dict[str, str]:
    classes = data.get("classes") or []
    names = data.get("class_names") or classes
    if len(names) != len(classes):
        names = classes
    return {str(label): str(name) for label, name in zip(classes, names)}


def data_section(data: Mapping) -> str:
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
    parts = [section("data", "Data"), _key_value_table(facts)]
    classes = data.get("classes")
    counts = data.get("class_counts")
    if classes and counts and len(classes) == len(counts):
        names = _class_name_map(data)
        largest = max(counts) or 1
        rows = [
            [
                esc(names.get(str(label), str(label))),
                esc(count),
                f'<span class="bar" style="width:{100.0 * count / largest:.1f}%"></span>',
            ]
            for label, count in zip(classes, counts)
        ]
        columns = [("class", ""), ("examples", "num"), ("share", "bar-cell")]
        parts.append(_table("classes", columns, rows))
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
        return f"divided by {format_value(float(scale[0]))}; folded into θ⁽¹⁾ of the saved model"
    return (
        "standardized, (x − mean) / standard deviation of the training part; folded into "
        "θ⁽¹⁾ of the saved model, which takes raw inputs"
    )


def config_section(config: Mapping) -> str:
    model = config.get("model") or {}
    if not model:
        return ""
    labels = [
        ("kind", "model"),
        ("multiclass", "multiclass strategy"),
        ("n_networks", "networks"),
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
    parts = [section("configuration", "Configuration"), _key_value_table(rows)]
    params = model.get("estimator_params")
    if isinstance(params, Mapping) and params:
        parts.append(
            "<details><summary>All estimator parameters</summary>"
            + _key_value_table(sorted(params.items()), css="small")
            + "</details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def gradcheck_section(gradcheck: Mapping | None) -> str:
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
    cells = [
        [esc(name), esc(shape), esc(_sci(error)), _verdict_badge(verdict(error))]
        for name, shape, error in rows
    ]
    columns = [("parameters", ""), ("shape", ""), ("relative error", "num"), ("verdict", "")]
    overall = str(gradcheck.get("verdict") or (verdict(max(errors)) if errors else "–"))
    settings = gradcheck.get("settings") or {}
    setting_text = ", ".join(f"{k} {format_value(v)}" for k, v in settings.items())
    return (
        section("gradient-check", "Gradient check") + "\n"
        f"<p>Backprop against central differences (ε = 1e-4): verdict {_verdict_badge(overall)}"
        + (f' <span class="note">({esc(setting_text)})</span>' if setting_text else "")
        + "</p>\n"
        + _table("metrics", columns, cells)
        + "\n"
        f'<p class="note">{_verdict_legend()}</p>\n</section>'
    )


def _verdict_legend() -> str:
    """How the verdicts read the relative error: "Below 1e-7 good, ..., otherwise wrong."."""
    marks = ", ".join(f"below {mark:g} {name}".replace("e-0", "e-") for mark, name in VERDICTS)
    return f"{marks[0].upper()}{marks[1:]}, otherwise wrong."


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sci(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return f"{value:.2e}" if math.isfinite(value) else str(value)


def _verdict_badge(name: str) -> str:
    css = {"good": "pass", "acceptable": "pass", "suspect": "warn"}.get(name, "fail")
    return f'<span class="badge {css}">{esc(name)}</span>'


def diagnostics_section(diagnosis, config: Mapping) -> str:
    heading = section("diagnostics", "Diagnostics") + "\n"
    model = config.get("model") or {}
    if diagnosis is None and (model.get("n_networks") or 1) > 1:
        return (
            heading + f"<p>Not available: the checks read one network's weights and history, "
            f"and this run has {esc(model['n_networks'])} binary networks (--multiclass "
            f"{esc(model.get('multiclass'))}).</p>\n</section>"
        )
    if diagnosis is None:
        command = _doctor_command(config)
        return (
            heading + "<p>Not run. The checks (gradient check, initial loss, overfitting a tiny "
            "subset, update ratios, dead or saturated units, over- and underfitting) run on "
            f'this run\'s model, history and data with</p>\n<pre class="command">{esc(command)}'
            "</pre>\n</section>"
        )
    fragment = _diagnosis_html(diagnosis)
    return heading + fragment + "\n</section>"


def _doctor_command(config: Mapping) -> str:
    command = config.get("doctor_command")
    if command:
        return str(command)
    return f"mlplab doctor --out {config.get('run_dir') or 'RUN_DIR'}"


def _diagnosis_html(diagnosis) -> str:
    """The diagnostics engine's own HTML fragment of a Diagnosis or of its ``to_dict()``."""
    from ..diagnostics import Diagnosis, diagnosis_to_html

    if isinstance(diagnosis, Mapping):
        try:
            diagnosis = Diagnosis.from_dict(diagnosis)
        except (KeyError, TypeError, ValueError) as error:
            return f'<p class="note">diagnostics.json cannot be shown: {esc(error)}</p>'
    return diagnosis_to_html(diagnosis)


def files_section(files: Sequence | None) -> str:
    if not files:
        return ""
    rows = "".join(
        f'<tr><td><code>{esc(name)}</code></td><td class="num">{esc(format_size(size))}</td></tr>'
        for name, size in files
    )
    return (
        section("files", "Files in the run folder") + "\n"
        f'<table class="files"><tbody>{rows}</tbody></table>\n'
        '<p class="note">Use the model with <code>mlplab evaluate model.safetensors --data …</code>'
        ", <code>mlplab predict model.safetensors INPUT.csv</code> or, in Python, "
        '<code>mlplab.load("model.safetensors")</code>; it takes raw (unscaled) '
        "features.</p>\n</section>"
    )
