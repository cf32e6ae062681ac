"""The shared container: atomic writes, permissions, deterministic safetensors bytes."""

from __future__ import annotations

import errno
import os
import stat

import numpy as np
import pytest

import mlplab
import mlplab.fileformat as fileformat
from mlplab import Network
from mlplab.persistence import dumps

from ._models import classifier, data


def _no_temporaries(folder) -> bool:
    return not [name for name in os.listdir(folder) if name.endswith(".tmp")]


@pytest.fixture
def saved(tmp_path):
    """A folder with a model file in it, and that file's bytes."""
    path = tmp_path / "model.safetensors"
    mlplab.save(Network([2, 3, 1], random_state=0), path)
    return path, path.read_bytes()


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("step", ["replace", "fsync", "fdopen"])
def test_a_failed_save_leaves_the_old_file_and_no_temporary(saved, monkeypatch, step):
    # Tests run as root, which ignores permission bits, so the failure is simulated where
    # it would strike: the final rename, the flush to disk, or the write itself.
    path, before = saved
    if step == "fdopen":

        class FullDisk:
            def __init__(self, descriptor, mode):
                self.descriptor = descriptor

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                os.close(self.descriptor)

            write = staticmethod(_disk_full)

        monkeypatch.setattr(fileformat.os, "fdopen", FullDisk)
    else:
        monkeypatch.setattr(fileformat.os, step, _disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        mlplab.save(Network([2, 5, 1], random_state=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _no_temporaries(path.parent)
    assert mlplab.load(path).layer_sizes == (2, 3, 1)


def test_an_interrupted_save_leaves_the_old_file_and_no_temporary(saved, monkeypatch):
    path, before = saved

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileformat.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mlplab.save(Network([2, 5, 1], random_state=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _no_temporaries(path.parent)


def test_saving_into_a_missing_folder_raises_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        mlplab.save(Network([2, 1]), tmp_path / "missing" / "model.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_saving_over_a_directory_fails_cleanly(tmp_path):
    target = tmp_path / "folder"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        mlplab.save(Network([2, 1]), target)
    assert _no_temporaries(tmp_path)
    assert target.is_dir()


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_file_keeps_its_own(tmp_path):
    umask = os.umask(0o022)
    try:
        path = tmp_path / "model.safetensors"
        mlplab.save(Network([2, 1]), path)
        # What open(path, "w") gives, not tempfile's owner-only 0o600.
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)
        mlplab.save(Network([2, 1], random_state=3), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(umask)


def test_the_same_model_always_gives_the_same_bytes():
    clf = classifier(np.array(["a", "b"])[np.arange(30) % 2])
    assert dumps(clf) == dumps(clf)
    net = Network([3, 4, 2], random_state=0)
    assert dumps(net) == dumps(net.copy())


def test_files_are_standard_safetensors(tmp_path):
    from safetensors import safe_open
    from safetensors.numpy import load_file

    net = Network([3, 4, 2], random_state=0, dtype=np.float32)
    path = tmp_path / "net.safetensors"
    mlplab.save(net, path)
    arrays = load_file(str(path))
    assert set(arrays) == {"theta_0"}
    assert arrays["theta_0"].dtype == np.float32
    assert np.array_equal(arrays["theta_0"], net.theta)
    with safe_open(str(path), framework="numpy") as handle:
        assert handle.metadata()["mlplab.kind"] == "model"


def test_pack_aligns_mixed_dtypes_and_converts_big_endian_arrays():
    tensors = {
        "a": np.arange(3, dtype=np.float32),
        "b": np.arange(3, dtype=">f8"),
        "c": np.arange(2, dtype=np.int64),
    }
    raw = fileformat.pack(tensors, {"x": [1, 2]}, kind="checkpoint")
    header_size = int.from_bytes(raw[:8], "little")
    assert header_size % 8 == 0
    arrays, metadata = fileformat.unpack(raw, kind="checkpoint")
    assert metadata == {"x": [1, 2]}
    for name, array in tensors.items():
        assert arrays[name].dtype.isnative
        assert np.array_equal(arrays[name], array)
    with pytest.raises(TypeError, match="has dtype int32, not float32/float64/int64"):
        fileformat.pack({"d": np.arange(2, dtype=np.int32)}, {}, kind="checkpoint")
    with pytest.raises(ValueError, match="other than '__metadata__'"):
        fileformat.pack({"__metadata__": np.zeros(1)}, {}, kind="checkpoint")


def test_a_large_foreign_file_is_refused_from_its_first_bytes(tmp_path, monkeypatch):
    path = tmp_path / "video.safetensors"
    path.write_bytes(b"\x1aE\xdf\xa3" + b"\0" * (1 << 20))
    reads = []
    real_open = fileformat.open_regular

    class Recorder:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def fileno(self):
            return self.handle.fileno()

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

    monkeypatch.setattr(
        fileformat, "open_regular", lambda p, what: Recorder(real_open(p, what=what))
    )
    with pytest.raises(mlplab.ModelFileError, match="not an mlplab model file, or truncated"):
        mlplab.load(path)
    assert reads == [8]


def test_checkpoints_still_read_what_they_write(tmp_path):
    path = tmp_path / "checkpoint-000001.safetensors"
    fileformat.write(path, {"theta": data(2, 3).ravel()}, {"epoch": 1}, kind="checkpoint")
    arrays, metadata = fileformat.read(path, kind="checkpoint")
    assert metadata == {"epoch": 1}
    assert arrays["theta"].shape == (6,)
