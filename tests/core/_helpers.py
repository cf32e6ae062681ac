"""Independent reference code and problem builders for the core tests.

Nothing here calls the network's own forward pass: the reference forward propagation is
written from the lecture's formulas with plain numpy, so tests can use it as an oracle.
"""

from __future__ import annotations

import numpy as np

from mlplab.network import Network

HIDDEN = ("sigmoid", "tanh", "relu", "identity")
OUTPUTS = ("sigmoid", "softmax", "identity", "exp")
#: 1, 2 and 3 hidden layers; three outputs so that softmax is not trivially constant.
ARCHITECTURES = ((3, 4, 3), (3, 4, 3, 3), (3, 4, 3, 4, 3))

#: A ReLU pre-activation closer than this to 0 could cross the kink when a central
#: difference moves one θ by ε = 1e-4; problems are drawn until every |z| clears it.
RELU_MARGIN = 1e-2

_F = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "identity": lambda z: z,
}


def reference_forward(thetas, activation: str, output: str, X) -> tuple[list, np.ndarray]:
    """Hidden pre-activations [z⁽²⁾, ..., z⁽ᴸ⁻¹⁾] and h_θ(X), from the lecture's formulas.

    z⁽ˡ⁺¹⁾ = θ⁽ˡ⁾ [1; a⁽ˡ⁾] for each example (rows of X), a⁽ˡ⁺¹⁾ = f(z⁽ˡ⁺¹⁾).
    """
    A = np.asarray(X, dtype=np.float64)
    hidden_z = []
    for theta in thetas[:-1]:
        Z = np.hstack([np.ones((A.shape[0], 1)), A]) @ np.asarray(theta, np.float64).T
        hidden_z.append(Z)
        A = _F[activation](Z)
    Z = np.hstack([np.ones((A.shape[0], 1)), A]) @ np.asarray(thetas[-1], np.float64).T
    if output == "sigmoid":
        H = 1.0 / (1.0 + np.exp(-Z))
    elif output == "softmax":
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        H = E / E.sum(axis=1, keepdims=True)
    elif output == "exp":  # the Poisson rate, log link
        H = np.exp(Z)
    else:
        H = Z
    return hidden_z, H


def make_targets(output: str, m: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Targets that suit the output: multi-hot 0/1, one-hot rows, counts, or real values."""
    if output == "sigmoid":
        return rng.integers(0, 2, size=(m, k)).astype(np.float64)
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, size=m)]
    if output == "exp":
        return rng.poisson(1.5, size=(m, k)).astype(np.float64)  # zeros included
    return rng.normal(size=(m, k))


def make_problem(layer_sizes, activation: str, output: str, seed: int = 0, m: int = 5):
    """A random network, inputs and targets; for ReLU, one whose |z| clear RELU_MARGIN.

    Returns
    -------
    net : Network (float64)
    X : ndarray of shape (m, layer_sizes[0])
    Y : ndarray of shape (m, layer_sizes[-1])
    """
    for attempt in range(seed, seed + 200):
        rng = np.random.default_rng(attempt)
        net = Network(layer_sizes, activation, output, random_state=rng)
        X = rng.normal(size=(m, layer_sizes[0]))
        Y = make_targets(output, m, layer_sizes[-1], rng)
        hidden_z, _ = reference_forward(net.thetas, activation, output, X)
        if activation != "relu" or min(np.abs(z).min() for z in hidden_z) > RELU_MARGIN:
            return net, X, Y
    raise AssertionError(f"no problem with ReLU margin {RELU_MARGIN} among 200 seeds")
