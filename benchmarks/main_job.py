"""main job: ``mlplab train`` with the lab's defaults (digits), wall time against training time.

Runs the real command in a fresh interpreter, as a user does, a few times (interleaved
with ``mlplab --help`` for the start-up cost) and reports medians:

- wall: the whole ``mlplab train --out RUN -q``;
- training: the fit itself, as the run's config.json records it;
- start-up: ``python -m mlplab --help`` (interpreter and mlplab's lazy imports);
- the rest: wall − training − start-up: importing scikit-learn and scipy, loading and
  splitting the data, scoring, the figures, the report and the files;
- figures and report: the same command in a child whose ``draw_run_figures`` and
  ``write_report`` (the functions the command calls) are wrapped by timers, importing
  matplotlib included. The target is that figures and report add at most about 2 s.

    python benchmarks/main_job.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import PAUSE_SECONDS, facts_line, machine_facts, markdown_table

#: Figures and report may add about this much to the main job's wall time.
TARGET_FIGURES_AND_REPORT_SECONDS = 2.0


def _wall(args: list[str]) -> float:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    time.sleep(PAUSE_SECONDS)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mlplab", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


#: A child that runs ``mlplab train`` in-process with its figure and report writers timed.
TIMED_CHILD = """
import json, sys, time
import mlplab.runs as runs, mlplab.runs.figures as figures
from mlplab.cli import main
timings = {"draw_run_figures": 0.0, "write_report": 0.0}
def timed(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timings[name] += time.perf_counter() - started
    setattr(module, name, wrapper)
timed(figures, "draw_run_figures")
timed(runs, "write_report")
try:
    main(["train", "--out", sys.argv[1], "-q"])
except SystemExit as stop:
    if stop.code:
        raise
print(json.dumps(timings))
"""


def _figures_and_report(out: str) -> dict[str, float]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    time.sleep(PAUSE_SECONDS)
    done = subprocess.run([sys.executable, "-c", TIMED_CHILD, out], check=True, env=env,
                          capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(rounds: int) -> tuple[str, dict]:
    """Time the main job; return the markdown section and the raw medians."""
    walls, trainings, startups, figures, reports = [], [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(rounds):
            out = os.path.join(folder, f"run{i}")
            startups.append(_wall(["--help"]))
            walls.append(_wall(["train", "--out", out, "-q"]))
            with open(os.path.join(out, "config.json"), encoding="utf-8") as file:
                trainings.append(json.load(file)["training"]["seconds"])
            timings = _figures_and_report(os.path.join(folder, f"timed{i}"))
            figures.append(timings["draw_run_figures"])
            reports.append(timings["write_report"])
    wall, training, startup, figure_s, report_s = (
        statistics.median(s) for s in (walls, trainings, startups, figures, reports)
    )
    rest = wall - training - startup
    added = figure_s + report_s
    results = {"wall": wall, "training": training, "startup": startup, "rest": rest,
               "figures": figure_s, "report": report_s}  # fmt: skip
    table = markdown_table(
        ["wall (s)", "training (s)", "start-up (s)", "rest: imports, data, scores, figures, "
         "report (s)", "of which figures (s)", "report (s)",
         f"figures + report ≤ {TARGET_FIGURES_AND_REPORT_SECONDS:g} s"],
        [[f"{wall:.2f}", f"{training:.2f}", f"{startup:.2f}", f"{rest:.2f}", f"{figure_s:.2f}",
          f"{report_s:.3f}", "yes" if added <= TARGET_FIGURES_AND_REPORT_SECONDS else "no"]],
    )  # fmt: skip
    section = (
        f"## main job: `mlplab train` on the digits ({rounds} rounds, medians)\n\n"
        f"{facts_line(machine_facts())}\n\n{table}\n"
    )
    return section, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    section, _ = run(parser.parse_args().rounds)
    print(section)


if __name__ == "__main__":
    main()
