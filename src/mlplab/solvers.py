"""The solver names, and the one rule about which of them can be checkpointed.

Kept free of numpy so that the command line's ``--help`` can list them quickly.
"""

from __future__ import annotations

__all__ = ["EPOCH_SOLVERS", "SCIPY_SOLVERS", "SOLVERS", "check_resumable"]

#: Every solver name; ``gd`` is full-batch and ``lbfgs``/``cg`` go through scipy.optimize.
SOLVERS = ("gd", "sgd", "adam", "lbfgs", "cg")
#: Solvers that run epochs of (mini-)batch steps with an optimizer of :mod:`mlplab.optimizers`; only
#: they can be checkpointed, resumed and continued one epoch at a time.
EPOCH_SOLVERS = ("gd", "sgd", "adam")
#: Solvers that hand the whole problem to ``scipy.optimize.minimize``.
SCIPY_SOLVERS = ("lbfgs", "cg")


def check_resumable(solver: str, what: str) -> None:
    """Refuse checkpointing or resuming a scipy solver: ``what`` names what was asked for.

    scipy.optimize.minimize keeps its state (the L-BFGS memory, CG's direction) inside
    the call, so a run cannot be saved mid-way and continued.
    """
    if solver in SCIPY_SOLVERS:
        raise ValueError(
            f"solver={solver!r} cannot be checkpointed or resumed ({what}): it runs inside "
            "scipy.optimize.minimize, whose state cannot be saved mid-run; use solver "
            + ", ".join(repr(s) for s in EPOCH_SOLVERS)
        )
