"""``mlplab train --gradcheck``: the trained network's backprop against numerical gradients."""

from __future__ import annotations

__all__ = ["trained_gradcheck"]

#: Examples used by ``--gradcheck`` (two cost evaluations per parameter each).
GRADCHECK_EXAMPLES = 5
GRADCHECK_POOL = 200


def trained_gradcheck(run, model, X_train, y_train, alpha: float) -> dict:
    """Gradient check of the trained network on a few training examples; gradcheck.json."""
    import numpy as np

    from ..gradcheck import check_gradients

    network = model.network_
    # From a pool of rows, so that relu networks find examples clear of their kinks.
    X = np.asarray(X_train[:GRADCHECK_POOL], dtype=np.float64)
    Y = _encoded_targets(model, y_train[:GRADCHECK_POOL])
    result = check_gradients(network, X, Y, lam=alpha, max_examples=GRADCHECK_EXAMPLES)
    settings = {
        "network": "-".join(str(u) for u in network.layer_sizes),
        "examples": result.examples,
        "λ": alpha,
    }
    return run.write_gradcheck(result, settings)


def _encoded_targets(model, y):
    """Targets as the network's outputs see them: one-hot, one 0/1 column, or values."""
    import numpy as np

    if not hasattr(model, "classes_"):
        return np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    classes = model.classes_
    n_out = model.network_.layer_sizes[-1]
    if n_out == 1:
        return (np.asarray(y) == classes[-1]).astype(np.float64)[:, None]
    return (np.asarray(y)[:, None] == classes[None, :]).astype(np.float64)
