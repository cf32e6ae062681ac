"""Hidden-unit activations f and their derivatives f′ (written in terms of a = f(z))."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.activations import (
    ACTIVATIONS,
    DERIVATIVES,
    HIDDEN_ACTIVATIONS,
    derivative,
    resolve_activation,
)

Z = np.array([[-50.0, -3.0, -0.5, -1e-3], [1e-3, 0.5, 3.0, 50.0]])

CLOSED_FORMS = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "identity": lambda z: z,
}


def test_registry():
    assert HIDDEN_ACTIVATIONS == ("sigmoid", "tanh", "relu", "identity")
    assert set(ACTIVATIONS) == set(DERIVATIVES) == set(HIDDEN_ACTIVATIONS)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_activation_works_in_place_and_matches_its_formula(name):
    A = Z.copy()
    assert ACTIVATIONS[name](A) is None  # no new array: the buffer itself becomes f(Z)
    np.testing.assert_allclose(A, CLOSED_FORMS[name](Z), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_derivative_from_activations_matches_central_differences(name):
    # f′(z) ≈ (f(z + h) − f(z − h)) / 2h; no z sits on the ReLU kink.
    h = 1e-6
    f = CLOSED_FORMS[name]
    numerical = (f(Z + h) - f(Z - h)) / (2 * h)
    A = Z.copy()
    ACTIVATIONS[name](A)
    np.testing.assert_allclose(derivative(name, A), numerical, rtol=1e-7, atol=1e-12)


def test_sigmoid_derivative_is_the_slides_a_times_one_minus_a():
    a = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(derivative("sigmoid", a), a * (1 - a), rtol=1e-15)
    np.testing.assert_allclose(derivative("tanh", a), 1 - a**2, rtol=1e-15)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_inplace_derivative_multiplies_delta(name):
    A = Z.copy()
    ACTIVATIONS[name](A)
    A_before = A.copy()
    delta = np.linspace(-2.0, 2.0, Z.size).reshape(Z.shape)
    expected = delta * derivative(name, A)
    assert DERIVATIVES[name](A, delta) is None
    np.testing.assert_allclose(delta, expected, rtol=1e-15)
    np.testing.assert_array_equal(A, A_before)  # the activations are read, not changed


def test_relu_derivative_at_the_kink_is_zero():
    A = np.array([0.0, 0.0, 2.0])
    np.testing.assert_array_equal(derivative("relu", A), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_huge_inputs_raise_no_floating_point_error(name, dtype):
    A = np.array([[-1e4, -800.0, 800.0, 1e4]], dtype=dtype)
    with np.errstate(all="raise"):
        ACTIVATIONS[name](A)
        fprime = derivative(name, A)
    assert A.dtype == fprime.dtype == dtype
    assert np.isfinite(A).all()
    assert np.isfinite(fprime).all()
    if name == "sigmoid":
        np.testing.assert_array_equal(A, [[0.0, 0.0, 1.0, 1.0]])
    if name == "tanh":
        np.testing.assert_array_equal(A, [[-1.0, -1.0, 1.0, 1.0]])


def test_resolve_activation():
    assert resolve_activation("logistic") == "sigmoid"
    assert [resolve_activation(name) for name in HIDDEN_ACTIVATIONS] == list(HIDDEN_ACTIVATIONS)
    with pytest.raises(
        ValueError,
        match=r"unknown activation 'softmax'; valid activations are 'sigmoid', 'tanh', 'relu', "
        r"'identity', 'logistic'",
    ):
        resolve_activation("softmax")
