"""Shared pieces of the benchmarks: timing, interleaving, quiet-machine checks, memory,
machine facts, tables.

Timings follow the machine's known behaviour: OpenBLAS threads keep spinning for a moment
after a call and slow whatever runs next, so every timed call is preceded by a short
pause, and implementations are interleaved round by round so that drift hits all alike.
On a shared machine other people's work comes and goes, often invisibly (see the notes
above :func:`healthy`): sections start when the machine is healthy
(:func:`wait_for_quiet`), and rounds during which it stalled are run again
(:func:`interleave_healthy`); every section reports how many were discarded.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable

PAUSE_SECONDS = 0.3


def timed(run: Callable[[], object], pause: float = PAUSE_SECONDS) -> float:
    """Seconds taken by ``run()``, after a pause that lets BLAS threads go idle.

    A runner that times itself (a :class:`Remote` one) returns its seconds as a float.
    """
    time.sleep(pause)
    start = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - start
    return result if isinstance(result, float) else elapsed


# ---------------------------------------------------------------------- other processes
class Remote:
    """A runner that lives in a process of its own, started with ``command``.

    PyTorch's thread pool keeps threads around that slowed every numpy matrix product
    that ran after it in the same process by about half (measured): so PyTorch runs in
    its own process, which sleeps while the others are timed. The child is a script
    called with ``--serve``: it builds its runner, then times one run per line it reads
    (after the same pause) and answers with the seconds (see :func:`serve`).
    """

    def __init__(self, command: list[str]) -> None:
        import subprocess

        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self._ask("ready")

    def _ask(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"the benchmark process {self.process.args} ended")
        return answer

    def __call__(self) -> float:
        return float(self._ask("run"))

    def close(self) -> None:
        """Stop the child process."""
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


def serve(run: Callable[[], object]) -> None:
    """The child's side of :class:`Remote`: answer "ready", and time ``run`` per "run"."""
    for line in sys.stdin:
        command = line.strip()
        if command == "ready":
            print("ready", flush=True)
        elif command == "run":
            time.sleep(PAUSE_SECONDS)
            start = time.perf_counter()
            run()
            print(repr(time.perf_counter() - start), flush=True)


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


def paired_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over rounds of numerator/denominator measured in the same round.

    Pairing within a round cancels most of a busy machine's drift; reported next to the
    ratio of medians (on which the targets are judged) as a check of its stability.
    """
    return statistics.median(a / b for a, b in zip(numerator, denominator))


# ---------------------------------------------------------------------- a busy machine
# On a shared virtual machine the trouble is often invisible from inside: for seconds at
# a time one of the two virtual CPUs barely runs. A single-threaded product then runs as
# fast as ever, but a product split over two BLAS threads waits for the stalled one and
# takes 4–20× longer (and the spinning BLAS thread slows everything else). /proc/stat
# shows nothing. So the machine's health is measured directly: a fixed multi-threaded
# probe is timed against the best time this process has seen for it.
_best_probe: list[float] = []


def _probe() -> float:
    """Seconds for 20 products of 256×256 float32 matrices on all BLAS threads (~2 ms)."""
    import numpy as np

    a = np.full((256, 256), 0.5, dtype=np.float32)
    out = np.empty_like(a)
    start = time.perf_counter()
    for _ in range(20):
        np.matmul(a, a, out=out)
    return time.perf_counter() - start


def healthy(probes: int = 8, tolerance: float = 1.5) -> bool:
    """Whether the machine runs the probe at full speed now.

    After a pause and one warm-up probe (the threads wake up), ``probes`` probes must have
    a median within ``tolerance`` × the best time seen in this process and none may take
    4× that (a stall).
    """
    time.sleep(PAUSE_SECONDS)  # let the threads of whatever ran last go idle first
    _probe()
    times = sorted(_probe() for _ in range(probes))
    best = min(times[0], *_best_probe) if _best_probe else times[0]
    _best_probe[:] = [best]
    return times[len(times) // 2] <= tolerance * best and times[-1] <= 4 * best


def wait_for_quiet(timeout: float = 120.0) -> float:
    """Wait (at most ``timeout`` s) until the machine runs multi-threaded BLAS at full speed.

    Returns the seconds waited and says on stderr whether the machine got healthy.
    """
    started = time.monotonic()
    for _ in range(3):  # establish the best probe time
        healthy()
    while not healthy() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    waited = time.monotonic() - started
    state = "healthy" if healthy() else "still stalling, going on"
    print(f"[machine: waited {waited:.0f} s; {state}]", file=sys.stderr)
    return waited


def interleave_healthy(
    runners: dict[str, Callable[[], object]], rounds: int, max_discarded: int | None = None
) -> tuple[dict[str, list[float]], int]:
    """:func:`interleave`, keeping only rounds with a healthy machine before and after.

    The machine is probed before every timed call and after the round. A round during
    which it stalled (see :func:`healthy`) is discarded as a whole — every
    implementation's time of that round — and run again, at most ``max_discarded``
    times in all (default: ``min(rounds, 3)``, to bound the time); after that, stalled
    rounds are kept. Returns the times and the number of rounds discarded.
    """
    max_discarded = min(rounds, 3) if max_discarded is None else max_discarded
    times: dict[str, list[float]] = {name: [] for name in runners}
    discarded = 0
    while len(next(iter(times.values()))) < rounds:
        this_round = {}
        stalled = False
        for name, run in runners.items():
            stalled |= not healthy()  # a probe before each call ...
            this_round[name] = timed(run)
        stalled |= not healthy()  # ... and one after the round
        if stalled and discarded < max_discarded:
            discarded += 1
            wait_for_quiet(timeout=30.0)
            continue
        for name, seconds in this_round.items():
            times[name].append(seconds)
    return times, discarded


def load_average() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------- memory
def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib() -> float:
    """Resident set size of this process now, in MiB."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss() -> None:
    """Start a new peak: Linux resets VmHWM when "5" is written to /proc/self/clear_refs."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")


def peak_rss_since_reset_mib() -> float:
    """VmHWM, the peak resident set size since :func:`reset_peak_rss` (or the start), MiB."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise OSError("no VmHWM in /proc/self/status")


# ---------------------------------------------------------------------- the machine
def machine_facts() -> dict[str, str]:
    """Cores, CPU, Python, numpy, the BLAS library with its kernel (threadpoolctl), the
    other libraries' versions and mlplab's kernel backend."""
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
    for module in ("sklearn", "torch", "numba"):
        try:
            facts[module] = __import__(module).__version__
        except ImportError:
            facts[module] = "not installed"
    from mlplab import _kernels

    status = _kernels.backend_status()
    facts["mlplab kernels"] = f"{status['requested']} (numba: {status['numba']})"
    facts["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    return facts


def facts_line(facts: dict[str, str]) -> str:
    """The machine facts on one line."""
    return "; ".join(f"{key} {value}" for key, value in facts.items())


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# ---------------------------------------------------------------------- tables
def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_seconds(samples: list[float]) -> str:
    """ "median (min–max)" in seconds."""
    median, low, high = summary(samples)
    return f"{median:.3f} ({low:.3f}–{high:.3f})"
