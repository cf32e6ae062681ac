"""Demo ``gradcheck``: backprop's D against central differences, and what a bug looks like."""

from __future__ import annotations

import numpy as np

from ._common import DemoResult, save_figures, single_threaded_blas

__all__ = ["demo_gradcheck"]


@single_threaded_blas
def demo_gradcheck(
    *,
    out_dir=None,
    random_state=0,
    layer_sizes=(4, 5, 3),
    n_samples: int = 10,
    lam: float = 1.0,
) -> DemoResult:
    """Gradient checking: the vectorized backprop, the slides' loop and a planted bug.

    For every θⱼ of the unrolled vector, ∂J/∂θⱼ ≈ (J(θ + εeⱼ) − J(θ − εeⱼ)) / 2ε with
    ε = 1e-4; the relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) between backprop's D and that
    estimate should be tiny (< 1e-7). The demo also compares the slides' per-example
    loop (Δ⁽ˡ⁾ accumulators) with the vectorized backprop, and checks a gradient with a
    classic bug, the regularization term λθ⁽ˡ⁾/m left out of D, which the check catches.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``gradcheck-correct.png`` and ``gradcheck-bug.png``.
    random_state : int, default=0
        Seeds the network and the random data.
    layer_sizes : sequence of int, default=(4, 5, 3)
        The network checked (sigmoid hidden units, sigmoid outputs).
    n_samples : int, default=10
        m, random examples with one-hot targets.
    lam : float, default=1.0
        λ, so that the regularization gradient is checked too.

    Returns
    -------
    DemoResult
        ``numbers``: ``relative_error`` and ``layer_errors`` of the correct backprop,
        ``loop_vs_vectorized`` (max |D_loop − D_vectorized|), ``bug_relative_error``,
        ``verdict`` and ``bug_verdict``; ``tables``: the two checks as text.
    """
    from .._rng import as_generator
    from ..backprop import backprop_loop
    from ..datasets import one_hot
    from ..gradcheck import GradientCheck, check_gradients
    from ..network import Network
    from ..plots import gradient_check_table

    rng = as_generator(random_state)
    net = Network(list(layer_sizes), activation="sigmoid", output="sigmoid", random_state=rng)
    X = rng.standard_normal((n_samples, layer_sizes[0]))
    Y = one_hot(rng.integers(0, layer_sizes[-1], n_samples), classes=np.arange(layer_sizes[-1]))

    check = check_gradients(net, X, Y, lam=lam)
    _, vectorized = net.cost_and_grad(X, Y, lam)
    _, looped = backprop_loop(net, X, Y, lam)

    # The bug: D⁽ˡ⁾ = Δ⁽ˡ⁾/m for every column, the λθ⁽ˡ⁾ᵢⱼ/m of columns j ≥ 1 forgotten.
    buggy = check.analytic.copy()
    for D, W in zip(net.layout.weights(buggy), net.weights):
        D -= lam / n_samples * W
    bug = GradientCheck.compare(buggy, check.numerical, check.layer_shapes)

    result = DemoResult("gradcheck")
    result.numbers = {
        "relative_error": check.relative_error,
        "layer_errors": list(check.layer_errors),
        "verdict": check.verdict(),
        "loop_vs_vectorized": float(np.max(np.abs(looped - vectorized))),
        "bug_relative_error": bug.relative_error,
        "bug_verdict": bug.verdict(),
        "n_params": net.n_params,
    }
    result.tables["correct"] = "backprop (vectorized) vs central differences\n" + (
        check.format_table()
    )
    result.tables["bug"] = "backprop without the λθ/m term vs central differences\n" + (
        bug.format_table()
    )
    sizes = "-".join(str(u) for u in layer_sizes)
    result.figures["correct"] = gradient_check_table(
        check,
        title=(
            f"Gradient check of backprop, network {sizes}, λ = {lam:g}, ε = 1e-4: {check.verdict()}"
        ),
    )
    result.figures["bug"] = gradient_check_table(
        bug,
        title=f"The same check on a buggy D (λθ⁽ˡ⁾/m left out): {bug.verdict()}",
    )
    return save_figures(result, out_dir)
