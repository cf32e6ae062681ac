"""Checks on a network and a batch, without training: is backprop right, is the start sane?

==============  ==============================================================================
check           rule
==============  ==============================================================================
gradient_check  backprop's D against central differences of J on ≤ 20 examples, in float64,
                by the relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖), worst of the whole vector and
                each θ⁽ˡ⁾: < 1e-4 PASS ("good" below 1e-7, else "acceptable"), 1e-4 to 1e-2
                WARN (suspect), ≥ 1e-2 FAIL (wrong): the verdicts of
                :func:`mlplab.gradcheck.verdict`.
initial_loss    the data loss J(θ₀) at initialization against what near-zero weights give:
                ln K for a softmax over K classes, K·ln 2 for K sigmoid outputs (the
                lecture's summed cost). Up to 1.5× PASS, up to 3× WARN, beyond FAIL. For an
                identity output the reference is ½·mean ‖y‖² (outputs ≈ 0), and only a
                factor above 10 warns (the scale of regression targets varies).
regularization  J(θ; λ) − J(θ; 0) must equal λ/(2m) Σ θ² over the non-bias weights and grow
                with λ (checked at the run's λ = alpha and 2λ, λ = 1 when alpha = 0); else FAIL
symmetry        rows of θ⁽ˡ⁾ feeding a hidden layer that are identical: those units compute
                the same function for ever. All units of a layer identical FAIL (the
                zero-initialization failure), some WARN
saturation      per hidden layer, the fraction of units that pass (almost) no gradient.
                A sigmoid unit counts as saturated when a < 0.01 or a > 0.99 (f′ < 0.01)
                for more than half of the examples; tanh when |a| > 0.99 (f′ < 0.02); a
                relu unit is dead when a = 0 for every example. More than half of a
                layer's units WARN
==============  ==============================================================================

The gradient check is :func:`mlplab.check_gradients`, the same check as ``mlplab
gradcheck`` and ``mlplab train --gradcheck`` (its module docstring explains how it keeps
clear of relu's kink and of rounding noise), on at most 20 examples drawn from 200
training rows. For networks with more than 5,000 parameters, 2,000 entries of θ (at
least 100 per layer) are checked instead of all of them, to keep it to about a second.
"""

from __future__ import annotations

import math

import numpy as np

from .._rng import as_generator
from ..activations import RANGES, SATURATION_MARGIN, saturated
from ..gradcheck import VERDICTS, check_gradients
from ..jsonvalues import to_json
from ._result import FAIL, PASS, SKIP, WARN, Finding, format_number

__all__ = [
    "check_gradient",
    "check_initial_loss",
    "check_regularization",
    "check_saturation",
    "check_symmetry",
]

#: Examples used by the gradient check, picked from a pool of training rows.
GRADCHECK_EXAMPLES = 20
GRADCHECK_POOL = 200
#: Networks up to this size are checked entry by entry; larger ones on a sample.
GRADCHECK_MAX_PARAMS = 5000
GRADCHECK_SAMPLE = 2000
#: How the gradient check's verdicts (mlplab.gradcheck.VERDICTS) map to statuses.
GRADCHECK_STATUS = {"good": PASS, "acceptable": PASS, "suspect": WARN, "wrong": FAIL}

#: Initial data loss over its reference: up to WARN_ABOVE PASS, up to FAIL_ABOVE WARN.
INITIAL_LOSS_WARN_ABOVE = 1.5
INITIAL_LOSS_FAIL_ABOVE = 3.0
#: The same bound for identity outputs (regression), which only warns.
INITIAL_LOSS_REGRESSION_WARN_ABOVE = 10.0

#: A unit is saturated when it is flat for more than this fraction of the examples.
SATURATED_EXAMPLES = 0.5
#: A layer warns when more than this fraction of its units are saturated or dead.
SATURATED_UNITS_WARN = 0.5


# ---------------------------------------------------------------------- gradient check
def check_gradient(
    net, X, Y, lam: float = 0.0, *, n_examples: int = GRADCHECK_EXAMPLES, random_state=0
) -> Finding:
    """Gradient check of ``net`` on a few examples of (X, Y), on a float64 copy.

    Parameters
    ----------
    net : Network
        Not modified.
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
        The network's targets (one-hot rows, 0/1 column or regression targets).
    lam : float, default=0.0
        λ, so the regularization gradient is checked too.
    n_examples : int, default=20
    random_state : None, int or numpy.random.Generator
        Chooses the examples (and the jitter of a relu network stuck on its kinks).

    Returns
    -------
    Finding
        ``measured`` is the largest relative error (whole vector or any θ⁽ˡ⁾).
    """
    rng = as_generator(random_state)
    X, Y = _as_xy(X, Y)
    pool = rng.choice(X.shape[0], size=min(X.shape[0], GRADCHECK_POOL), replace=False)
    sampled = net.n_params > GRADCHECK_MAX_PARAMS
    result = check_gradients(
        net,
        X[pool],
        Y[pool],
        lam,
        max_examples=n_examples,
        sample=GRADCHECK_SAMPLE if sampled else None,
        random_state=rng,
    )
    error = result.max_error
    details = {
        "relative_error": result.relative_error,
        "layer_errors": list(result.layer_errors),
        "examples": result.examples,
        "entries_checked": int(result.analytic.size),
        "sampled": sampled,
        "nudged_off_kinks": result.nudged_off_kinks,
        "kink_free": result.kink_free,
        "lam": float(lam),
    }
    marks = {name: mark for mark, name in VERDICTS}
    threshold = f"< {marks['acceptable']:g} (FAIL ≥ {marks['suspect']:g})"
    where = f"{int(result.analytic.size)} entries of θ on {result.examples} examples"
    status = GRADCHECK_STATUS[result.verdict()]
    caveat = "" if result.kink_free else " (relu units near z = 0 may inflate it)"
    differ = f"{format_number(error)} in θ({result.worst_layer}){caveat}"
    message, advice = {
        PASS: (f"backprop matches central differences ({result.verdict()}; {where})", ""),
        WARN: (
            f"backprop and central differences differ by {differ}: the gradient is suspect",
            "check the derivative f′ of custom activations and losses; strongly curved "
            "(nearly saturated) units can also cause differences this size, so check again "
            "with smaller initial weights",
        ),
        FAIL: (
            f"backprop's gradient is wrong: it differs from central differences by {differ}",
            "the backward pass does not compute the derivative of the cost: check f′ of the "
            "hidden activation, δ⁽ˡ⁾ = (θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾ .* f′(z⁽ˡ⁾) and that the output layer "
            "is paired with its loss (δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y)",
        ),
    }[status]
    return Finding("gradient_check", status, error, threshold, message, advice, details=details)


def _as_xy(X, Y) -> tuple[np.ndarray, np.ndarray]:
    """X and Y as float64 arrays, Y with one row per example (shape (m, n_out))."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    return X, Y.reshape(X.shape[0], -1)


# ---------------------------------------------------------------------- initial loss
def expected_initial_loss(net, Y) -> tuple[float, str]:
    """The data loss near-zero weights give, and how it is written (``"ln 10"``).

    With θ ≈ 0 every logit is ≈ 0: a softmax then gives 1/K to each class (loss ln K), a
    sigmoid gives ½ to each of its K outputs (K·ln 2), an identity output gives 0.
    """
    K = net.layer_sizes[-1]
    if net.output == "softmax":
        return math.log(K), f"ln {K}"
    if net.output == "sigmoid":
        return K * math.log(2.0), "ln 2" if K == 1 else f"{K}·ln 2"
    Y = np.asarray(Y, dtype=np.float64)
    return 0.5 * float(np.mean(np.sum(Y.reshape(Y.shape[0], -1) ** 2, axis=1))), "½·mean ‖y‖²"


def check_initial_loss(net, X, Y) -> Finding:
    """The data loss J(θ₀) (λ = 0) against :func:`expected_initial_loss`.

    Parameters
    ----------
    net : Network
        As initialized.
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(net.cost(X, Y, 0.0))
    expected, formula = expected_initial_loss(net, Y)
    regression = net.output == "identity"
    warn_above = INITIAL_LOSS_REGRESSION_WARN_ABOVE if regression else INITIAL_LOSS_WARN_ABOVE
    # All-zero regression targets: any non-zero initial output is infinitely "too large".
    ratio = loss / expected if expected > 0 else 1.0 if loss == 0 else math.inf
    threshold = f"≈ {formula} = {format_number(expected)} (≤ {warn_above:g}×)"
    details = {"loss": loss, "expected": expected, "ratio": ratio}
    advice = (
        "start from smaller weights: initializer='glorot' (or 'he' for relu), or a smaller "
        "init_epsilon; standardize the features so that z = θ·x stays small"
    )
    if math.isfinite(loss) and ratio <= warn_above:
        status, advice = PASS, ""
        message = (
            f"the loss at initialization is {format_number(loss)}, close to {formula} = "
            f"{format_number(expected)}, as for an untrained network"
        )
    elif not math.isfinite(loss):
        status, message = FAIL, f"the loss at initialization is {loss}"
    elif regression:
        status = WARN
        message = (
            f"the loss at initialization is {format_number(ratio)}× {formula}: the initial "
            "outputs are far larger than the targets"
        )
        advice = (
            "standardize the targets (and features), or start from smaller weights "
            "(initializer='glorot' or a smaller init_epsilon)"
        )
    else:
        status = WARN if ratio <= INITIAL_LOSS_FAIL_ABOVE else FAIL
        message = (
            f"the loss at initialization is {format_number(loss)}, {format_number(ratio)}× "
            f"the {format_number(expected)} of near-zero weights: the network starts out "
            "confidently wrong"
        )
    return Finding("initial_loss", status, loss, threshold, message, advice, details=details)


def check_regularization(net, X, Y, lam: float = 1.0) -> Finding:
    """J(θ; λ) − J(θ; 0) against λ/(2m) Σ θ² (bias column excluded), at λ and 2λ.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_in)
    Y : array-like of shape (m, n_out)
    lam : float, default=1.0
        The λ to check at: the estimator's ``alpha``; with 0 (no regularization) the
        term is checked at λ = 1, since a zero term tells nothing.
    """
    lam = float(lam) if lam > 0 else 1.0
    probe = net.astype(np.float64)
    X, Y = _as_xy(X, Y)
    m = X.shape[0]
    squared = sum(float(np.sum(theta[:, 1:] ** 2)) for theta in probe.thetas)
    expected = lam * squared / (2.0 * m)
    with np.errstate(over="ignore", invalid="ignore"):
        costs = [float(probe.cost(X, Y, value)) for value in (0.0, lam, 2.0 * lam)]
    increase = costs[1] - costs[0]
    shown = format_number(lam)
    threshold = f"= λ/(2m) Σθ² = {format_number(expected)} at λ = {shown}"
    details = {"J(0)": costs[0], "J(λ)": costs[1], "J(2λ)": costs[2], "expected": expected}
    details["lam"] = lam
    tolerance = 1e-9 * max(abs(costs[1]), expected, 1.0)
    advice = ""
    if not all(math.isfinite(c) for c in costs):
        status, increase, message = SKIP, None, "the cost is not finite"
    elif squared == 0:
        status = SKIP
        message = "every weight is zero, so the penalty is zero (see symmetry breaking)"
    elif abs(increase - expected) <= tolerance and costs[0] < costs[1] < costs[2]:
        status, message = PASS, "the L2 penalty raises J by λ/(2m) Σθ² and grows with λ"
    else:
        status = FAIL
        message = (
            f"J(λ={shown}) − J(0) = {format_number(increase)} but λ/(2m) Σθ² over the "
            f"non-bias weights is {format_number(expected)}: the regularization term is wrong"
        )
        advice = (
            "the penalty must be λ/(2m) Σₗ Σᵢ Σⱼ≥1 (θ⁽ˡ⁾ᵢⱼ)², bias column excluded, and its "
            "gradient (λ/m) θ⁽ˡ⁾ᵢⱼ for j ≥ 1"
        )
    return Finding("regularization", status, increase, threshold, message, advice, details=details)


# ---------------------------------------------------------------------- symmetry
def check_symmetry(net) -> Finding:
    """Identical rows of θ⁽ˡ⁾ feeding hidden layers: units that can never become different.

    Parameters
    ----------
    net : Network
        Usually as initialized.
    """
    threshold = "no identical hidden units"
    hidden = net.thetas[:-1]
    if not hidden:
        return Finding("symmetry", SKIP, None, threshold, "the network has no hidden layer")
    duplicates, all_same, total = {}, [], 0
    for layer, theta in enumerate(hidden, start=2):  # θ⁽ˡ⁻¹⁾ feeds hidden layer l
        units = theta.shape[0]
        total += units
        _, counts = np.unique(theta, axis=0, return_counts=True)
        shared = int(counts[counts > 1].sum())  # units whose row some other unit repeats
        if shared:
            duplicates[layer] = shared
        if units > 1 and counts.size == 1:
            all_same.append(layer)
    fraction = sum(duplicates.values()) / total
    details = {"duplicate_units": {str(k): v for k, v in duplicates.items()}}
    if all_same:
        layers = ", ".join(str(layer) for layer in all_same)
        status = FAIL
        message = (
            f"every unit of hidden layer {layers} has the same incoming weights: they get "
            "the same δ and the same update, so the layer acts as one unit for ever"
        )
        advice = (
            "initialize at random, not to zero: initializer='glorot' (or 'uniform' with "
            "init_epsilon ≈ 0.1), which breaks the symmetry"
        )
    elif duplicates:
        where = ", ".join(f"{n} in layer {layer}" for layer, n in duplicates.items())
        status = WARN
        message = f"some hidden units duplicate others ({where}) and will stay copies of them"
        advice = "initialize every weight at random (initializer='glorot')"
    else:
        status, message, advice = PASS, "every hidden unit starts with its own weights", ""
    return Finding("symmetry", status, fraction, threshold, message, advice, details=details)


# ---------------------------------------------------------------------- saturation
def check_saturation(net, X) -> list[Finding]:
    """Saturated sigmoid/tanh units and dead relu units, one finding per hidden layer.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_in)
        A batch of inputs (a few hundred training examples).

    Returns
    -------
    list of Finding
        ``layer`` is the hidden layer's number l (2 is the first), ``measured`` the
        fraction of its units that are saturated or dead. A single SKIP finding for
        identity units or a network without hidden layers.
    """
    threshold = f"≤ {SATURATED_UNITS_WARN:.0%} of the layer's units"
    if net.n_layers == 2:
        return [Finding("saturation", SKIP, None, threshold, "the network has no hidden layer")]
    if net.activation == "identity":
        return [Finding("saturation", SKIP, None, threshold, "identity units never saturate")]
    with np.errstate(over="ignore", invalid="ignore"):
        hidden = net.activations(X)[1:-1]
    findings = []
    for layer, A in enumerate(hidden, start=2):
        findings.append(_layer_saturation(net.activation, layer, A, threshold))
    return findings


def _layer_saturation(activation: str, layer: int, A: np.ndarray, threshold: str) -> Finding:
    """The saturation finding of one hidden layer from its activations A (m, u)."""
    units = A.shape[1]
    if activation == "relu":
        stuck = np.all(A <= 0, axis=0)
        flat_share = float(np.mean(A <= 0))
        what, state = "dead", "output 0 for every example: they never learn again"
        advice = (
            "a dead relu never gets a gradient again: lower learning_rate_init, use "
            "initializer='he' or 'glorot', standardize the features"
        )
    else:
        flat = saturated(activation, A)
        low, high = RANGES[activation]
        margin = SATURATION_MARGIN
        if activation == "sigmoid":
            zone = f"a < {low + margin:g} or a > {high - margin:g}"
        else:
            zone = f"|a| > {high - margin:g}"
        stuck = flat.mean(axis=0) > SATURATED_EXAMPLES
        flat_share = float(flat.mean())
        what = "saturated"
        state = f"sit at {zone}, where f′ ≈ 0, for most examples: they barely learn"
        advice = (
            "start from smaller weights (initializer='glorot' or a smaller init_epsilon), "
            "standardize the features, or use relu units"
        )
    n_stuck = int(stuck.sum())
    fraction = n_stuck / units
    details = {
        "units": units,
        what: n_stuck,
        "flat_activations": flat_share,
        "stuck_units": to_json(np.flatnonzero(stuck)[:50]),
    }
    if fraction <= SATURATED_UNITS_WARN:
        status, message, advice = PASS, f"{n_stuck} of {units} {activation} units are {what}", ""
    else:
        status, message = WARN, f"{n_stuck} of {units} {activation} units ({fraction:.0%}) {state}"
    return Finding("saturation", status, fraction, threshold, message, advice, layer, details)
