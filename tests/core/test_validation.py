"""The shared argument checks and the one saturation rule."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab._validation import check_int, check_number
from mlplab.activations import SATURATION_MARGIN, saturated


def test_check_int_accepts_integers_and_names_the_rule():
    assert check_int("bins", np.int64(3), minimum=1) == 3
    assert type(check_int("bins", np.int64(3), minimum=1)) is int
    for bad in (0, 2.0, True, "3", None):
        with pytest.raises(ValueError, match=rf"^bins must be an integer >= 1, got {bad!r}$"):
            check_int("bins", bad, minimum=1)
    with pytest.raises(ValueError, match=r"n must be an integer >= 4 \(one per class\), got 3"):
        check_int("n", 3, minimum=4, extra="(one per class)")


def test_check_number_refuses_non_finite_and_out_of_range():
    assert check_number("noise", 0, minimum=0) == 0.0
    for bad in (-0.1, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match=r"^noise must be a finite number >= 0, got"):
            check_number("noise", bad, minimum=0)
    with pytest.raises(ValueError, match=r"^turns must be a finite number > 0, got 0$"):
        check_number("turns", 0, minimum=0, strict=True)


def test_saturation_is_one_margin_from_each_limit():
    m = SATURATION_MARGIN
    a = np.array([0.0, m / 4, 2 * m, 0.5, 1 - 2 * m, 1 - m / 4, 1.0])
    np.testing.assert_array_equal(saturated("sigmoid", a), [1, 1, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(saturated("tanh", 2 * a - 1), [1, 1, 0, 0, 0, 1, 1])
    assert not saturated("relu", a).any()
    # at the margin the sigmoid's f′ = a(1 − a) is under 4% of its peak 1/4
    assert m * (1 - m) < 0.04 * 0.25
