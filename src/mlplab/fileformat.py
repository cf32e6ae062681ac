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

Reading never builds anything from names in the file, and a file that is not mlplab's
(a pickle, an archive, a device) is refused from its first 8 bytes.

Writing produces the same bytes for the same content (sorted keys, fixed tensor order),
goes to a temporary file in the same folder, is flushed and fsynced, then
``os.replace``-d over the target: a reader sees the old file or the new one, never a
partial one, and a failed write leaves the old file untouched and no temporary behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

from .regular_files import NotARegularFileError, open_regular

__all__ = ["ModelFileError", "atomic_write_bytes", "pack", "read", "unpack", "write"]

FORMAT_VERSION = 1
#: Arrays in mlplab files are float parameters or small integer vectors; nothing else.
ALLOWED_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
MAX_HEADER_BYTES = 16 * 1024 * 1024


class ModelFileError(ValueError):
    """A model or checkpoint file that cannot be loaded: not mlplab's, damaged or unsafe."""


# ---------------------------------------------------------------------- writing
def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, ``os.replace``).

    The temporary file lives in the target's folder (``os.replace`` is atomic only within
    one file system) and is removed if anything fails, so a failed write leaves the old
    file as it was and nothing else behind. The new file gets the permissions of the file
    it replaces, or, for a new file, those ``open(path, "w")`` would give (0o666 less the
    umask) rather than the owner-only mode of :mod:`tempfile`.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    try:
        descriptor, temporary = _create_temporary(folder, os.path.basename(path))
    except OSError as error:  # no such folder, no permission, a full disk: say the file
        if error.errno is None:
            raise
        raise type(error)(error.errno, error.strerror, path) from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):  # e.g. a file system without permissions
                os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename in (None, temporary):
            # named by the file asked for, not by the hidden temporary that is gone
            raise type(error)(error.errno, error.strerror, path) from error
        raise
    # Make the rename itself durable where the platform allows opening a directory.
    with contextlib.suppress(OSError):
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _create_temporary(folder: str, base: str) -> tuple[int, str]:
    """Create a new hidden file ``.<base>.<random>.tmp`` in ``folder``; return (fd, path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{base}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file in {folder}")


def pack(tensors: Mapping[str, np.ndarray], metadata: Mapping[str, Any], *, kind: str) -> bytes:
    """Serialize arrays and JSON-able metadata to safetensors bytes with a checksum.

    The bytes are laid out as the safetensors format prescribes (8-byte little-endian
    header length, a JSON header padded with spaces to a multiple of 8 bytes, then the
    tensors' little-endian data back to back) and read by the safetensors library, but
    written here with sorted keys and a fixed tensor order: the same model always gives
    the same bytes (safetensors' own writer orders the metadata by a randomly seeded hash).
    """
    codes = {np.dtype(t).newbyteorder("<"): code for code, t in ALLOWED_DTYPES.items()}
    arrays = {}
    for name, array in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError(
                f"tensor names must be strings other than '__metadata__', got {name!r}"
            )
        array = np.asarray(array)
        if array.dtype.kind in "fi":
            # safetensors stores little-endian data; a big-endian array is converted first.
            array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        if array.dtype not in codes:
            raise TypeError(f"array {name!r} has dtype {array.dtype}, not float32/float64/int64")
        arrays[name] = np.ascontiguousarray(array)
    meta = {
        "mlplab.kind": kind,
        "mlplab.format_version": str(FORMAT_VERSION),
        "mlplab.json": json.dumps(metadata, sort_keys=True, allow_nan=True),
    }
    index = {}
    chunks = []
    position = 0
    # Widest dtypes first, as safetensors does, so every tensor's data is aligned.
    for name in sorted(arrays, key=lambda n: (-arrays[n].dtype.itemsize, n)):
        chunk = arrays[name].tobytes()
        index[name] = (
            codes[arrays[name].dtype],
            arrays[name].shape,
            position,
            position + len(chunk),
        )
        chunks.append(chunk)
        position += len(chunk)
    payload = b"".join(chunks)
    meta["mlplab.sha256"] = _checksum(meta, index, payload)
    header: dict[str, Any] = {"__metadata__": meta}
    for name, (code, shape, start, stop) in index.items():
        header[name] = {"dtype": code, "shape": list(shape), "data_offsets": [start, stop]}
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # safetensors aligns the data to 8 bytes
    return struct.pack("<Q", len(text)) + text + payload


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
    """Read and validate a file written by :func:`write`; return (arrays, metadata).

    The 8-byte header length is checked against the file size before the rest is read,
    so a large file that is not mlplab's (a pickle, an archive, a video) is refused
    without reading it whole; pipes and devices are refused without reading at all.
    """
    path = os.fspath(path)
    try:
        with open_regular(path, what=f"an mlplab {kind} file") as handle:
            info = os.fstat(handle.fileno())
            start = handle.read(8)
            if len(start) == 8:
                _check_header_size(start, info.st_size, kind, path)
            data = start + handle.read()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except NotARegularFileError as error:
        raise ModelFileError(str(error)) from None
    except (OSError, ValueError) as error:
        if isinstance(error, ModelFileError):
            raise
        if not isinstance(error, OSError):  # a path that the system cannot take ("a\0b")
            raise ModelFileError(f"{path!r}: not a usable file name ({error})") from None
        raise ModelFileError(f"{path}: cannot be read ({error.strerror})") from None
    return unpack(data, kind=kind, name=path)


def _check_header_size(start: bytes, size: int, kind: str, name: str) -> int:
    """The header length stored in the first 8 bytes, if it fits a file of ``size`` bytes."""
    (header_size,) = struct.unpack("<Q", start[:8])
    if header_size > MAX_HEADER_BYTES or 8 + header_size > size:
        raise ModelFileError(
            f"{name}: not an mlplab {kind} file, or truncated: its header claims "
            f"{header_size} bytes but the file has {size}"
        )
    return header_size


def unpack(
    data: bytes, *, kind: str, name: str = "<bytes>"
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Validate safetensors bytes written by :func:`pack` and return (arrays, metadata)."""

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"{name}: {problem}")

    if len(data) < 8:
        raise fail(f"not an mlplab {kind} file (only {len(data)} bytes)")
    header_size = _check_header_size(data, len(data), kind, name)
    try:
        header = json.loads(data[8 : 8 + header_size].decode("utf-8"))
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and integers too long to convert;
        # RecursionError, JSON nested deeper than the parser's stack.
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
    except (KeyError, TypeError, ValueError, RecursionError):
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


def _checksum(meta: Mapping[str, str], index: Mapping[str, tuple], payload: bytes) -> str:
    """SHA-256 over the mlplab metadata (but the checksum), the tensor index and the data."""
    digest = hashlib.sha256()
    fields = {key: value for key, value in meta.items() if key != "mlplab.sha256"}
    digest.update(json.dumps(fields, sort_keys=True).encode("utf-8"))
    digest.update(json.dumps({k: list(v) for k, v in sorted(index.items())}).encode("utf-8"))
    digest.update(payload)
    return digest.hexdigest()
