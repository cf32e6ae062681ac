"""The registry, the result type, and the PNGs every demo writes."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import pytest
from matplotlib.figure import Figure

from mlplab.demos import DEMOS, DESCRIPTIONS, DemoResult, demo_gradcheck, demo_logic, run_demo

from .conftest import PNG_SIGNATURE

EXPECTED = ["logic", "xor", "cats-dogs", "animals", "features", "init", "gradcheck", "digits"]


def test_registry_lists_every_demo_with_a_one_line_description():
    assert list(DEMOS) == EXPECTED
    assert list(DESCRIPTIONS) == EXPECTED
    for name, function in DEMOS.items():
        assert function.__name__ == "demo_" + name.replace("-", "_")
        description = DESCRIPTIONS[name]
        assert "\n" not in description
        assert 20 < len(description) <= 100
        parameters = inspect.signature(function).parameters
        assert parameters["out_dir"].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters["out_dir"].default is None
        assert "random_state" in parameters


def test_an_unknown_demo_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown demo 'cats'; valid demos are logic, xor, "):
        run_demo("cats")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_demo_writes_its_figures_as_png(demo_run, name):
    result, out_dir = demo_run(name)
    assert isinstance(result, DemoResult)
    assert result.name == name
    assert result.figures
    assert all(isinstance(fig, Figure) for fig in result.figures.values())
    written = sorted(path.name for path in out_dir.iterdir())
    assert written == sorted(f"{name}-{key}.png" for key in result.figures)
    assert sorted(result.paths) == sorted(result.figures)
    for key, path in result.paths.items():
        assert path == out_dir / f"{name}-{key}.png"
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert 5_000 < len(data) < 150_000  # a real picture, small enough for the docs
    # every figure has a title of its own
    for fig in result.figures.values():
        assert fig.get_suptitle() or any(ax.get_title() for ax in fig.axes)


def test_demos_run_headless_without_pyplot(tmp_path):
    # A fresh interpreter with no display: the demo must not pick a GUI backend.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    code = (
        "import sys\n"
        "from mlplab.demos import demo_logic\n"
        f"result = demo_logic(out_dir={str(tmp_path / 'nested' / 'out')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "print(sorted(p.name for p in result.paths.values()))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "['logic-units.png']"
    assert (tmp_path / "nested" / "out" / "logic-units.png").read_bytes().startswith(PNG_SIGNATURE)


def test_without_out_dir_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = demo_logic()
    assert result.paths == {}
    assert list(tmp_path.iterdir()) == []
    assert "f(−30 + 20x₁ + 20x₂)" in result.summary()
    assert "logic" in repr(result)


def test_same_seed_same_numbers_other_seed_other_numbers():
    first = demo_gradcheck(random_state=3)
    again = demo_gradcheck(random_state=3)
    other = demo_gradcheck(random_state=4)
    assert first.numbers == again.numbers
    assert first.numbers["relative_error"] != other.numbers["relative_error"]


def test_a_negative_seed_is_rejected():
    with pytest.raises(ValueError, match="random_state must be a non-negative integer, got -1"):
        run_demo("cats-dogs", random_state=-1)
