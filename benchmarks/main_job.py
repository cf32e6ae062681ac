"""main job: ``mlplab train`` with the lab's defaults (digits), wall time against training time.

Runs the real command in a fresh interpreter, as a user does, a few times (interleaved
with ``mlplab --help`` for the start-up cost) and reports medians:

- wall: the whole ``mlplab train --out RUN -q``;
- training: the fit itself, as the run's config.json records it;
- start-up: ``python -m mlplab --help`` (interpreter and mlplab's lazy imports);
- the rest: wall − training − start-up: loading and splitting the data, scoring, the
  figures, the report and the files. The target is that figures and report add at most
  about 2 s.

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
TARGET_REST_SECONDS = 2.0


def _wall(args: list[str]) -> float:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    time.sleep(PAUSE_SECONDS)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mlplab", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def run(rounds: int) -> tuple[str, dict]:
    """Time the main job; return the markdown section and the raw medians."""
    walls, trainings, startups = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(rounds):
            out = os.path.join(folder, f"run{i}")
            startups.append(_wall(["--help"]))
            walls.append(_wall(["train", "--out", out, "-q"]))
            with open(os.path.join(out, "config.json"), encoding="utf-8") as file:
                trainings.append(json.load(file)["training"]["seconds"])
    wall, training, startup = (statistics.median(s) for s in (walls, trainings, startups))
    rest = wall - training - startup
    results = {"wall": wall, "training": training, "startup": startup, "rest": rest}
    table = markdown_table(
        ["wall (s)", "training (s)", "start-up (s)", "rest: data, scores, figures, report (s)",
         f"rest ≤ {TARGET_REST_SECONDS:g} s"],
        [[f"{wall:.2f}", f"{training:.2f}", f"{startup:.2f}", f"{rest:.2f}",
          "yes" if rest <= TARGET_REST_SECONDS else "no"]],
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
