"""Shared pieces of the benchmarks: timing, interleaving, memory, machine facts, tables.

Timings follow the machine's known behaviour: OpenBLAS threads keep spinning for a moment
after a call and slow whatever runs next, so every timed call is preceded by a short
pause, and implementations are interleaved round by round so that drift hits all alike.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from collections.abc import Callable

PAUSE_SECONDS = 0.3


def timed(run: Callable[[], object], pause: float = PAUSE_SECONDS) -> float:
    """Seconds taken by ``run()``, after a pause that lets BLAS threads go idle."""
    time.sleep(pause)
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def interleave(runners: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Time each runner once per round, in the same order every round."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            times[name].append(timed(run))
    return times


def summary(samples: list[float]) -> tuple[float, float, float]:
    """(median, min, max)."""
    return statistics.median(samples), min(samples), max(samples)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine_facts() -> dict[str, str]:
    """Cores, CPU, Python, numpy and the BLAS library with its kernel (threadpoolctl)."""
    import numpy as np
    from threadpoolctl import threadpool_info

    facts = {
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            facts["blas"] = (
                f"{pool.get('internal_api')} {pool.get('version')} "
                f"({pool.get('architecture')} kernels, {pool.get('num_threads')} threads)"
            )
    try:
        import sklearn

        facts["scikit-learn"] = sklearn.__version__
    except ImportError:
        pass
    try:
        import torch

        facts["torch"] = torch.__version__
    except ImportError:
        facts["torch"] = "not installed"
    facts["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    return facts


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_seconds(samples: list[float]) -> str:
    """ "median (min–max)" in seconds."""
    median, low, high = summary(samples)
    return f"{median:.3f} ({low:.3f}–{high:.3f})"
