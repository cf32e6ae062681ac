"""What a page may ask for: its configuration, checked value by value, and the server's limits.

A page describes itself with a flat mapping of short names (the same names travel in its
URL, so a link reproduces the page). :func:`parse_config` turns such a mapping into a
:class:`PageConfig` or refuses it with :class:`ConfigError`, whose message names the field,
the value and what is allowed. Nothing in a configuration names a file or a path: the data
is a generator's name, or ``"csv"`` for the table the page uploaded (kept in memory).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "INITIALIZERS",
    "OUTPUTS",
    "SOLVERS",
    "ConfigError",
    "Limits",
    "PageConfig",
    "parse_config",
]

#: Data sets a page can choose; "csv" is the page's own upload.
DATASETS = ("xor", "circles", "spirals", "cats-dogs", "cat-noncat", "animals", "csv")
#: Hidden-unit activations f offered by the page (the estimators' names).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
#: Output layers for K > 2 classes; two classes always get one sigmoid unit.
OUTPUTS = ("sigmoid", "softmax")
#: Solvers that run epoch by epoch (the page steps through epochs).
SOLVERS = ("gd", "sgd", "adam")
#: Initializers of θ; "zeros" is there to watch symmetry fail.
INITIALIZERS = ("glorot", "uniform", "he", "zeros")


#: How messages name a field: its URL name, then what the page's label calls it.
LABELS = {
    "lr": "lr (η, the learning rate)",
    "alpha": "alpha (λ)",
    "val": "val (the validation share)",
    "batch": "batch (the batch size)",
    "init_epsilon": "init_epsilon (ε of the uniform initializer)",
}


class ConfigError(ValueError):
    """A value a page sent that cannot be used; the message says which and what is allowed."""


@dataclass(frozen=True)
class Limits:
    """The server's bounds, which keep every page small and the machine responsive.

    Attributes
    ----------
    max_pages : int
        Open pages at once; the next one is refused with a message.
    idle_timeout : float
        Seconds without a request after which a page is dropped.
    frame_rate : float
        Most updates per second sent to a page; newer frames replace unsent ones.
    max_points : int
        Largest data set (generated or uploaded rows).
    max_upload_bytes : int
        Largest CSV upload.
    max_body_bytes : int
        Largest JSON request body.
    max_layers, max_units : int
        Hidden layers, and units per hidden layer.
    max_epochs : int
        Epochs per run (from reset): bounds the history kept per page, hence its memory.
    """

    max_pages: int = 20
    idle_timeout: float = 600.0
    frame_rate: float = 20.0
    max_points: int = 2000
    max_upload_bytes: int = 1_000_000
    max_body_bytes: int = 16_384
    max_layers: int = 4
    max_units: int = 16
    max_epochs: int = 10_000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a number > 0, got {value!r}")
        if self.frame_rate > 60:
            raise ValueError(f"frame_rate must be at most 60 per second, got {self.frame_rate}")


@dataclass(frozen=True)
class PageConfig:
    """One page's data set, network and training settings (the estimator's names in brackets).

    Attributes
    ----------
    data : str
        One of :data:`DATASETS`.
    points, noise, seed : int, float, int
        Size, noise (the 2-D shapes only) and seed of a generated set; the seed also
        draws the validation split, θ₀ and the batch order.
    val : float
        Share of the points held out for validation.
    hidden : tuple of int
        Units of each hidden layer, u₂, ..., u_{L−1} (``hidden_layer_sizes``).
    activation, output, solver, initializer : str
        f of the hidden units, the output layer for K > 2 classes, the solver, θ₀'s rule.
    alpha : float
        λ (``alpha``).
    lr : float
        η (``learning_rate_init``).
    batch : int
        Mini-batch size of sgd and adam (``batch_size``; capped at the training points).
    init_epsilon : float
        ε of the uniform initializer, θ ~ U[−ε, ε].
    """

    data: str = "xor"
    points: int = 200
    noise: float = 0.2
    seed: int = 0
    val: float = 0.3
    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    output: str = "softmax"
    alpha: float = 0.0
    lr: float = 0.03
    solver: str = "adam"
    batch: int = 10
    initializer: str = "glorot"
    init_epsilon: float = 0.12

    def as_dict(self) -> dict:
        """Plain JSON values, the form a page sends back."""
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        return values


def parse_config(values, limits: Limits) -> PageConfig:
    """Check every field of ``values`` and build a :class:`PageConfig`.

    Missing fields take their defaults; unknown fields are refused (a misspelt name
    would otherwise be ignored silently). Numbers may arrive as JSON numbers or as
    strings (from a URL).

    Raises
    ------
    ConfigError
        Naming the first bad field, its value and the allowed values.
    """
    if not isinstance(values, dict):
        raise ConfigError(f"the configuration must be an object of fields, got {values!r:.80}")
    known = set(PageConfig.__dataclass_fields__)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"unknown field {unknown[0]!r:.40}; the fields are {', '.join(sorted(known))}"
        )
    d = PageConfig()
    get = values.get
    hidden = _hidden(get("hidden", list(d.hidden)), limits)
    return PageConfig(
        data=_choice("data", get("data", d.data), DATASETS),
        points=_int("points", get("points", d.points), 20, limits.max_points),
        noise=_float("noise", get("noise", d.noise), 0.0, 1.0),
        seed=_int("seed", get("seed", d.seed), 0, 2**31 - 1),
        val=_float("val", get("val", d.val), 0.1, 0.5),
        hidden=hidden,
        activation=_choice("activation", get("activation", d.activation), ACTIVATIONS),
        output=_choice("output", get("output", d.output), OUTPUTS),
        alpha=_float("alpha", get("alpha", d.alpha), 0.0, 10.0),
        lr=_float("lr", get("lr", d.lr), 1e-5, 10.0),
        solver=_choice("solver", get("solver", d.solver), SOLVERS),
        batch=_int("batch", get("batch", d.batch), 1, limits.max_points),
        initializer=_choice("initializer", get("initializer", d.initializer), INITIALIZERS),
        init_epsilon=_float("init_epsilon", get("init_epsilon", d.init_epsilon), 1e-4, 10.0),
    )


def _number(name: str, value) -> float:
    """A finite number from a JSON number or a string, or ConfigError."""
    name = LABELS.get(name, name)
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if isinstance(value, str):
        if len(value) > 40:
            raise ConfigError(f"{name} must be a number, got a text of {len(value)} characters")
        try:
            value = float(value.strip())
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _float(name, value, low, high) -> float:
    number = _number(name, value)
    name = LABELS.get(name, name)
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {number:g}")
    return number


def _int(name, value, low, high) -> int:
    number = _number(name, value)
    name = LABELS.get(name, name)
    if number != int(number):
        raise ConfigError(f"{name} must be a whole number, got {number:g}")
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {number:g}")
    return int(number)


def _choice(name, value, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        shown = f"{value!r:.40}"
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {shown}")
    return value


def _hidden(value, limits: Limits) -> tuple[int, ...]:
    """Hidden layer sizes from a list, or from "4,4" as a URL carries them ("" for none)."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()] if len(value) < 100 else None
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"hidden must be a list of unit counts, got {value!r:.40}")
    if len(value) > limits.max_layers:
        raise ConfigError(
            f"hidden has {len(value)} layers; at most {limits.max_layers} hidden layers"
        )
    return tuple(
        _int(f"hidden layer {i}", v, 1, limits.max_units) for i, v in enumerate(value, start=2)
    )
