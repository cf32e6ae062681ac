"""One vocabulary: each lecture symbol under its name in Network, the estimators/train and the CLI.

mlplab keeps scikit-learn's names where scikit-learn defines them (the estimators and
:func:`mlplab.train`: ``alpha``, ``learning_rate_init``, ``max_iter``) and the lecture's
where the lecture does (:class:`mlplab.Network` and gradient checking: ``lam``). This
table is the crossing between them; ``docs/lecture.md`` prints it (:func:`markdown`), and
:func:`hint` turns a name used on the wrong side into an error that names the right one.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

__all__ = [
    "NAMES",
    "Name",
    "check_keywords",
    "explain_unknown_keywords",
    "hint",
    "markdown",
    "option_hint",
]


@dataclass(frozen=True)
class Name:
    """One concept: the lecture's symbol and its name in each part of mlplab ("" if none)."""

    symbol: str
    meaning: str
    network: str
    estimator: str
    cli: str


#: The table, in the lecture's order.
NAMES = (
    Name(
        "L, u_l",
        "layers and units per layer",
        "layer_sizes=[n, u₂, …, K]",
        "hidden_layer_sizes=(u₂, …)",
        "--hidden u₂,…",
    ),
    Name(
        "f",
        "activation of the hidden units",
        'activation="sigmoid"',
        'activation="logistic"',
        "--activation sigmoid",
    ),
    Name(
        "h_θ(x)",
        "output layer (K sigmoid units or softmax)",
        'output="sigmoid"',
        'output="sigmoid"',
        "--output sigmoid",
    ),
    Name("λ", "regularization strength of λ/(2m) Σθ²", "lam", "alpha", "--alpha; gradcheck --lam"),
    Name("η", "learning rate of θ := θ − ηD", "", "learning_rate_init", "--learning-rate"),
    Name("epochs", "passes over the training set", "", "max_iter", "--epochs"),
    Name("m (batch)", "examples per gradient step", "", "batch_size", "--batch-size"),
    Name("ε (init)", "θ ~ U[−ε, ε] at the start", "init_epsilon", "init_epsilon", "--init-epsilon"),
    Name("", "how θ is drawn", "initializer", "initializer", "--initializer"),
    Name(
        "ε (check)",
        "step of the central difference",
        "check_gradients(epsilon=1e-4)",
        "",
        "",
    ),
    Name("", "Adam's ε (not the lecture's)", "", "epsilon", ""),
    Name(
        "",
        "K classes: one network (native), one-vs-all (ovr), one-vs-one (ovo)",
        "",
        'multiclass="ovr"',
        "--multiclass ovr",
    ),
)

# Names users bring from the other side, or from elsewhere, and what they mean here.
_ALIASES = {
    "lam": ("λ", "alpha"),
    "lambda_": ("λ", "alpha"),
    "reg": ("λ", "alpha"),
    "alpha": ("λ", "lam"),
    "learning_rate": ("η", "learning_rate_init"),
    "eta": ("η", "learning_rate_init"),
    "lr": ("η", "learning_rate_init"),
    "epochs": ("epochs", "max_iter"),
    "n_epochs": ("epochs", "max_iter"),
    "hidden": ("L, u_l", "hidden_layer_sizes"),
    "init_eps": ("ε (init)", "init_epsilon"),
}

# Further spellings of a concept seen on command lines (other tools, other habits), each
# to a row's symbol or one of its names; the command line's hints read them beside
# _ALIASES and each row's own names.
_OPTION_ALIASES = {
    "lambda": "λ",
    "lambd": "λ",
    "l2": "λ",
    "weight_decay": "λ",
    "regularization": "λ",
    "learningrate": "η",
    "step_size": "η",
    "iterations": "epochs",
    "n_iter": "epochs",
    "max_epochs": "epochs",
    "hidden_layers": "L, u_l",
    "layers": "L, u_l",
    "units": "L, u_l",
    "hidden_units": "L, u_l",
    "batch": "m (batch)",
    "init_eps": "ε (init)",
    "multi_class": "multiclass",
    "strategy": "multiclass",
}


def hint(name: str, side: str) -> str | None:
    """Where ``name``, unknown to a function on ``side``, is spelt there; None if no idea.

    ``side`` is ``"network"`` (Network, gradient checking: the lecture's names) or
    ``"estimator"`` (the estimators and :func:`mlplab.train`: scikit-learn's names).

    >>> hint("lam", "estimator")
    "`lam` is the estimators' and train's `alpha` (λ)"
    """
    if name not in _ALIASES:
        return None
    symbol, target = _ALIASES[name]
    if side == "network" and name == "alpha":
        return f"`alpha` is Network's and check_gradients' `lam` ({symbol})"
    if side == "network":
        row = next(row for row in NAMES if row.symbol == symbol)
        if not row.network:
            return (
                f"`{name}` ({symbol}) is a training setting: pass `{row.estimator}` to "
                "mlplab.train or an estimator"
            )
        return f"`{name}` is Network's `{row.network}` ({symbol})"
    if target == "lam":  # alpha on the estimator side is valid; nothing to hint
        return None
    return f"`{name}` is the estimators' and train's `{target}` ({symbol})"


def _identifiers(row: Name) -> set[str]:
    """The bare names of a row's keywords and options: ``layer_sizes=[…]`` → layer_sizes."""
    names = set()
    for text in (row.network, row.estimator, row.cli):
        for part in text.split(";"):
            for word in part.replace("=", " ").replace("(", " ").split():
                word = word.lstrip("-").replace("-", "_")
                if word.isidentifier():
                    names.add(word.lower())
    return names


def _option_row(key: str) -> Name | None:
    """The row meant by an option name in snake case, or None."""
    meant = _OPTION_ALIASES.get(key) or _ALIASES.get(key, (None,))[0]
    for row in NAMES:
        names = _identifiers(row)
        if key in names or (meant and (meant == row.symbol or meant in names)):
            return row
    return None


def option_hint(option: str, flags) -> str | None:
    """Which of a command's ``flags`` is meant by the unknown command-line ``option``.

    ``--lambda``, ``--lam``, ``--learning_rate``, ``--lr``, ``--max-iter``,
    ``--hidden-layers`` … are looked up in the table (its rows' names, the aliases above)
    and answered with the row's option that the command has; None if none fits.

    >>> option_hint("--lambda", ["--alpha", "--epochs"])
    '--alpha (λ: regularization strength of λ/(2m) Σθ²)'
    """
    key = option.split("=", 1)[0].lstrip("-").replace("-", "_").lower()
    row = _option_row(key)
    if row is None:
        return None
    flags = set(flags)
    named = [
        word
        for part in row.cli.split(";")
        for word in part.split()
        if word.startswith("--") and word in flags
    ]
    if not named or option in named:
        return None
    concept = f"{row.symbol}: {row.meaning}" if row.symbol else row.meaning
    return f"{named[0]} ({concept})"


def markdown() -> str:
    """The table in Markdown, as ``docs/lecture.md`` shows it."""
    lines = [
        "| lecture | meaning | `Network` | estimators, `train` | command line |",
        "|---|---|---|---|---|",
    ]
    for row in NAMES:
        cells = [row.symbol, row.meaning]
        for names in (row.network, row.estimator, row.cli):
            # "a; b": two names, each as code
            cells.append("; ".join(f"`{n}`" for n in names.split("; ")) if names else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def explain_unknown_keywords(side: str):
    """Decorate a function so that an unknown keyword from the other side gets a hint.

    The call itself is untouched; only when it raises TypeError and the keywords do not
    fit the signature is the error replaced by one naming the right keyword, for
    example ``train(..., lam=0.1)`` → "`lam` is the estimators' and train's `alpha` (λ)".
    ``inspect.signature`` (and so scikit-learn's ``get_params``) sees the original.
    """

    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except TypeError:
                unknown = [name for name in kwargs if name not in signature.parameters]
                has_var_keyword = any(
                    p.kind is p.VAR_KEYWORD for p in signature.parameters.values()
                )
                hints = [hint(name, side) for name in unknown] if not has_var_keyword else []
                if any(hints):
                    message = "; ".join(h for h in hints if h)
                    raise TypeError(
                        f"{function.__qualname__}() got an unexpected keyword argument "
                        f"{unknown[0]!r}: {message}"
                    ) from None
                raise

        return wrapper

    return decorate


def check_keywords(owner: str, names, valid, side: str) -> None:
    """TypeError naming the right keyword for any of ``names`` not in ``valid``."""
    for name in names:
        if name not in valid:
            advice = hint(name, side)
            valid_text = ", ".join(sorted(valid))
            raise TypeError(
                f"{owner}() got an unexpected keyword argument {name!r}"
                + (f": {advice}" if advice else f"; valid keywords are {valid_text}")
            )
