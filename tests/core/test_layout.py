"""ThetaLayout: the one description of where θ⁽ˡ⁾, W⁽ˡ⁾ and b⁽ˡ⁾ lie in the unrolled θ."""

from __future__ import annotations

import numpy as np

from mlplab import Network
from mlplab.layout import ThetaLayout


def test_layout_of_a_small_network_by_hand():
    # 2-3-1: θ⁽¹⁾ is 3×(2+1) = 9 entries, θ⁽²⁾ is 1×(3+1) = 4: 13 in all.
    layout = ThetaLayout([2, 3, 1])
    assert layout.shapes == [(3, 3), (1, 4)]
    assert layout.offsets == [0, 9, 13]
    assert layout.size == 13
    # rows: three of θ⁽¹⁾ (length 3) at 0, 3, 6, then θ⁽²⁾'s one row (length 4) at 9
    assert layout.starts.tolist() == [0, 3, 6, 9]
    assert layout.lengths.tolist() == [3, 3, 3, 4]
    flat = np.arange(13.0)
    first, second = layout.thetas(flat)
    assert first.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert second.tolist() == [[9, 10, 11, 12]]
    assert [b.tolist() for b in layout.biases(flat)] == [[0, 3, 6], [9]]
    # Σ W² skips the bias column: 1+4+16+25+49+64 + 100+121+144
    assert layout.squared_weights(flat) == 159 + 365


def test_the_network_views_are_the_layouts_views():
    net = Network([4, 5, 3], "tanh", "softmax", random_state=0)
    views = net.layout.thetas(net.theta)
    for view, theta in zip(views, net.thetas):
        assert np.shares_memory(view, net.theta)
        np.testing.assert_array_equal(view, theta)
    lam, m = 0.3, 7
    assert net.penalty(lam, m) == lam / (2 * m) * net.layout.squared_weights(net.theta)


def test_add_decay_touches_the_weights_only():
    layout = ThetaLayout([3, 2, 2])
    theta = np.arange(1.0, layout.size + 1)
    grad = np.zeros(layout.size)
    squared = layout.add_decay(theta, grad, 0.5)
    for g, t in zip(layout.thetas(grad), layout.thetas(theta)):
        np.testing.assert_array_equal(g[:, 0], 0.0)  # biases are not regularized
        np.testing.assert_array_equal(g[:, 1:], 0.5 * t[:, 1:])
    assert squared == layout.squared_weights(theta)
