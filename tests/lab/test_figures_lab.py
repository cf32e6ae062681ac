"""Figures a student compares across the lecture: same class, same colour; honest titles."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from mlplab import demos
from mlplab.plots.base import MARKERS, class_colors


def test_logic_units_use_the_class_colors_of_every_other_figure():
    # y = 0 is class 0 (C0, circle) and y = 1 class 1 (C1, square), as in decision_regions;
    # the figure used to draw them the other way round
    fig = demos.demo_logic().figures["units"]
    (legend,) = fig.legends
    handles = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles))
    zero, one = handles["y = 0 (negative class)"], handles["y = 1 (positive class)"]
    assert to_rgba(zero.get_color()) == to_rgba(class_colors(2)[0])
    assert to_rgba(one.get_color()) == to_rgba(class_colors(2)[1])
    assert (zero.get_marker(), one.get_marker()) == (MARKERS[0], MARKERS[1])
    assert "set by hand" in fig.get_suptitle()


def test_the_animals_comparison_shows_no_timing_and_counts_the_claims():
    result = demos.demo_animals()
    fig = result.figures["comparison"]
    titles = [ax.get_title() for ax in fig.axes]
    assert not any("time" in title.lower() for title in titles)  # seconds are noise
    claims = result.numbers["claims"]
    assert sum(claims.values()) == result.numbers["n_test"]
    bars = [patch.get_height() for patch in fig.axes[2].patches]
    assert bars == [claims["none"], claims["one"], claims["several"]]
    # the strategies' bars do not borrow the colours of the classes
    strategy_colors = {to_rgba(p.get_facecolor()) for p in fig.axes[0].patches}
    assert not strategy_colors & {to_rgba(c) for c in class_colors(4)}


def test_init_figure_shows_no_rounding_noise():
    fig = demos.demo_init().figures["symmetry"]
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert "identical (differ by < 1e-6)" in titles
    assert "e-1" not in titles  # no tiny spread printed: its digits are rounding noise
    zeros_panel = fig.axes[0]
    # one region: h = 0.5 (± noise) everywhere is drawn as one class, not a per-pixel flip
    (mesh,) = [c for c in zeros_panel.collections if hasattr(c, "get_array")][:1]
    assert np.unique(np.asarray(mesh.get_array())).size == 1
