"""Memory: refuse what cannot fit before allocating it, in one line that says why.

A network's parameters, a batch's activations and the trainer's copies of θ are
allocated as a few large arrays. Before each, the size is compared with the memory the
process can still get — the system's ``MemAvailable``, and, when an address-space limit
is set (``ulimit -v``, ``RLIMIT_AS``), the room left under it — and a size beyond it is
refused with an :class:`InsufficientMemoryError` naming what needed the memory (with its
parameter count) and how much. An allocation that fails anyway (the estimate is a lower
bound) raises the same error type from :func:`allocation`.
"""

from __future__ import annotations

import contextlib

__all__ = [
    "InsufficientMemoryError",
    "allocation",
    "available_memory",
    "describe_network",
    "format_bytes",
    "require_memory",
]


class InsufficientMemoryError(MemoryError):
    """Not enough memory for a network, a batch or a trainer; the message says how much."""


def format_bytes(n_bytes: float) -> str:
    """1536 → "1.5 KiB"; sizes in binary units, three significant digits."""
    size = float(n_bytes)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if size < 1024 or unit == "EiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.3g} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def describe_network(layer_sizes, n_params: int, dtype) -> str:
    """ "a network of 650,890 parameters (64-10000-1, float64)", for messages."""
    import numpy as np

    sizes = "-".join(str(int(u)) for u in layer_sizes)
    return f"a network of {int(n_params):,} parameters ({sizes}, {np.dtype(dtype).name})"


def available_memory() -> int | None:
    """Bytes this process can still allocate, as far as the system tells; None if unknown.

    The smaller of ``MemAvailable`` (Linux's estimate of memory available without
    swapping) and the room left under the address-space limit, when one is set.
    """
    limits = []
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo", encoding="ascii") as file:
        for line in file:
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
                break
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limits.append(max(0, soft - _address_space_in_use()))
    return min(limits) if limits else None


def _address_space_in_use() -> int:
    """The process's virtual memory size (what RLIMIT_AS counts), in bytes."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise ValueError("no VmSize in /proc/self/status")


def require_memory(n_bytes: int, what: str) -> None:
    """Refuse ``what`` if its ``n_bytes`` exceed the memory available.

    Parameters
    ----------
    n_bytes : int
        The bytes about to be allocated.
    what : str
        What needs them, e.g. "a network of 64,010 parameters (64-1000-10, float64)".

    Raises
    ------
    InsufficientMemoryError
        With a one-line message: what, how much it needs, how much is available.
    """
    available = available_memory()
    if available is not None and n_bytes > available:
        raise InsufficientMemoryError(
            f"not enough memory for {what}: it needs {format_bytes(n_bytes)}, but only "
            f"{format_bytes(available)} is available"
        )


@contextlib.contextmanager
def allocation(n_bytes: int, what: str):
    """Check ``n_bytes`` for ``what`` first; turn a MemoryError inside into the same error."""
    require_memory(n_bytes, what)
    try:
        yield
    except InsufficientMemoryError:
        raise
    except MemoryError:
        raise InsufficientMemoryError(
            f"not enough memory for {what}: it needs {format_bytes(n_bytes)}, and allocating "
            "it failed"
        ) from None
