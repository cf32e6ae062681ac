"""Model files: atomic saves, and loads that refuse everything but a whole mlplab model.

The promises are safetensors' (data only: a file can hold numbers, never code) and those
of an atomic writer (a reader sees the old file or the new one, never a mix). Every load
failure is the one type ModelFileError, raised before anything is allocated or built,
never a raw KeyError or ValueError, never a crash, never a silently different model.
"""

from __future__ import annotations

import collections
import copy
import errno
import io
import json
import os
import pickle
import struct
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import mlplab
import mlplab.fileformat as fileformat
from mlplab import MLPClassifier, ModelFileError, Network
from mlplab.persistence import dumps, loads

from ._helpers import DELETE, ODD_VALUES, blobs, json_paths, quiet_fit, replaced


@pytest.fixture(scope="module")
def classifier() -> MLPClassifier:
    """A small fitted classifier with string labels (every metadata section present)."""
    X, y = blobs(30, 2, 3, seed=3)
    labels = np.array(["ant", "bee", "cat"])[y]
    return quiet_fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0), X, labels)


@pytest.fixture(scope="module")
def network() -> Network:
    """A 2-2-1 network: a file of a few hundred bytes, small enough to damage bit by bit."""
    return Network([2, 2, 1], activation="tanh", output="sigmoid", random_state=0)


def _craft(edit, model) -> bytes:
    """The model's file with ``edit(arrays, metadata)`` applied and a *valid* checksum.

    The checksum is only a guard against accidents; whoever crafts a file can recompute
    it, so everything behind it must be validated as well.
    """
    arrays, metadata = fileformat.unpack(dumps(model), kind="model")
    arrays, metadata = dict(arrays), copy.deepcopy(metadata)
    edit(arrays, metadata)
    return fileformat.pack(arrays, metadata, kind="model")


def _raw_file(entries: dict, payload: bytes, metadata: dict | None = None) -> bytes:
    """A safetensors container with the given tensor entries and payload, checksum right."""
    meta = dict(metadata or {})
    index = {
        name: (e["dtype"], tuple(e["shape"]), *e["data_offsets"]) for name, e in entries.items()
    }
    meta.setdefault("mlplab.kind", "model")
    meta.setdefault("mlplab.format_version", str(fileformat.FORMAT_VERSION))
    meta.setdefault("mlplab.json", "{}")
    meta["mlplab.sha256"] = fileformat._checksum(meta, index, payload)
    header = json.dumps({"__metadata__": meta, **entries}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + payload


# ---------------------------------------------------------------------- atomic saves
class _FailingFile(io.FileIO):
    """A file whose second write fails with ENOSPC, after half the data went to disk."""

    def write(self, data):
        half = len(data) // 2
        super().write(bytes(data)[:half])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _fail_writing(monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda fd, mode="r", *a, **k: _FailingFile(fd, "w", closefd=True)
    )
    return real_fdopen


def _fail_fsync(monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def _fail_replace(monkeypatch):
    def replace(source, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize(
    "fail", [_fail_writing, _fail_fsync, _fail_replace], ids=["write", "fsync", "rename"]
)
def test_a_failed_save_leaves_the_previous_file_and_no_temporary(
    tmp_path, monkeypatch, classifier, network, fail
):
    path = tmp_path / "model.safetensors"
    mlplab.save(network, path)
    previous = path.read_bytes()
    fail(monkeypatch)
    with pytest.raises(OSError, match=r"\[Errno 28\] No space left on device"):
        mlplab.save(classifier, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["model.safetensors"]  # no temporary left behind
    assert path.read_bytes() == previous
    assert np.array_equal(mlplab.load(path).theta, network.theta)


def test_a_failed_first_save_leaves_no_file_at_all(tmp_path, monkeypatch, network):
    _fail_replace(monkeypatch)
    with pytest.raises(OSError, match="No space left on device"):
        mlplab.save(network, tmp_path / "model.safetensors")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_a_save_replaces_the_file_whole_and_keeps_its_permissions(tmp_path, classifier, network):
    path = tmp_path / "model.safetensors"
    mlplab.save(network, path)
    os.chmod(path, 0o640)
    mlplab.save(classifier, path)
    assert os.listdir(tmp_path) == ["model.safetensors"]
    assert path.read_bytes() == dumps(classifier)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)


# ---------------------------------------------------------------------- damaged bytes
def test_a_file_truncated_at_every_byte_offset_is_refused(tmp_path, classifier):
    raw = dumps(classifier)
    assert len(raw) < 5000
    problem = r"model.safetensors: .*(truncated|only \d+ bytes|outside)"
    for length in range(len(raw)):  # the bytes of every truncation, read from memory
        with pytest.raises(ModelFileError, match=problem):
            loads(raw[:length], name="model.safetensors")
    # and from disk, where the header length is checked against the file's size first
    path = tmp_path / "model.safetensors"
    for length in [*range(16), *range(16, len(raw), 97), len(raw) - 1]:
        path.write_bytes(raw[:length])
        with pytest.raises(ModelFileError, match=problem):
            mlplab.load(path)
    path.write_bytes(raw)
    X = np.zeros((2, 2))
    assert np.array_equal(mlplab.load(path).predict(X), classifier.predict(X))


def test_every_single_bit_flip_is_refused(network):
    raw = dumps(network)
    header_end = 8 + int.from_bytes(raw[:8], "little")
    for offset in range(len(raw)):
        for bit in range(8):
            damaged = bytearray(raw)
            damaged[offset] ^= 1 << bit
            with pytest.raises(ModelFileError) as caught:
                loads(bytes(damaged))
            assert type(caught.value) is ModelFileError
            if offset >= header_end:  # the weights themselves: only the checksum can tell
                assert "checksum mismatch: the file is damaged" in str(caught.value)


def test_trailing_bytes_are_refused(network):
    with pytest.raises(
        ModelFileError, match=r"^<bytes>: 3 unexpected bytes after the tensor data$"
    ):
        loads(dumps(network) + b"abc")


# ---------------------------------------------------------------------- crafted headers
def _peak_allocation(action) -> int:
    """The peak of Python's traced allocations (bytes) while ``action`` runs."""
    tracemalloc.start()
    try:
        action()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_a_header_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    entry = {"dtype": "F64", "shape": [10**6, 10**6], "data_offsets": [0, 8 * 10**12]}
    path = tmp_path / "huge.safetensors"
    path.write_bytes(_raw_file({"theta_0": entry}, b"\0" * 64))

    def load():
        with pytest.raises(ModelFileError, match=r"data offsets \[0, 8000000000000\] outside"):
            mlplab.load(path)

    assert _peak_allocation(load) < 1_000_000


def test_a_header_length_beyond_the_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "claims.safetensors"
    path.write_bytes(struct.pack("<Q", 2**63) + b"{}" + b"\0" * 4096)

    def load():
        with pytest.raises(ModelFileError, match=r"its header claims 9223372036854775808 bytes"):
            mlplab.load(path)

    assert _peak_allocation(load) < 100_000


def test_an_overflowing_shape_is_refused():
    # 2**32 · 2**32 · 8 bytes is 0 in 64-bit arithmetic; the check must not wrap around
    entry = {"dtype": "F64", "shape": [2**32, 2**32], "data_offsets": [0, 0]}
    with pytest.raises(ModelFileError, match=r"shape \[4294967296, 4294967296\] does not match"):
        loads(_raw_file({"theta_0": entry}, b""))


def test_layer_sizes_that_would_need_exabytes_are_refused_before_building(network):
    def edit(arrays, metadata):
        metadata["networks"][0]["layer_sizes"] = [10**9, 10**9, 1]

    raw = _craft(edit, network)

    def load():
        with pytest.raises(ModelFileError, match=r"the weights do not fit the architecture"):
            loads(raw)

    assert _peak_allocation(load) < 1_000_000


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda a, m: m["networks"][0].update(layer_sizes=[2, 3, 1]),
            r"theta_0 has shape \(9,\), but layer sizes \[2, 3, 1\] need \(13,\)",
        ),
        (
            lambda a, m: a.update(theta_0=np.where(np.arange(9) == 4, np.nan, a["theta_0"])),
            "theta_0 holds NaN or infinite weights",
        ),
        (
            lambda a, m: a.update(theta_0=np.full(9, np.inf)),
            "theta_0 holds NaN or infinite weights",
        ),
        (
            lambda a, m: a.update(theta_0=a["theta_0"].astype(np.float32)),
            "theta_0 has dtype float32, but the model's dtype is float64",
        ),
        (
            lambda a, m: m.update(format_version=3),
            r"model format version 3 is newer than this mlplab reads \(version 2\)",
        ),
        (lambda a, m: m.update(dtype="object"), r"dtype must be one of \['float32', 'float64'\]"),
        (lambda a, m: m.pop("networks"), "the metadata is missing networks"),
        (lambda a, m: m.update(networks={"0": {}}), "'networks' must be a non-empty list"),
    ],
    ids=[
        "inconsistent-layer-shapes",
        "nan-weight",
        "inf-weights",
        "other-dtype",
        "newer-format",
        "object-dtype",
        "missing-key",
        "wrong-type",
    ],
)
def test_a_model_that_is_not_valid_is_refused_despite_a_valid_checksum(network, edit, problem):
    with pytest.raises(ModelFileError, match=problem) as caught:
        loads(_craft(edit, network))
    assert type(caught.value) is ModelFileError


@pytest.mark.parametrize("code", ["F16", "BF16", "I8", "U8", "BOOL", "O", "F8_E5M2"])
def test_disallowed_dtypes_are_refused(code):
    entry = {"dtype": code, "shape": [8], "data_offsets": [0, 8]}
    with pytest.raises(ModelFileError, match=f"dtype '{code}'; allowed: F32, F64, I64"):
        loads(_raw_file({"theta_0": entry}, b"\0" * 8))


def test_an_unknown_container_version_is_refused():
    raw = _raw_file({}, b"", {"mlplab.format_version": "2"})
    with pytest.raises(ModelFileError, match=r"format version '2' is not supported.*upgrade"):
        loads(raw)


# ---------------------------------------------------------------------- foreign files
class _LeavesAMark:
    """Unpickling this object creates a file: proof that a loader ran pickle."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _pickle_file(path, marker):
    path.write_bytes(pickle.dumps(_LeavesAMark(os.fspath(marker))))


def _torch_style_zip(path, marker):
    """What torch.save writes: a zip archive whose data.pkl is a pickle."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(_LeavesAMark(os.fspath(marker))))
        archive.writestr("archive/version", "3\n")


def _npz_with_object_array(path, marker):
    with open(path, "wb") as handle:
        np.savez(handle, theta=np.array([_LeavesAMark(os.fspath(marker))], dtype=object))


def _unpickle(path):
    pickle.loads(path.read_bytes()).close()


def _torch_load(path):
    with zipfile.ZipFile(path) as archive:
        pickle.loads(archive.read("archive/data.pkl")).close()


def _numpy_load_with_pickle(path):
    with np.load(path, allow_pickle=True) as archive:
        archive["theta"][0].close()


@pytest.mark.parametrize(
    ("write", "run"),
    [
        (_pickle_file, _unpickle),
        (_torch_style_zip, _torch_load),
        (_npz_with_object_array, _numpy_load_with_pickle),
    ],
    ids=["pickle", "torch", "npz"],
)
def test_foreign_payloads_renamed_to_the_model_extension_never_run(tmp_path, write, run):
    marker = tmp_path / "payload-ran"
    path = tmp_path / "model.safetensors"
    write(path, marker)
    before = path.read_bytes()
    with pytest.raises(ModelFileError, match=r"model.safetensors: not an mlplab model file"):
        mlplab.load(path)
    assert not marker.exists()
    assert path.read_bytes() == before
    # The payload is live: the loader it was made for runs it and leaves the marker.
    run(path)
    assert marker.exists()


@pytest.mark.parametrize(
    ("where", "name"),
    [
        ("activation", "os.system"),
        ("activation", "__import__"),
        ("activation", "builtins.eval"),
        ("output", "subprocess.Popen"),
        ("output", "numpy.load"),
    ],
)
def test_names_in_a_header_never_import_or_call_anything(network, where, name):
    """Names are looked up in the registries' dicts; an audit hook sees no import or exec."""
    raw = _craft(lambda a, m: m["networks"][0].update({where: name}), network)
    loads(dumps(network))  # everything loading needs is imported before watching
    events = _audited(lambda: pytest.raises(ModelFileError, match=f"unknown {where} '{name}'"), raw)
    assert events == []


def test_estimator_parameters_in_a_header_never_import_or_call_anything(classifier):
    def edit(arrays, metadata):
        metadata["estimator"]["params"]["activation"] = "os.system"
        metadata["estimator"]["params"]["callbacks"] = ["subprocess.Popen"]

    raw = _craft(edit, classifier)
    loads(dumps(classifier))
    events = _audited(lambda: pytest.raises(ModelFileError, match=r"estimator\.params"), raw)
    assert events == []


#: Audit events that would mean a file made the loader run code.
_WATCHED = {
    "import",
    "exec",
    "compile",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "subprocess.Popen",
    "pickle.find_class",
    "ctypes.dlopen",
    "marshal.loads",
}
_AUDIT = {"watching": False, "events": []}


def _audit_hook(event, args):
    if _AUDIT["watching"] and event in _WATCHED:
        _AUDIT["events"].append((event, repr(args)[:200]))


sys.addaudithook(_audit_hook)  # process-wide and permanent, but records only when watching


def _audited(expectation, raw: bytes) -> list:
    """The watched audit events raised while ``loads(raw)`` is refused as expected."""
    _AUDIT["events"] = []
    _AUDIT["watching"] = True
    try:
        with expectation():
            loads(raw)
    finally:
        _AUDIT["watching"] = False
    return _AUDIT["events"]


def test_the_audit_hook_sees_code_being_loaded(tmp_path, monkeypatch):
    """The control for the two tests above: the hook does record imports and unpickling."""
    (tmp_path / "reliability_probe_module.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "reliability_probe_module", raising=False)
    _AUDIT["events"] = []
    _AUDIT["watching"] = True
    try:
        pickle.loads(pickle.dumps(collections.OrderedDict()))
        __import__("reliability_probe_module")  # what an import statement calls
    finally:
        _AUDIT["watching"] = False
        sys.modules.pop("reliability_probe_module", None)
    seen = {event for event, _ in _AUDIT["events"]}
    assert {"pickle.find_class", "import"} <= seen


def _fifo(folder: Path) -> Path:
    path = folder / "model.safetensors"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda tmp: tmp / "missing.safetensors", "no such file"),
        (lambda tmp: tmp, "is a directory, not an mlplab model file"),
        (lambda tmp: "/dev/zero", "is a character device, not an mlplab model file"),
        (_fifo, "is a named pipe, not an mlplab model file"),
        (lambda tmp: "a\0b.safetensors", "not a usable file name"),
    ],
    ids=["missing", "directory", "device", "named-pipe", "null-byte"],
)
def test_every_load_failure_is_a_model_file_error(tmp_path, make, problem):
    """Refused at once: a named pipe without a writer would block an ``open()`` for ever."""
    with pytest.raises(ModelFileError, match=problem) as caught:
        mlplab.load(make(tmp_path))
    assert type(caught.value) is ModelFileError


# ---------------------------------------------------------------------- a sweep of bad metadata
@pytest.fixture(scope="module")
def one_vs_rest() -> MLPClassifier:
    X, y = blobs(30, 2, 3, seed=4)
    return quiet_fit(
        MLPClassifier(hidden_layer_sizes=(2,), max_iter=2, random_state=0, multiclass="ovr"), X, y
    )


@pytest.mark.parametrize("which", ["classifier", "one_vs_rest"])
def test_any_metadata_entry_of_any_type_is_refused_or_loads_a_working_model(request, which):
    """Every entry of the metadata replaced by values of every JSON type, or deleted.

    With a valid checksum each time, so the model-level validation alone decides: the
    file is refused with a ModelFileError, or it loads a model that predicts. Nothing else
    (no KeyError, TypeError, AttributeError, no model that fails later) is allowed.
    """
    model = request.getfixturevalue(which)
    arrays, metadata = fileformat.unpack(dumps(model), kind="model")
    X = np.zeros((3, 2))
    outcomes = {"refused": 0, "loaded": 0}
    # Entries of a list after the first are alike (networks, history rows, sub-estimators).
    paths = [p for p in json_paths(metadata) if not any(isinstance(k, int) and k for k in p)]
    for path in paths:
        for value in (*ODD_VALUES, DELETE):
            raw = fileformat.pack(arrays, replaced(metadata, path, value), kind="model")
            try:
                loaded = loads(raw)
            except ModelFileError:
                outcomes["refused"] += 1
                continue
            outcomes["loaded"] += 1
            loaded.predict(X)
            if hasattr(loaded, "predict_proba"):
                loaded.predict_proba(X)
    assert outcomes["refused"] > outcomes["loaded"] > 0


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda m: m["estimator"]["params"].update(dtype={}),
            r"estimator.params.dtype must be one of \['float32', 'float64'\], got \{\}",
        ),
        (
            lambda m: m["estimator"]["multiclass"].update(strategy="ovo"),
            r"estimator.params.multiclass is 'ovr', but the model is built multiclass='ovo'",
        ),
        (
            lambda m: m["estimator"]["multiclass"]["estimators"][0]["params"].update(
                multiclass="ovo"
            ),
            r"estimators\[0\] must be a binary 0/1 classifier \(multiclass='native'\)",
        ),
    ],
    ids=["unhashable-dtype", "structure-not-the-parameter", "sub-estimator-not-native"],
)
def test_inconsistent_estimator_sections_are_refused(one_vs_rest, edit, problem):
    def apply(arrays, metadata):
        edit(metadata)

    with pytest.raises(ModelFileError, match=problem):
        loads(_craft(apply, one_vs_rest))
