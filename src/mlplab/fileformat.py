"""Safe files of arrays: safetensors with JSON metadata, a checksum and atomic writes.

Model files and training checkpoints are both written here. The container is
safetensors (a JSON header of names, dtypes, shapes and byte offsets, then raw little-endian
data): data only, so loading can never import or call anything, unlike pickle. On top of
it mlplab adds, in the header's ``__metadata__`` (string → string):

- ``mlplab.kind`` (``"model"`` or ``"checkpoint"``) and ``mlplab.format_version``;
- ``mlplab.json``: the rest of the metadata as one JSON document;
- ``mlplab.sha256``: a checksum over that JSON, the tensor index and the data bytes, so a
  flipped bit anywhere is refused instead of silently giving a different model.

Reading validates everything — header length against the file size, the JSON, every
dtype against an allow-list, shapes against byte offsets, offsets contiguous and covering
the data exactly (no trailing bytes) — *before* any array is built. Every failure raises
:class:`ModelFileError` naming the file and the problem.

Writing goes to a temporary file in the same folder, is flushed and fsynced, then
``os.replace``-d over the target: a reader sees the old file or the new one, never a
partial one, and a failed write leaves the old file untouched and no temporary behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["ModelFileError", "atomic_write_bytes", "pack", "read", "unpack", "write"]

FORMAT_VERSION = 1
#: Arrays in mlplab files are float parameters or small integer vectors; nothing else.
ALLOWED_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
MAX_HEADER_BYTES = 16 * 1024 * 1024


class ModelFileError(ValueError):
    """A model or checkpoint file that cannot be loaded: not mlplab's, damaged or unsafe."""


# ---------------------------------------------------------------------- writing
def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, kept for the name
        dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise
    # Make the rename itself durable where the platform allows opening a directory.
    with contextlib.suppress(OSError):
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def pack(tensors: Mapping[str, np.ndarray], metadata: Mapping[str, Any], *, kind: str) -> bytes:
    """Serialize arrays and JSON-able metadata to safetensors bytes with a checksum."""
    from safetensors.numpy import save

    arrays = {name: np.ascontiguousarray(array) for name, array in tensors.items()}
    for name, array in arrays.items():
        if array.dtype not in {np.dtype(t) for t in ALLOWED_DTYPES.values()}:
            raise TypeError(f"array {name!r} has dtype {array.dtype}, not float32/float64/int64")
    document = json.dumps(metadata, sort_keys=True, allow_nan=True)
    header = {"mlplab.kind": kind, "mlplab.format_version": str(FORMAT_VERSION)}
    header["mlplab.json"] = document
    # The checksum needs the final offsets, so serialize once without it to learn them.
    draft = save(arrays, metadata={**header, "mlplab.sha256": "0" * 64})
    index, data = _split(draft)
    header["mlplab.sha256"] = _checksum(header, index, data)
    return save(arrays, metadata=header)


def write(
    path: str | os.PathLike,
    tensors: Mapping[str, np.ndarray],
    metadata: Mapping[str, Any],
    *,
    kind: str,
) -> None:
    """:func:`pack` then :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, pack(tensors, metadata, kind=kind))


# ---------------------------------------------------------------------- reading
def read(path: str | os.PathLike, *, kind: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read and validate a file written by :func:`write`; return (arrays, metadata)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a directory, not a model file") from None
    except OSError as error:
        raise ModelFileError(f"{path}: cannot be read ({error.strerror})") from None
    return unpack(data, kind=kind, name=path)


def unpack(
    data: bytes, *, kind: str, name: str = "<bytes>"
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Validate safetensors bytes written by :func:`pack` and return (arrays, metadata)."""

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"{name}: {problem}")

    if len(data) < 8:
        raise fail(f"not an mlplab {kind} file (only {len(data)} bytes)")
    (header_size,) = struct.unpack("<Q", data[:8])
    if header_size > MAX_HEADER_BYTES or 8 + header_size > len(data):
        raise fail(
            f"not an mlplab {kind} file, or truncated: its header claims {header_size} bytes "
            f"but the file has {len(data)}"
        )
    try:
        header = json.loads(data[8 : 8 + header_size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise fail(f"not an mlplab {kind} file (the header is not valid JSON)") from None
    if not isinstance(header, dict):
        raise fail(f"not an mlplab {kind} file (the header is not a JSON object)")
    meta = header.pop("__metadata__", None)
    if not isinstance(meta, dict) or "mlplab.kind" not in meta:
        raise fail(f"not an mlplab {kind} file (no mlplab metadata)")
    if meta.get("mlplab.kind") != kind:
        raise fail(f"is an mlplab {meta.get('mlplab.kind')!r} file, expected a {kind!r} file")
    version = meta.get("mlplab.format_version")
    if version != str(FORMAT_VERSION):
        raise fail(
            f"format version {version!r} is not supported by this mlplab (which reads "
            f"version {FORMAT_VERSION}); upgrade mlplab to read it"
        )
    payload = data[8 + header_size :]
    index = _validate_index(header, len(payload), fail)
    expected = meta.get("mlplab.sha256")
    if not isinstance(expected, str) or expected != _checksum(meta, index, payload):
        raise fail("checksum mismatch: the file is damaged (a changed or missing byte)")
    try:
        metadata = json.loads(meta["mlplab.json"])
    except (KeyError, TypeError, json.JSONDecodeError):
        raise fail("the mlplab metadata is missing or not valid JSON") from None
    if not isinstance(metadata, dict):
        raise fail("the mlplab metadata is not a JSON object")
    arrays = {}
    for tensor_name, (dtype_code, shape, start, stop) in index.items():
        dtype = np.dtype(ALLOWED_DTYPES[dtype_code]).newbyteorder("<")
        array = np.frombuffer(
            payload, dtype=dtype, count=(stop - start) // dtype.itemsize, offset=start
        )
        arrays[tensor_name] = array.reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    return arrays, metadata


def _validate_index(header: dict, payload_size: int, fail) -> dict[str, tuple]:
    """Check each tensor entry of a header; return name → (dtype, shape, start, stop)."""
    index = {}
    for tensor_name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise fail(f"tensor {tensor_name!r} has a malformed header entry")
        dtype_code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype_code not in ALLOWED_DTYPES:
            raise fail(
                f"tensor {tensor_name!r} has dtype {dtype_code!r}; allowed: "
                f"{', '.join(ALLOWED_DTYPES)}"
            )
        if not (
            isinstance(shape, list)
            and len(shape) <= 4
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            raise fail(f"tensor {tensor_name!r} has an invalid shape {shape!r}")
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            and 0 <= offsets[0] <= offsets[1] <= payload_size
        ):
            raise fail(f"tensor {tensor_name!r} has data offsets {offsets!r} outside the file")
        count = 1
        for dim in shape:
            count *= dim  # Python ints: no overflow, however large the declared shape
        if count * np.dtype(ALLOWED_DTYPES[dtype_code]).itemsize != offsets[1] - offsets[0]:
            raise fail(
                f"tensor {tensor_name!r}: shape {shape} does not match its "
                f"{offsets[1] - offsets[0]} bytes of data"
            )
        index[tensor_name] = (dtype_code, tuple(shape), offsets[0], offsets[1])
    spans = sorted((start, stop) for _, _, start, stop in index.values())
    position = 0
    for start, stop in spans:
        if start != position:
            raise fail("tensor data overlaps or leaves gaps")
        position = stop
    if position != payload_size:
        raise fail(f"{payload_size - position} unexpected bytes after the tensor data")
    return index


def _split(data: bytes) -> tuple[dict[str, tuple], bytes]:
    """The tensor index and payload of safetensors bytes that this module just wrote."""
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_size])
    header.pop("__metadata__", None)
    index = {
        name: (entry["dtype"], tuple(entry["shape"]), *entry["data_offsets"])
        for name, entry in header.items()
    }
    return index, data[8 + header_size :]


def _checksum(meta: Mapping[str, str], index: Mapping[str, tuple], payload: bytes) -> str:
    """SHA-256 over the mlplab metadata (but the checksum), the tensor index and the data."""
    digest = hashlib.sha256()
    fields = {key: value for key, value in meta.items() if key != "mlplab.sha256"}
    digest.update(json.dumps(fields, sort_keys=True).encode("utf-8"))
    digest.update(json.dumps({k: list(v) for k, v in sorted(index.items())}).encode("utf-8"))
    digest.update(payload)
    return digest.hexdigest()
