"""load_csv from bytes and open files (an upload): the same data and the same refusals as a file."""

from __future__ import annotations

import io

import numpy as np
import pytest

from mlplab.datasets import CSVFormatError, load_csv, read_csv_table

from ..reliability.test_csv_and_cli import BAD_CSV

#: More refusals than the command-line cases (each stage of the reader once):
#: name → (content, keywords of load_csv).
MORE_BAD = {
    "text-feature": (b"colour,b,label\nred,2,x\n", {}),
    "overflowing-number": (b"a,b,label\n1e400,2,x\n", {}),
    "empty-cell": (b"a,b,label\n1,,x\n", {}),
    "empty-column-name": (b"a,,label\n1,2,x\n", {}),
    "one-column": (b"a;b;label\n1;2;x\n", {}),
    "malformed-quote": (b'a,b,label\n1,"2"x,y\n', {}),
    "bom-then-bad-cell": (b"\xef\xbb\xbfa,b,label\r\n1,0x10,y\r\n", {}),
    "drop-the-target": (b"a,b,label\n1,2,x\n", {"drop": ["label"]}),
    "drop-a-missing-column": (b"a,b,label\n1,2,x\n", {"drop": ["id"]}),
}
CASES = {
    case: (content, {"target": target} if target else {})
    for case, (content, target, _) in BAD_CSV.items()
} | MORE_BAD
GOOD = b"weight_kg,length_cm,species\r\n4.2,48,cat\r\n\r\n30,90.5,dog\r\n 5 , 51 , cat \r\n"


def _refusal(source, keywords=None, **name) -> CSVFormatError:
    with pytest.raises(CSVFormatError) as caught:
        load_csv(source, **(keywords or {}), **name)
    return caught.value


def _place(error: CSVFormatError) -> tuple:
    return error.path, error.reason, error.line, error.column, error.column_name


@pytest.mark.parametrize("case", CASES)
def test_bytes_and_open_files_are_refused_as_the_file_is(tmp_path, case):
    content, keywords = CASES[case]
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    from_file = _refusal(path, keywords, name="upload.csv")
    assert str(from_file).startswith("upload.csv")  # the name given, not the path
    for source in (content, bytearray(content), memoryview(content), io.BytesIO(content)):
        from_bytes = _refusal(source, keywords, name="upload.csv")
        assert str(from_bytes) == str(from_file)
        assert _place(from_bytes) == _place(from_file)
    if case != "invalid-utf8":  # text has no invalid bytes to point at
        text = io.StringIO(content.decode("utf-8-sig"))
        assert str(_refusal(text, keywords, name="upload.csv")) == str(from_file)


def test_a_file_object_is_named_by_its_own_name(tmp_path):
    content = BAD_CSV["non-numeric"][0]
    path = tmp_path / "mine.csv"
    path.write_bytes(content)
    with open(path, "rb") as handle:
        assert str(_refusal(handle)) == str(_refusal(path))
    assert str(_refusal(content)).startswith("<bytes>, line 3, column 2 ('b')")
    assert str(_refusal(io.BytesIO(content))).startswith("<file object>, line 3")


@pytest.mark.parametrize(
    "make",
    [bytes, io.BytesIO, lambda content: io.StringIO(content.decode())],
    ids=["bytes", "binary-file", "text-file"],
)
def test_the_data_read_from_content_equals_the_data_read_from_the_file(tmp_path, make):
    path = tmp_path / "animals.csv"
    path.write_bytes(GOOD)
    expected = load_csv(path)
    got = load_csv(make(GOOD), name="animals.csv")
    np.testing.assert_array_equal(got.X, expected.X)
    np.testing.assert_array_equal(got.y, expected.y)
    assert got.feature_names == expected.feature_names == ("weight_kg", "length_cm")
    assert got.name == expected.name == "animals"
    assert got.class_names == ("cat", "dog")
    assert got.description == "3 rows read from animals.csv; target column 'species'."
    # the one reader underneath: rows keep their editor line numbers
    assert [line for line, _ in read_csv_table(GOOD).rows] == [2, 4, 5]


def test_what_is_not_csv_data_is_named():
    with pytest.raises(TypeError, match="must be a path, bytes or an open file, got 3"):
        load_csv(3)
    with pytest.raises(FileNotFoundError, match=r"no such CSV file: 'shown\.csv'"):
        load_csv("/nonexistent/x.csv", name="shown.csv")
