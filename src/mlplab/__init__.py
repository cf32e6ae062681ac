"""mlplab: feed-forward neural networks trained by backpropagation.

The public API is re-exported here and imported lazily, so ``import mlplab`` stays fast:
scikit-learn, scipy.optimize and matplotlib load only when a name that needs them is used.
"""

from __future__ import annotations

import importlib

from ._version import __version__

# public name -> module that defines it
_EXPORTS = {
    "Network": "network",
    "backprop_loop": "backprop",
    "check_gradients": "gradcheck",
    "GradientCheck": "gradcheck",
    "numerical_gradient": "gradcheck",
    "train": "training",
    "Trainer": "training",
    "TrainingConfig": "training",
    "DivergenceWarning": "training",
    "TrainingInterrupted": "training",
    "CheckpointWarning": "training",
    "History": "training",
    "Callback": "training",
    "EarlyStopping": "training",
    "Checkpoint": "training",
    "MLPClassifier": "estimators",
    "MLPRegressor": "estimators",
    "NotFittedError": "estimators",
    "compare_multiclass": "multiclass",
    "format_comparison": "multiclass",
    "save": "persistence",
    "load": "persistence",
    "ModelFileError": "persistence",
    "read_data_record": "persistence",
    "export_onnx": "export",
    "preset": "presets",
    "Scaling": "scaling",
    "ScalingOverflow": "scaling",
    "diagnose": "diagnostics",
    "Diagnosis": "diagnostics",
    "Finding": "diagnostics",
}
_SUBMODULES = {
    "datasets",
    "demos",
    "diagnostics",
    "logic",
    "multiclass",
    "names",
    "plots",
    "runs",
    "training",
}

__all__ = ["__version__", *sorted(_EXPORTS), *sorted(_SUBMODULES)]


def __getattr__(name: str):
    if name in _EXPORTS:
        if _EXPORTS[name] == "persistence":
            # The estimators register themselves with the model files when imported.
            importlib.import_module(".estimators", __name__)
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'mlplab' has no attribute {name!r}")


def __dir__():
    return __all__
