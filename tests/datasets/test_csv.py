"""load_csv: valid files, and one test per malformed case with its exact message."""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from mlplab.datasets import CSVFormatError, load_csv


@pytest.fixture
def write(tmp_path, monkeypatch):
    """Write bytes (or text) to ``data.csv`` in tmp_path and return its relative path.

    Messages name the file as it was given, so a relative path keeps them short.
    """
    monkeypatch.chdir(tmp_path)

    def _write(content, name="data.csv"):
        path = Path(name)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return _write


def _error(path, target=None):
    """Return the CSVFormatError raised by load_csv(path) (fails if none is raised)."""
    with pytest.raises(CSVFormatError) as info:
        load_csv(path, target=target)
    return info.value


# --------------------------------------------------------------------------- valid files


def test_reads_features_and_string_targets(write):
    ds = load_csv(write("weight_kg,length_cm,species\n4.2,48,cat\n30,90.5,dog\n 5 , 51 , cat \n"))
    assert ds.X.dtype == np.float64
    np.testing.assert_array_equal(ds.X, [[4.2, 48], [30, 90.5], [5, 51]])
    assert ds.y.tolist() == ["cat", "dog", "cat"]  # strings kept, spaces stripped
    assert ds.y.dtype.kind == "U"
    assert ds.feature_names == ("weight_kg", "length_cm")
    assert ds.feature_units == ("", "")
    assert ds.class_names == ("cat", "dog")
    assert ds.target_name == "species"
    assert ds.name == "data"


def test_target_by_name_anywhere(write):
    ds = load_csv(write("label,a,b\n1,0.5,2\n0,1.5,3\n"), target="label")
    assert ds.feature_names == ("a", "b")
    np.testing.assert_array_equal(ds.X, [[0.5, 2], [1.5, 3]])
    assert ds.y.dtype == np.int64
    np.testing.assert_array_equal(ds.y, [1, 0])


def test_whole_number_targets_are_int_others_float(write):
    assert load_csv(write("a,y\n1,1.0\n2,-3\n")).y.dtype == np.int64
    ds = load_csv(write("a,y\n1,0.5\n2,2\n"))
    assert ds.y.dtype == np.float64
    np.testing.assert_array_equal(ds.y, [0.5, 2.0])
    assert ds.class_names == ()


def test_mixed_target_column_is_kept_as_strings(write):
    ds = load_csv(write("a,y\n1,1\n2,two\n"))
    assert ds.y.tolist() == ["1", "two"]


def test_number_formats(write):
    ds = load_csv(write('a,b,c,y\n-1.5,+2,.5,0\n1e3,2.5E-1,"7",1\n'))
    np.testing.assert_array_equal(ds.X, [[-1.5, 2, 0.5], [1000, 0.25, 7]])


def test_bom_and_crlf_accepted(write):
    ds = load_csv(write(b"\xef\xbb\xbfweight,length,kind\r\n4,50,cat\r\n30,90,dog\r\n"))
    assert ds.feature_names == ("weight", "length")  # no BOM glued to the first name
    assert ds.y.tolist() == ["cat", "dog"]  # no '\r' glued to the last cell


def test_blank_lines_skipped_and_counted(write):
    path = write("a,b,y\n\n1,2,0\n\n3,x,1\n\n")
    assert _error(path).line == 5  # an editor's line number, blank lines included
    ds = load_csv(write("a,b,y\n\n1,2,0\n\n3,4,1\n\n"))
    assert ds.X.shape == (2, 2)


def test_quoted_cells_spanning_lines_report_their_first_line(write):
    err = _error(write('a,b,y\n1,2,"multi\nline"\n"x\ny",2,0\n'))
    assert str(err) == "data.csv, line 4, column 1 ('a'): 'x\\ny' is not a number"


# --------------------------------------------------------------------------- malformed


def test_ragged_row_too_few_fields(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 3, column 3 \('length_cm'\): missing field: "
        r"the row has 2 fields, the header 3$",
    ):
        load_csv(write("weight_kg,y,length_cm\n1,0,3\n1,0\n"))


def test_ragged_row_too_many_fields(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 2, column 4: extra field '7': the row has 4 fields, the header 3$",
    ):
        load_csv(write("a,b,y\n1,2,3,7\n"))


def test_non_numeric_cell(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 4, column 3 \('length_cm'\): 'abc' is not a number$",
    ):
        load_csv(write("weight_kg,height_cm,length_cm,y\n1,2,3,0\n1,2,3,0\n1,2,abc,0\n"))


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "+Infinity", "infinity"])
def test_non_finite_cell(write, cell):
    with pytest.raises(
        CSVFormatError,
        match=rf"^data\.csv, line 2, column 2 \('b'\): '{re.escape(cell)}' is a "
        r"non-finite value; only finite numbers are allowed$",
    ):
        load_csv(write(f"a,b,y\n1,{cell},0\n"))


def test_non_finite_target_rejected_too(write):
    with pytest.raises(CSVFormatError, match=r"line 3, column 2 \('y'\): 'nan' is a non-finite"):
        load_csv(write("a,y\n1,cat\n2,nan\n"))


def test_overflowing_number(write):
    with pytest.raises(CSVFormatError, match=r"'1e400' is a non-finite value \(too large"):
        load_csv(write("a,y\n1e400,0\n"))


@pytest.mark.parametrize("cell", ["1_000", "0x10", "1,5"])
def test_numbers_python_or_locales_would_accept_are_rejected(write, cell):
    # "1,5" quoted: a decimal comma, one field
    with pytest.raises(
        CSVFormatError, match=r"^data\.csv, line 2, column 1 \('a'\): '.*' is not a number$"
    ):
        load_csv(write(f'a,y\n"{cell}",0\n'))


def test_empty_cell(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 2, column 2 \('b'\): empty cell \(missing value\); "
        r"fill it in or remove the row$",
    ):
        load_csv(write("a,b,y\n1, ,0\n"))


def test_empty_target_cell(write):
    with pytest.raises(CSVFormatError, match=r"line 3, column 3 \('y'\): empty cell"):
        load_csv(write("a,b,y\n1,2,cat\n1,2,\n"))


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", b"  \r\n"])
def test_empty_file(write, content):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv: the file is empty; expected a header row naming the columns",
    ):
        load_csv(write(content))


def test_header_only(write):
    with pytest.raises(
        CSVFormatError, match=r"^data\.csv: no data rows: the file has only the header \(line 1\)$"
    ):
        load_csv(write("a,b,y\n"))


def test_missing_target_lists_columns(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv: target column 'label' not found; "
        r"available columns: 'weight', 'length', 'y'$",
    ):
        load_csv(write("weight,length,y\n1,2,0\n"), target="label")


def test_duplicate_column_name(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 1, column 3 \('weight'\): duplicate column name "
        r"\(also column 1\)",
    ):
        load_csv(write("weight,length,weight,y\n1,2,3,0\n"))


def test_empty_column_name(write):
    with pytest.raises(
        CSVFormatError, match=r"^data\.csv, line 1, column 2: empty column name in the header$"
    ):
        load_csv(write("a,,y\n1,2,0\n"))


def test_single_column_header_hints_at_the_separator(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 1: the header has 1 column \('a;b;y'\); .*separated by commas$",
    ):
        load_csv(write("a;b;y\n1;2;0\n"))


def test_unterminated_quote(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 3, column 2: unterminated quoted field: "
        r"a '\"' opens a field that is never closed$",
    ):
        load_csv(write('a,b,y\n1,2,0\n4,"5,6\n7,8,9\n'))


def test_malformed_quote(write):
    with pytest.raises(
        CSVFormatError, match=r"^data\.csv, line 2: malformed quoting: ',' expected after '\"'$"
    ):
        load_csv(write('a,b,y\n1,"2"x,0\n'))


def test_invalid_utf8(write):
    with pytest.raises(
        CSVFormatError,
        match=r"^data\.csv, line 3: invalid UTF-8: byte 0xff at byte 4 of the line "
        r"\(byte 16 of the file\); save the file as UTF-8$",
    ):
        load_csv(write(b"a,b,y\n1,2,3\n4,5\xff,6\n"))


def test_invalid_utf8_offset_counts_the_bom(write):
    err = _error(write(b"\xef\xbb\xbfa,y\n1,\xe9\n"))
    assert err.line == 2
    assert "byte 3 of the line (byte 10 of the file)" in str(err)


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "absent.csv"
    with pytest.raises(FileNotFoundError, match=r"no such CSV file: '.*absent\.csv'"):
        load_csv(path)


def test_target_must_be_a_name(write):
    with pytest.raises(TypeError, match=r"target must be a column name .* got 2"):
        load_csv(write("a,y\n1,0\n"), target=2)


def test_error_carries_its_location_and_pickles(write):
    err = _error(write("a,b,y\n1,2,0\n1,abc,0\n"))
    assert isinstance(err, ValueError)
    assert (err.line, err.column, err.column_name) == (3, 2, "b")
    assert err.reason == "'abc' is not a number"
    assert err.path.endswith("data.csv")
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err)
    assert copy.line == 3
