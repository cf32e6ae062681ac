"""Loading refuses every malformed, damaged or foreign file with a ModelFileError.

Nothing in a model file is ever imported, called or unpickled; names are looked up in the
registries' dicts, and the metadata and arrays are validated before a model is built.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import mlplab
import mlplab.fileformat as fileformat
from mlplab import ModelFileError, Network
from mlplab.persistence import dumps, loads

from ._models import classifier, data, regressor, repack, tiny_classifier, tiny_network

# ---------------------------------------------------------------------- damaged bytes


@pytest.fixture(scope="module")
def small_files() -> dict[str, bytes]:
    """The bytes of a tiny network file and of a tiny classifier file."""
    return {"network": dumps(tiny_network()), "classifier": dumps(tiny_classifier())}


@pytest.mark.parametrize("which", ["network", "classifier"])
def test_a_file_truncated_at_any_byte_is_refused(small_files, which):
    raw = small_files[which]
    assert len(raw) < 4000  # small enough to try every length
    for length in range(len(raw)):
        with pytest.raises(ModelFileError, match=r"truncated|only .* bytes|outside the file"):
            loads(raw[:length])


@pytest.mark.parametrize("which", ["network", "classifier"])
def test_any_flipped_bit_is_refused(small_files, which):
    raw = small_files[which]
    header_end = 8 + int.from_bytes(raw[:8], "little")
    for offset in range(len(raw)):
        for bit in range(8):
            damaged = bytearray(raw)
            damaged[offset] ^= 1 << bit
            with pytest.raises(ModelFileError) as caught:
                loads(bytes(damaged))
            if offset >= header_end:  # the tensor data: only the checksum can notice
                assert "checksum mismatch" in str(caught.value)


def test_trailing_bytes_are_refused(small_files):
    with pytest.raises(ModelFileError, match="4 unexpected bytes after the tensor data"):
        loads(small_files["network"] + b"\0\0\0\0")


def test_the_file_name_is_in_the_message(tmp_path, small_files):
    path = tmp_path / "broken.safetensors"
    path.write_bytes(small_files["network"][:-1])
    with pytest.raises(ModelFileError, match=r"broken.safetensors: .*outside the file"):
        mlplab.load(path)


# ---------------------------------------------------------------------- foreign files
class _LeavesAMark:
    """Unpickling this object would create a file: proof that pickle ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_renamed_to_safetensors_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pickle-ran"
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps(_LeavesAMark(str(marker))))
    # The payload is live: unpickling it really creates the marker (checked on a copy).
    pickle.loads(path.read_bytes()).close()
    assert marker.exists()
    marker.unlink()

    with pytest.raises(ModelFileError, match="not an mlplab model file"):
        mlplab.load(path)
    assert not marker.exists()


def test_an_npz_renamed_to_safetensors_is_refused(tmp_path):
    path = tmp_path / "model.safetensors"
    with open(path, "wb") as handle:
        np.savez(handle, theta=np.arange(9.0))
    assert zipfile.is_zipfile(path)
    with pytest.raises(ModelFileError, match="not an mlplab model file"):
        mlplab.load(path)


def test_a_checkpoint_is_not_a_model(tmp_path):
    path = tmp_path / "checkpoint.safetensors"
    fileformat.write(path, {"theta": np.zeros(3)}, {"epoch": 1}, kind="checkpoint")
    with pytest.raises(ModelFileError, match="is an mlplab 'checkpoint' file, expected a 'model'"):
        mlplab.load(path)


def test_a_plain_safetensors_file_is_refused(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "weights.safetensors"
    save_file({"theta_0": np.zeros(9)}, str(path))
    with pytest.raises(ModelFileError, match="no mlplab metadata"):
        mlplab.load(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "only 0 bytes"),
        (b"hello", "only 5 bytes"),
        (b"\x00" * 64, "the header is not valid JSON"),
        (struct.pack("<Q", 2) + b"[]", "the header is not a JSON object"),
        (struct.pack("<Q", 8) + b'{"a":1} ', "no mlplab metadata"),
    ],
)
def test_files_that_are_not_model_files(content, problem):
    with pytest.raises(ModelFileError, match=problem):
        loads(content)


def test_missing_files_directories_and_devices_are_refused(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        mlplab.load(tmp_path / "missing.safetensors")
    with pytest.raises(ModelFileError, match="is a directory"):
        mlplab.load(tmp_path)
    if not os.path.exists("/dev/zero"):
        return
    # A device would never end: it is refused before anything is read.
    with pytest.raises(ModelFileError, match="is a character device, not an mlplab model file"):
        mlplab.load("/dev/zero")


# ---------------------------------------------------------------------- crafted headers
def _valid_metadata() -> dict[str, str]:
    """The __metadata__ of a real model file (so only the tensor entries are wrong)."""
    raw = dumps(tiny_network())
    size = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8 : 8 + size])["__metadata__"]


def _craft(entries: dict, payload: bytes) -> bytes:
    """A file with the given tensor entries, a real model's metadata and ``payload``."""
    header = json.dumps({"__metadata__": _valid_metadata(), **entries}).encode()
    return struct.pack("<Q", len(header)) + header + payload


def test_a_header_declaring_a_huge_array_is_refused_without_allocating_it():
    entry = {"dtype": "F64", "shape": [10**12], "data_offsets": [0, 8 * 10**12]}
    with pytest.raises(ModelFileError, match=r"data offsets .* outside the file"):
        loads(_craft({"theta_0": entry}, b"\0" * 16))


def test_a_header_with_an_overflowing_shape_is_refused():
    # 2**32 * 2**32 * 8 bytes wraps to 0 in 64-bit arithmetic; Python ints do not wrap.
    entry = {"dtype": "F64", "shape": [2**32, 2**32], "data_offsets": [0, 0]}
    with pytest.raises(ModelFileError, match="does not match its 0 bytes of data"):
        loads(_craft({"theta_0": entry}, b""))
    entry = {"dtype": "F64", "shape": [-1, 2], "data_offsets": [0, 16]}
    with pytest.raises(ModelFileError, match="invalid shape"):
        loads(_craft({"theta_0": entry}, b"\0" * 16))


@pytest.mark.parametrize("code", ["F16", "BF16", "I32", "U8", "BOOL", "F8_E4M3", "object"])
def test_disallowed_dtypes_in_the_header_are_refused(code):
    entry = {"dtype": code, "shape": [4], "data_offsets": [0, 8]}
    with pytest.raises(ModelFileError, match=f"dtype '{code}'; allowed: F32, F64, I64"):
        loads(_craft({"theta_0": entry}, b"\0" * 8))


def test_overlapping_tensor_data_is_refused():
    entries = {
        "theta_0": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]},
        "theta_1": {"dtype": "F64", "shape": [2], "data_offsets": [8, 24]},
    }
    with pytest.raises(ModelFileError, match="overlaps or leaves gaps"):
        loads(_craft(entries, b"\0" * 24))


@pytest.mark.parametrize(
    "header",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a": ' + b"1" * 5000 + b"}", b'{"a": "\xff"}'],
    ids=["deeply-nested", "huge-integer", "bad-utf8"],
)
def test_headers_that_break_json_parsers_are_refused(header):
    header += b" " * (-len(header) % 8)
    with pytest.raises(ModelFileError, match="the header is not valid JSON"):
        loads(struct.pack("<Q", len(header)) + header)


# ---------------------------------------------------------------------- valid checksum, bad model
def test_weights_that_do_not_fit_the_layer_sizes_are_refused():
    def edit(arrays, metadata):
        metadata["networks"][0]["layer_sizes"] = [2, 3, 1]  # needs 13 weights, has 9

    with pytest.raises(ModelFileError, match=r"shape \(9,\), but layer sizes \[2, 3, 1\] need"):
        loads(repack(tiny_network(), edit))


def test_classes_that_do_not_fit_the_output_layer_are_refused():
    clf = tiny_classifier()

    def edit(arrays, metadata):
        metadata["estimator"]["classes"] = {"dtype": "int64", "values": [0, 1, 2]}
        metadata["estimator"]["target_type"] = "multiclass"

    with pytest.raises(ModelFileError, match=r"3 classes .* need 3 output units, but the network"):
        loads(repack(clf, edit))


def test_a_feature_count_that_does_not_fit_the_input_layer_is_refused():
    def edit(arrays, metadata):
        metadata["estimator"]["n_features_in"] = 5

    with pytest.raises(ModelFileError, match="5 features but its network has 2 inputs"):
        loads(repack(tiny_classifier(), edit))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused(value):
    def edit(arrays, metadata):
        arrays["theta_0"] = arrays["theta_0"].copy()
        arrays["theta_0"][4] = value

    with pytest.raises(ModelFileError, match="theta_0 holds NaN or infinite weights"):
        loads(repack(tiny_network(), edit))


def test_weights_of_another_dtype_are_refused():
    def edit(arrays, metadata):
        arrays["theta_0"] = arrays["theta_0"].astype(np.float32)

    with pytest.raises(ModelFileError, match="theta_0 has dtype float32, but the model's dtype"):
        loads(repack(tiny_network(), edit))

    def integers(arrays, metadata):
        arrays["theta_0"] = np.zeros(9, dtype=np.int64)

    with pytest.raises(ModelFileError, match="theta_0 has dtype int64"):
        loads(repack(tiny_network(), integers))


@pytest.mark.parametrize("dtype", ["float16", "int64", "object", "<f8"])
def test_a_model_dtype_other_than_float32_or_float64_is_refused(dtype):
    def edit(arrays, metadata):
        metadata["dtype"] = dtype

    with pytest.raises(ModelFileError, match="dtype must be one of"):
        loads(repack(tiny_network(), edit))


def test_a_newer_model_format_version_is_refused():
    def edit(arrays, metadata):
        metadata["format_version"] = 3

    with pytest.raises(ModelFileError, match=r"model format version 3 is newer.*upgrade mlplab"):
        loads(repack(tiny_network(), edit))


def test_a_newer_container_format_version_is_refused(monkeypatch):
    monkeypatch.setattr(fileformat, "FORMAT_VERSION", 7)
    raw = dumps(tiny_network())
    monkeypatch.undo()
    with pytest.raises(ModelFileError, match=r"format version '7' is not supported.*upgrade"):
        loads(raw)


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("activation", "__import__"),
        ("activation", "os.system"),
        ("activation", "softmax"),
        ("output", "relu"),
        ("output", "eval"),
    ],
)
def test_unknown_activation_and_output_names_are_refused(field, name):
    def edit(arrays, metadata):
        metadata["networks"][0][field] = name

    with pytest.raises(ModelFileError, match=f"unknown {field} '{name}'; valid {field}s are"):
        loads(repack(tiny_network(), edit))


def test_unknown_model_types_are_refused():
    def edit(arrays, metadata):
        metadata["model_type"] = "sklearn.neural_network.MLPClassifier"

    with pytest.raises(ModelFileError, match=r"unknown model_type 'sklearn.neural_network"):
        loads(repack(tiny_network(), edit))


def test_unknown_and_invalid_parameters_are_refused():
    clf = tiny_classifier()

    def unknown(arrays, metadata):
        metadata["estimator"]["params"]["__class__"] = "os.system"

    with pytest.raises(ModelFileError, match=r"parameters \['__class__'\] that MLPClassifier"):
        loads(repack(clf, unknown))

    def invalid(arrays, metadata):
        metadata["estimator"]["params"]["alpha"] = -1.0

    with pytest.raises(ModelFileError, match=r"not valid MLPClassifier parameters.*alpha"):
        loads(repack(clf, invalid))

    def structured(arrays, metadata):
        metadata["estimator"]["params"]["callbacks"] = {"module": "os", "name": "system"}

    with pytest.raises(ModelFileError, match=r"params.callbacks has a value of unexpected type"):
        loads(repack(clf, structured))


def test_extra_and_missing_tensors_are_refused():
    def extra(arrays, metadata):
        arrays["payload"] = np.zeros(3)

    with pytest.raises(ModelFileError, match=r"unexpected \['payload'\]"):
        loads(repack(tiny_network(), extra))

    def missing(arrays, metadata):
        metadata["networks"].append(dict(metadata["networks"][0]))

    with pytest.raises(ModelFileError, match=r"missing \['theta_1'\]"):
        loads(repack(tiny_network(), missing))


@pytest.mark.parametrize(
    ("classes", "problem"),
    [
        ({"dtype": "str", "values": ["b", "a"]}, "sorted and distinct"),
        ({"dtype": "str", "values": ["a", "a"]}, "sorted and distinct"),
        ({"dtype": "int64", "values": ["0", "1"]}, "do not all fit the dtype 'int64'"),
        ({"dtype": "int8", "values": [0, 300]}, "do not all fit the dtype 'int8'"),
        ({"dtype": "bool", "values": [0, 1]}, "do not all fit the dtype 'bool'"),
        ({"dtype": "float64", "values": [0.5, 1.5]}, "are 'continuous', not 'binary'"),
        ({"dtype": "datetime64", "values": [0, 1]}, "classes.dtype must be one of"),
        ({"dtype": "str", "values": []}, "non-empty list"),
    ],
)
def test_malformed_classes_are_refused(classes, problem):
    def edit(arrays, metadata):
        metadata["estimator"]["classes"] = classes

    with pytest.raises(ModelFileError, match=problem):
        loads(repack(tiny_classifier(), edit))


def test_malformed_training_summaries_are_refused():
    def edit(arrays, metadata):
        metadata["estimator"]["training"]["loss_curve_"] = ["0.5"]

    with pytest.raises(ModelFileError, match=r"training.loss_curve_ has a value of the wrong type"):
        loads(repack(tiny_classifier(), edit))

    def history(arrays, metadata):
        metadata["estimator"]["training"]["history"]["rows"] = [{"unknown": 1.0}]

    with pytest.raises(ModelFileError, match=r"history.rows must be objects mapping its columns"):
        loads(repack(tiny_classifier(), history))


def test_mismatched_feature_names_are_refused():
    def edit(arrays, metadata):
        metadata["estimator"]["feature_names"] = ["only-one"]

    with pytest.raises(ModelFileError, match="1 feature names for 2 features"):
        loads(repack(tiny_classifier(), edit))


def test_a_network_file_with_an_estimator_section_is_refused():
    def edit(arrays, metadata):
        metadata["estimator"] = {}

    with pytest.raises(ModelFileError, match="must not have an 'estimator' section"):
        loads(repack(tiny_network(), edit))


def test_a_regressor_file_with_a_classifier_output_is_refused():
    reg = regressor(np.arange(10.0), data(10, 2))

    def edit(arrays, metadata):
        metadata["networks"][0]["output"] = "sigmoid"

    with pytest.raises(ModelFileError, match="a regressor's network must have the identity"):
        loads(repack(reg, edit))


def test_a_one_vs_one_file_with_too_few_networks_is_refused():
    clf = classifier(np.arange(45) % 3, multiclass="ovo")

    def edit(arrays, metadata):
        del metadata["estimator"]["multiclass"]["estimators"][-1]
        del metadata["networks"][-1]
        del arrays["theta_2"]

    with pytest.raises(ModelFileError, match="with 3 classes needs 3 binary estimators, got 2"):
        loads(repack(clf, edit))


def test_networks_shared_by_two_estimators_are_refused():
    clf = classifier(np.arange(45) % 3, multiclass="ovr")

    def edit(arrays, metadata):
        metadata["estimator"]["multiclass"]["estimators"][1]["network"] = 0

    with pytest.raises(ModelFileError, match="must be the index of an unused network, got 0"):
        loads(repack(clf, edit))


def test_nothing_is_built_from_a_refused_file(monkeypatch):
    """Validation happens first: a bad last network stops loading before any is built."""
    clf = classifier(np.arange(45) % 3, multiclass="ovr")

    def edit(arrays, metadata):
        arrays["theta_2"] = arrays["theta_2"].copy()
        arrays["theta_2"][-1] = np.nan

    raw = repack(clf, edit)
    built = []
    original_init = Network.__init__

    def counting_init(self, *args, **kwargs):
        built.append(args)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(Network, "__init__", counting_init)
    with pytest.raises(ModelFileError, match="theta_2 holds NaN"):
        loads(raw)
    assert built == []


def test_model_file_error_is_a_value_error_exported_at_the_top():
    assert mlplab.ModelFileError is fileformat.ModelFileError
    assert issubclass(ModelFileError, ValueError)
    with pytest.raises(ValueError, match="not an mlplab model file"):
        loads(b"\x80" * 16)
