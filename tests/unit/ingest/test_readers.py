import gzip

import openpyxl
import pytest

from scp_metrics.ingest.readers import ReadError, read_table


def is_header(cells):
    return "Code" in cells


def test_csv_with_utf8_bom_is_read_and_the_bom_noted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfCode,Name\nE1,A\n")
    table = read_table(path, lambda c: "Code" in c)
    assert table.headers == ["Code", "Name"]
    assert table.data.values.tolist() == [["E1", "A"]]
    assert "byte-order mark" in table.notes[0]


def test_cp1252_csv_is_decoded_and_noted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("Code,Name\nE1,Caf\xe9 \u2013 bar\n".encode("cp1252"))
    table = read_table(path, is_header)
    assert table.data.iat[0, 1] == "Caf\xe9 \u2013 bar"
    assert any("Windows-1252" in n for n in table.notes)


def test_title_rows_above_the_header_are_kept_and_lines_counted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Police recorded crime\n\nCode,Name\nE1,A\nE2,B\n")
    table = read_table(path, is_header)
    assert table.title_lines == ["Police recorded crime"]
    assert table.header_line == 3
    assert table.line_of(1) == 5


def test_xlsx_header_found_below_title_rows_with_dates_as_iso_text(tmp_path):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mid-2008 Population Estimates"])
    sheet.append([])
    sheet.append(["Code", "Name", "When", "N"])
    sheet.append(["E06000045", "Southampton", dt.datetime(2009, 4, 1), 234600.0])
    path = tmp_path / "x.xlsx"
    book.save(path)
    table = read_table(path, is_header)
    assert table.header_line == 3
    assert table.title_lines == ["Mid-2008 Population Estimates"]
    assert table.data.values.tolist() == [["E06000045", "Southampton", "2009-04-01", "234600"]]


def test_gzipped_csv_is_read_transparently(tmp_path):
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(b"Code,Name\nE1,A\n"))
    assert read_table(path, is_header).data.iat[0, 0] == "E1"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("fake.xlsx", b"Code,Name\nE1,A\n", "not one"),
        ("noheader.csv", b"a,b\n1,2\n", "no recognisable header"),
        ("binary.csv", b"\x00\x01\x02Code", "binary"),
        ("wide.csv", b"Code,Name\nE1,A,extra\n", "row 2 has more values"),
    ],
)
def test_unreadable_files_raise_one_clear_sentence_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError) as exc:
        read_table(path, is_header)
    assert name in str(exc.value)
    assert message in str(exc.value)


def test_short_rows_are_padded_and_trailing_blank_rows_dropped(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Code,Name\nE1\nE2,B\n,\n\n")
    table = read_table(path, is_header)
    assert table.data.values.tolist() == [["E1", ""], ["E2", "B"]]


def test_an_ods_workbook_is_read_like_an_xlsx_one(tmp_path):
    """ODS (LibreOffice) workbooks: title rows, header found by content, dates as ISO text,
    whole numbers without a decimal point; a second sheet is named in the notes."""
    import pandas as pd

    path = tmp_path / "fire_2009-10_Q3.ods"
    with pd.ExcelWriter(path, engine="odf") as book:
        pd.DataFrame([["Notes only"]]).to_excel(book, sheet_name="About", header=False,
                                                index=False)
        pd.DataFrame([["Fire incidents", None, None], [None, None, None],
                      ["Code", "When", "Count"],
                      ["E1", pd.Timestamp("2009-10-02"), 12],
                      ["E2", pd.Timestamp("2009-10-03 21:05"), 3.5]]
                     ).to_excel(book, sheet_name="Data", header=False, index=False)
    table = read_table(path, is_header)
    assert table.sheet == "Data" and table.header_line == 3
    assert table.title_lines == ["Fire incidents"]
    assert table.data.values.tolist() == [["E1", "2009-10-02", "12"],
                                          ["E2", "2009-10-03 21:05", "3.5"]]
    assert table.notes == ["read sheet 'Data'"]


def test_a_file_named_ods_that_is_not_one_says_so(tmp_path):
    path = tmp_path / "x.ods"
    path.write_text("Code,Name\nE1,A\n")
    with pytest.raises(ReadError, match="named as a spreadsheet but is not one"):
        read_table(path, is_header)


def _same_table(a, b):
    assert (a.headers, a.header_line, a.title_lines, a.sheet, a.notes) == \
        (b.headers, b.header_line, b.title_lines, b.sheet, b.notes)
    assert a.data.values.tolist() == b.data.values.tolist()
    assert list(a.data.columns) == list(b.data.columns)


def test_a_workbook_read_once_gives_the_table_read_table_gives(tmp_path):
    """read_tables parses a workbook once (read_sheets) and takes its table from those sheets:
    the same headers, rows, lines, titles, sheet and notes as read_table's own parse, for the
    workbook fixtures of tests/data/bad and tests/fixtures and one with a notes sheet first,
    a title, dates, floats and padded text."""
    import datetime as dt
    from pathlib import Path

    from scp_metrics.ingest.readers import read_sheets, table_from_sheets
    from scp_metrics.sources import is_header as source_header

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["About this file"])
    sheet = book.create_sheet("Data")
    sheet.append(["Incidents 2009"])
    sheet.append(["Code", "Name", "When", "N", "Rate"])
    sheet.append(["  E06000045 ", "Southampton", dt.datetime(2009, 4, 1, 13, 30), 7.0, 2.5])
    sheet.append(["E06000046", None, dt.date(2009, 4, 2), 8, None])
    made = tmp_path / "two_sheets.xlsx"
    book.save(made)
    root = Path(__file__).resolve().parents[2]
    paths = [made, *sorted((root / "data" / "bad").glob("*.xlsx")),
             *sorted((root / "fixtures").rglob("*.xlsx"))]
    compared = 0
    for path in paths:
        for header_test in (is_header, source_header):
            try:
                sheets = read_sheets(path)
            except ReadError:
                continue
            try:
                expected = read_table(path, header_test)
            except ReadError as exc:
                with pytest.raises(ReadError, match="no sheet has a recognisable header"):
                    if table_from_sheets(path, sheets, header_test) is None:
                        raise ReadError("no sheet has a recognisable header") from exc
                continue
            got = table_from_sheets(path, sheets, header_test)
            if got is None:  # merged cells: read_table's own reader
                continue
            _same_table(got, expected)
            compared += 1
    assert compared >= 10
    made_table = table_from_sheets(made, read_sheets(made), is_header)
    assert made_table is not None
    assert made_table.notes == ["read sheet 'Data'"]
    assert made_table.data.values.tolist() == [
        ["E06000045", "Southampton", "2009-04-01 13:30", "7", "2.5"],
        ["E06000046", "", "2009-04-02", "8", ""]]
