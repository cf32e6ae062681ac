"""The run folder ``mlplab train`` writes: its file names, config.json, and writing it safely.

This module is the only one that knows the folder's layout. Everything else asks a
:class:`RunFolder` for a file (``run.model_file``) or to read or write a part of it
(``run.write_config(config)``, ``run.read_config()``).

=======================  ===============================================================
file                     content
=======================  ===============================================================
config.json              the run's configuration, data summary, metrics and figure list;
                         ``"format": "mlplab-run"`` marks the folder as a run
model.safetensors        the trained model (``mlplab.load``)
history.csv              one row per epoch
*.png                    the figures of :data:`FIGURE_CAPTIONS`
gradcheck.json           a gradient check (``mlplab gradcheck --out`` or ``train --gradcheck``)
diagnostics.json         the diagnostics (``mlplab doctor --out`` or ``train --diagnose``)
report.html              the page built from all of the above
checkpoints/             ``checkpoint-<epoch>`` files when training checkpoints
=======================  ===============================================================

train writes config.json first, so even a run interrupted in its first epoch is
recognized. How a new run is written aside and swapped in, one writer at a time, and
where an unfinished run's checkpoints live: :mod:`~mlplab.runs.placement`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..fileformat import atomic_write_bytes
from ..jsonvalues import to_json
from ..regular_files import NotARegularFileError, read_regular_bytes

__all__ = ["FIGURE_CAPTIONS", "RUN_FORMAT", "RunFolder", "RunFolderError"]

#: The value of config.json's "format" that marks a folder as an mlplab run.
RUN_FORMAT = "mlplab-run"
FORMAT_VERSION = 1

CONFIG = "config.json"
MODEL = "model.safetensors"
HISTORY = "history.csv"
REPORT = "report.html"
DIAGNOSTICS = "diagnostics.json"
GRADCHECK = "gradcheck.json"
CHECKPOINTS = "checkpoints"

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
    "roc_pr.png": (
        "ROC and precision-recall curves",
        "How the true-positive rate and the precision trade against the false alarms as "
        "the threshold on the positive class's probability moves from 1 to 0.",
    ),
    "calibration.png": (
        "Calibration",
        "Examples binned by the probability the network gave its answer: a calibrated "
        "network is right that often (the diagonal).",
    ),
    "predicted_vs_actual.png": (
        "Predicted vs actual",
        "Each example's prediction against its true value; the closer to the diagonal, the better.",
    ),
    "residuals.png": (
        "Residuals",
        "Actual minus predicted, against the prediction: a slope or a funnel is a pattern "
        "the network missed.",
    ),
    "decision_regions.png": (
        "Decision regions",
        "The class the network predicts at each point of the input plane, with the "
        "examples on top.",
    ),
    "hidden_units.png": (
        "What the hidden units look for",
        "Each first-layer hidden unit's incoming weights θ⁽¹⁾ drawn as an image, each unit "
        "on its own scale: red pixels excite the unit, blue ones inhibit it.",
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

#: Every file a run writes (a replaced run folder keeps its other files).
RUN_FILES = (CONFIG, MODEL, HISTORY, REPORT, DIAGNOSTICS, GRADCHECK, *FIGURE_CAPTIONS)


class RunFolderError(ValueError):
    """A folder that holds no mlplab run (or a file in it that cannot be read or written)."""


class RunFolder:
    """The run folder at ``path``: where each file lives, reading and writing its parts.

    Parameters
    ----------
    path : str or path-like
        The folder (it need not exist yet).
    """

    def __init__(self, path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({os.fspath(self.path)!r})"

    # -------------------------------------------------------------- where the files are
    @property
    def model_file(self) -> Path:
        """The trained model, ``model.safetensors``."""
        return self.path / MODEL

    @property
    def history_file(self) -> Path:
        """The per-epoch history, ``history.csv``."""
        return self.path / HISTORY

    @property
    def report_file(self) -> Path:
        """The HTML report, ``report.html``."""
        return self.path / REPORT

    @property
    def diagnostics_file(self) -> Path:
        """The diagnostics, ``diagnostics.json``."""
        return self.path / DIAGNOSTICS

    @property
    def gradcheck_file(self) -> Path:
        """The gradient check, ``gradcheck.json``."""
        return self.path / GRADCHECK

    @property
    def checkpoint_dir(self) -> Path:
        """The folder of training checkpoints."""
        return self.path / CHECKPOINTS

    def figure_file(self, name: str) -> Path:
        """The PNG of one of the run's figures, by its file name in :data:`FIGURE_CAPTIONS`."""
        if name not in FIGURE_CAPTIONS:
            raise ValueError(f"unknown run figure {name!r}; a run holds {list(FIGURE_CAPTIONS)}")
        return self.path / name

    # -------------------------------------------------------------- being a run
    def is_run(self) -> bool:
        """Whether the folder holds an mlplab run (its config.json says so)."""
        try:
            return self.read_config() is not None
        except RunFolderError:  # marked as a run, but malformed: a run still
            return True

    # -------------------------------------------------------------- config.json
    def write_config(self, config: dict[str, Any]) -> None:
        """Write config.json (atomically), marked as a run of this format version."""
        write_json(
            self.path / CONFIG, {"format": RUN_FORMAT, "format_version": FORMAT_VERSION, **config}
        )

    def read_config(self) -> dict[str, Any] | None:
        """config.json's content, or None if the folder is not a run (or the file is damaged)."""
        try:
            config = json.loads(read_regular_bytes(self.path / CONFIG).decode("utf-8"))
        except (OSError, ValueError):  # NotARegularFileError and bad UTF-8 are ValueErrors
            return None
        if not isinstance(config, dict) or config.get("format") != RUN_FORMAT:
            return None
        check_config(config, self.path / CONFIG)
        return config

    # -------------------------------------------------------------- results of other commands
    def write_diagnosis(self, diagnosis) -> Path:
        """Write a :class:`~mlplab.diagnostics.Diagnosis` as diagnostics.json; return the path."""
        self.path.mkdir(parents=True, exist_ok=True)
        write_json(self.diagnostics_file, diagnosis.to_dict())
        return self.diagnostics_file

    def write_gradcheck(self, result, settings: dict[str, Any]) -> dict[str, str]:
        """Write a gradient check as gradcheck.json and its figure; return the figure's entry.

        Parameters
        ----------
        result : GradientCheck
            From :func:`mlplab.check_gradients`.
        settings : dict
            What was checked (network, examples, λ, ...), shown in the report.
        """
        from ..plots import gradient_check_table, save_figure

        self.path.mkdir(parents=True, exist_ok=True)
        record = {
            "relative_error": result.relative_error,
            "layer_errors": list(result.layer_errors),
            "layer_shapes": [list(shape) for shape in result.layer_shapes],
            "verdict": result.verdict(),
            "settings": settings,
        }
        write_json(self.gradcheck_file, record)
        save_figure(gradient_check_table(result), self.figure_file("gradient_check.png"))
        return {"file": "gradient_check.png"}

    def save_figure(self, name: str, figure, caption: str | None = None) -> dict[str, str]:
        """Save one of the run's figures as PNG; return its entry for config.json's list."""
        from ..plots import save_figure

        save_figure(figure, self.figure_file(name))
        title, default = FIGURE_CAPTIONS[name]
        return {"file": name, "title": title, "caption": caption or default}

    # -------------------------------------------------------------- reading it all
    def load(self) -> dict[str, Any]:
        """Read the parts of the run that exist.

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
        folder = self.path
        if not folder.is_dir():
            raise RunFolderError(f"no such run folder: {os.fspath(folder)!r}")
        config = _read_object(folder / CONFIG)
        if config is not None:
            check_config(config, folder / CONFIG)
        history = None
        history_file = self.history_file
        # A run that ended in its first epoch (diverged, interrupted) has a history without rows.
        if history_file.exists() and len(_read_bytes(history_file).strip().splitlines()) > 1:
            from ..training.history import History

            try:
                history = History.from_csv(history_file)
            except ValueError as error:
                raise RunFolderError(f"cannot read {HISTORY}: {error}") from None
        if config is None and not history_file.is_file():
            raise RunFolderError(
                f"{os.fspath(folder)!r} is not an mlplab run folder: it has neither "
                f"{CONFIG} nor {HISTORY} (train one with: mlplab train --out FOLDER)"
            )
        return {
            "config": config,
            "history": history,
            "figures": self._figures(config),
            "gradcheck": _read_object(self.gradcheck_file),
            "diagnosis": _read_object(self.diagnostics_file),
            "files": sorted(
                (entry.name, entry.stat().st_size)
                for entry in folder.iterdir()
                if entry.is_file() and not entry.name.startswith(".") and entry.name != REPORT
            ),
        }

    def _figures(self, config: dict | None) -> list[tuple[Path, str, str]]:
        """The run's figures: those config.json lists, else the known file names present."""
        listed = (config or {}).get("figures")
        figures = []
        if isinstance(listed, list):
            for entry in listed:
                if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                    continue
                name = os.path.basename(entry["file"])  # never read outside the folder
                title, caption = FIGURE_CAPTIONS.get(name, (name, ""))
                figures.append(
                    (
                        self.path / name,
                        str(entry.get("title", title)),
                        str(entry.get("caption", caption)),
                    )
                )
        known = {path.name for path, _, _ in figures}
        for name, (title, caption) in FIGURE_CAPTIONS.items():
            if name not in known and (self.path / name).is_file():
                figures.append((self.path / name, title, caption))
        return figures


_NUMBER = (int, float)
_TEXT = (str, type(None))
#: What the sections of config.json that commands read must be: key -> type(s), nested.
CONFIG_SCHEMA = {
    "data": {
        "name": _TEXT,
        "task": _TEXT,
        "target": _TEXT,
        "feature_names": (list, type(None)),
        "fingerprint": (dict, type(None)),
        "split": {"seed": int, "test_fraction": _NUMBER, "validation_fraction": _NUMBER},
    },
    "model": (dict, type(None)),
    "training": (dict, type(None)),
    "metrics": (dict, type(None)),
    "per_class": (dict, type(None)),
    "figures": (list, type(None)),
    "status": _TEXT,
    "command": _TEXT,
}


def check_config(config: dict, path: Path, schema=None, where: str = "") -> None:
    """Refuse a config.json whose sections are not what the commands read (RunFolderError).

    Only the entries present are checked (older runs lack some); each must have the type
    :data:`CONFIG_SCHEMA` gives, so that no command meets a list where it reads a mapping.
    """
    for key, expected in (schema or CONFIG_SCHEMA).items():
        if key not in config:
            continue
        value = config[key]
        name = f"{where}{key}"
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise RunFolderError(
                    f"{os.fspath(path)} is malformed: {name!r} must be a JSON object, got "
                    f"{type(value).__name__}; rebuild the run with mlplab train"
                )
            check_config(value, path, expected, f"{name}.")
        elif not isinstance(value, expected) or (
            isinstance(value, bool)
            and bool not in (expected if isinstance(expected, tuple) else (expected,))
        ):
            raise RunFolderError(
                f"{os.fspath(path)} is malformed: {name!r} has a value of the wrong type "
                f"({type(value).__name__}); rebuild the run with mlplab train"
            )


def write_json(path: Path, value) -> None:
    """Write ``value`` as indented JSON, atomically (NaN and infinities written as null)."""
    text = json.dumps(to_json(value, finite=True), indent=2, ensure_ascii=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def _read_bytes(path: Path) -> bytes:
    """The bytes of a file of the run; RunFolderError if it is a pipe, a device, a folder."""
    try:
        return read_regular_bytes(path)
    except NotARegularFileError as error:
        raise RunFolderError(str(error)) from None


def _read_object(path: Path) -> dict | None:
    """A JSON object from ``path``, None if absent, RunFolderError if damaged."""
    if not path.exists():
        return None
    try:
        value = json.loads(read_regular_bytes(path, what="a JSON file").decode("utf-8"))
    except NotARegularFileError as error:
        raise RunFolderError(str(error)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFolderError(f"{path.name} is damaged: {error}") from None
    if not isinstance(value, dict):
        raise RunFolderError(f"{path.name} must hold a JSON object, got {type(value).__name__}")
    return value
