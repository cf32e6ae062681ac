"""The doctor's findings in the command line's words.

The checks speak the estimators' language (``learning_rate_init``, ``alpha``,
``EarlyStopping on val_loss``); a command-line user needs the options of the command
they ran. Names are crossed by :data:`mlplab.names.NAMES` (the one vocabulary table), and
only to options the running command really has: advice for an option it lacks is left
in the estimators' words, which is also what ``mlplab.MLPClassifier`` takes.
"""

from __future__ import annotations

import dataclasses
import re

import click

__all__ = ["diagnose_trained", "in_cli_words"]

#: Phrases of the checks that are not a single parameter name, with the options they need.
_PHRASES = (
    ("EarlyStopping on val_loss", "--early-stopping --monitor val_loss", ("--early-stopping",)),
    ("a learning-rate schedule (adaptive) or adam", "--solver adam", ("--solver",)),
)


#: Parameter names that are also plain words in the checks' sentences ("the hidden
#: activation"): never rewritten.
_PLAIN_WORDS = frozenset({"activation", "output", "epsilon"})


def _replacements(command: click.Command) -> list[tuple[re.Pattern, object]]:
    """(pattern, CLI wording) for every estimator name whose option ``command`` has.

    ``name='value'`` becomes ``--flag value``; a bare ``name`` becomes ``--flag``.
    """
    from ..names import NAMES

    flags = {opt for param in command.params for opt in getattr(param, "opts", ())}
    pairs: list[tuple[re.Pattern, object]] = []
    for name in NAMES:
        estimator = name.estimator.split("=")[0].strip()
        flag = name.cli.split(";")[0].split()[0] if name.cli else ""
        if estimator.isidentifier() and estimator not in _PLAIN_WORDS and flag in flags:
            pattern = re.compile(rf"\b{re.escape(estimator)}\b(?:='([^']*)')?")
            pairs.append((pattern, lambda m, flag=flag: flag + (f" {m[1]}" if m[1] else "")))
    for phrase, words, needs in _PHRASES:
        if all(flag in flags for flag in needs):
            pairs.append((re.compile(re.escape(phrase)), words))
    return pairs


def in_cli_words(diagnosis, command: click.Command):
    """A copy of ``diagnosis`` whose findings' messages and advice use ``command``'s options."""
    pairs = _replacements(command)

    def words(text: str) -> str:
        for pattern, flag in pairs:
            text = pattern.sub(flag, text)
        return text

    findings = [
        dataclasses.replace(f, message=words(f.message), advice=words(f.advice))
        for f in diagnosis.findings
    ]
    return dataclasses.replace(diagnosis, findings=findings)


def diagnose_trained(model, data, X_train, y_train, validation):
    """The doctor's diagnosis of a run's trained ``model`` on the run's own (scaled) data.

    ``data`` is the run's :class:`~mlplab.cli._data.PreparedData` (its seed and feature names);
    ``validation`` is ``(X_val, y_val)`` or None.
    """
    from ..diagnostics import diagnose_run

    return diagnose_run(
        model,
        X_train,
        y_train,
        validation_data=validation,
        random_state=data.seed,
        feature_names=list(data.dataset.feature_names),
    )
