"""Write the hostile-input corpus: ``tests/data/bad/`` (+ ``EXPECTED.csv``) and the good
``tests/data/baseline/`` the refresh test loads first.

    .venv/bin/python tests/data/make_bad_corpus.py [SAMPLE_DIR | --docs-only]

Deterministic: every file starts from rows of the seeded synthetic sample
(:func:`scp_metrics.sample.generate_sample`, default seed) and is damaged in one stated way;
XLSX files carry fixed timestamps, so a re-run writes identical bytes. The expected outcome of
every file is declared *here*, next to the damage, not computed by the code under test;
``tests/unit/ingest/test_bad_corpus.py`` checks the pipeline against it, and the table of cases in
``docs/reliability.md`` is rewritten from it (``--docs-only`` rewrites just that table).

EXPECTED.csv columns: ``file``; ``source``; ``case`` (what is wrong or unusual); ``validate``
(``ok``/``fail``: ``scp-metrics validate``); ``refresh`` (``loaded``/``unchanged``/
``quarantined``: ``scp-metrics refresh`` on the baseline warehouse); ``run`` (accepted files
are refreshed together in runs A, B, … — at most one file per source and period in a run;
refused files each in their own run); ``row``, ``column``, ``check`` (a refused file has a
failure at that row and column whose check contains that text); ``note`` (an accepted file's
notes contain that text: the stated normalisation); ``secret`` (``|``-separated values that
must never appear in any output, report or log: personal data); ``expected`` (the outcome in
words).
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from scp_metrics.sample import generate_sample
from scp_metrics.sample.writers import normalise_zip

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
BASELINE = HERE / "baseline"
ROWS = 30
FIXED = datetime(2010, 4, 1, 9, 0, 0)
GZIP_TIME = 1270112400  # 2010-04-01 09:00 UTC

COLUMNS = ["file", "source", "case", "validate", "refresh", "run", "row", "column", "check",
           "note", "secret", "expected"]


@dataclass
class Case:
    file: str
    source: str
    case: str
    data: bytes
    validate: str  # ok | fail
    refresh: str  # loaded | unchanged | quarantined
    expected: str
    run: str = ""
    row: int | None = None
    column: str = ""
    check: str = ""
    note: str = ""
    secret: str = ""


# --------------------------------------------------------------------------- writers


def csv_bytes(header: list[str], rows: list[list[str]], *, delimiter: str = ",",
              encoding: str = "utf-8", bom: bool = False, end: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if end != "\n":
        text = text[:-1] + end
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def gzip_bytes(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=GZIP_TIME, filename="") as fh:
        fh.write(data)
    return out.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[list[object]], list[str]]],
               date_columns: dict[str, list[int]] | None = None) -> bytes:
    """Workbook of ``(title, rows, merged ranges)`` sheets; fixed timestamps."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, merges in sheets:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None and value != "":
                    cell = sheet.cell(row=r, column=c, value=value)
                    if isinstance(value, datetime):
                        cell.number_format = "dd/mm/yyyy"
        for ref in merges:
            sheet.merge_cells(ref)
    book.properties.creator = "scp-metrics bad corpus"
    book.properties.created = FIXED
    book.properties.modified = FIXED
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return normalise_zip(raw.getvalue())


# --------------------------------------------------------------------------- good rows


class Good:
    """Rows of the seeded sample, by source and period."""

    def __init__(self, sample: Path):
        self.sample = sample

    def csv(self, folder: str, pattern: str, n: int | None = ROWS) -> tuple[list[str], list[list[str]]]:
        path = next((self.sample / folder).glob(pattern))
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        return rows[0], [list(r) for r in (rows[1:] if n is None else rows[1:n + 1])]

    def xlsx(self, folder: str, pattern: str) -> list[list[object]]:
        path = next((self.sample / folder).glob(pattern))
        book = openpyxl.load_workbook(path, data_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return rows

    def police(self, quarter: str) -> tuple[list[str], list[list[str]]]:
        return self.csv("police_crime", f"*_{quarter}.csv")

    def ho(self, quarter: str) -> tuple[list[str], list[list[str]]]:
        return self.csv("ho_csp_crime", f"*_{quarter}.csv")

    def istv(self, quarter: str) -> tuple[list[str], list[list[str]]]:
        return self.csv("istv", f"*_{quarter}.csv")

    def marac(self, quarter: str) -> tuple[list[str], list[list[str]]]:
        return self.csv("marac", f"*_{quarter}.csv")

    def fire(self, quarter: str, n: int = 25) -> tuple[list[object], list[object], list[list[object]]]:
        rows = self.xlsx("fire", f"*_{quarter}.xlsx")
        return rows[0][0], rows[2], rows[3:3 + n]

    def headline(self) -> tuple[list[object], list[object], list[list[object]]]:
        rows = self.xlsx("place_survey", "*headline.xlsx")
        return rows[0], rows[2], rows[3:]

    def population(self, year: int) -> tuple[list[list[object]], list[object], list[list[object]]]:
        rows = self.xlsx("population", f"*mid-{year}.xlsx")
        return rows[:4], rows[4], rows[5:]


def col(header: list, name: str) -> int:
    return header.index(name)


def fire_book(title: object, header: list, rows: list[list[object]], *, merges: list[str] = (),
              two_header_rows: bool = False, extra_sheets: list = ()) -> bytes:
    layout: list[list[object]] = [[title], [], list(header)]
    if two_header_rows:
        layout.append([None] * len(header))
    layout += [list(r) for r in rows]
    return xlsx_bytes([*extra_sheets, ("Incidents", layout, list(merges))])


# --------------------------------------------------------------------------- the cases


def cases(good: Good) -> tuple[list[Case], dict[str, bytes]]:  # noqa: C901, PLR0915 - a catalogue
    out: list[Case] = []
    add = out.append

    # ---------------------------------------------------------------- baseline (good files)
    baseline: dict[str, bytes] = {}
    for quarter in ("2009-10_Q2", "2009-10_Q3"):
        h, r = good.police(quarter)
        baseline[f"police_crime/police_recorded_crime_E06000045_{quarter}.csv"] = csv_bytes(h, r)
    h, r = good.ho("2009-10_Q3")
    baseline["ho_csp_crime/ho_csp_recorded_crime_2009-10_Q3.csv"] = csv_bytes(h, r)
    h, r = good.istv("2009-10_Q3")
    baseline["istv/istv_ed_assaults_RHM01_2009-10_Q3.csv"] = csv_bytes(h, r)
    t, h, r = good.fire("2009-10_Q3")
    baseline["fire/hfrs_incidents_southampton_2009-10_Q3.xlsx"] = fire_book(t, h, r)
    h, r = good.marac("2009-10_Q3")
    baseline["marac/marac_cases_southampton_2009-10_Q3.csv"] = csv_bytes(h, r)
    h, r = good.csv("place_survey", "*respondents.csv")
    baseline["place_survey/place_survey_2008_southampton_respondents.csv"] = csv_bytes(h, r)
    t, h, r = good.headline()
    baseline["place_survey/place_survey_2008_headline.xlsx"] = xlsx_bytes(
        [("Headline", [t, [], h, *r], [])])
    titles, h, r = good.population(2008)
    baseline["population/ons_mye2_persons_mid-2008.xlsx"] = xlsx_bytes(
        [("MYE2 - Persons", [*titles, h, *r], [])])
    h, r = good.csv("msg", "*.csv", n=None)
    baseline["msg/msg_membership_E06000045.csv"] = csv_bytes(h, r)

    # ---------------------------------------------------------------- police record-level
    P = "police_crime"
    q1h, q1 = good.police("2009-10_Q1")
    rec, off = col(q1h, "Recorded Date"), col(q1h, "Offence Date")

    h = [c for c in q1h if c != "Offence Date"]
    rows = [[v for i, v in enumerate(r) if i != off] for r in q1]
    add(Case("police_missing_column_2009-10_Q1.csv", P, "missing column (Offence Date)",
             csv_bytes(h, rows), "fail", "quarantined", "refused: the header row names the "
             "missing column", row=1, column="Offence Date", check="column present"))

    h = ["Offence Cd" if c == "HO Offence Code" else c for c in q1h]
    add(Case("police_renamed_unknown_2009-10_Q1.csv", P, "renamed column to an unknown name",
             csv_bytes(h, q1), "fail", "quarantined", "refused: the expected column is missing",
             row=1, column="HO Offence Code", check="column present"))

    h, r = good.police("2008-09_Q3")
    h = ["Crime Ref" if c == "Crime Reference" else "Date Recorded" if c == "Recorded Date"
         else c for c in h]
    add(Case("police_renamed_alias_2008-09_Q3.csv", P, "renamed columns to accepted aliases",
             csv_bytes(h, r), "ok", "loaded", "accepted: aliases in the data dictionary",
             run="A", note="column 'Date Recorded' read as 'Recorded Date'"))

    h, r = good.police("2008-09_Q4")
    add(Case("police_extra_column_2008-09_Q4.csv", P, "extra column",
             csv_bytes([*h, "Extract Run"], [[*x, "R42"] for x in r]), "ok", "loaded",
             "accepted: the extra column is named in the notes and not loaded", run="A",
             note="not in the data dictionary, not loaded: 'Extract Run'"))

    rows = [list(r) for r in q1]
    rows[3][rec] = "not recorded"
    add(Case("police_wrong_type_date_2009-10_Q1.csv", P, "wrong type: text in a date column",
             csv_bytes(q1h, rows), "fail", "quarantined", "refused at the cell",
             row=5, column="Recorded Date", check="parse as date"))

    rows = [list(r) for r in q1]
    rows[5][col(q1h, "Domestic Abuse Flag")] = "maybe"
    add(Case("police_bad_flag_2009-10_Q1.csv", P, "wrong type: a flag that is not Y/N",
             csv_bytes(q1h, rows), "fail", "quarantined", "refused at the cell",
             row=7, column="Domestic Abuse Flag", check="parse as flag"))

    rows = [list(r) for r in q1]
    rows[8][rec], rows[8][off] = "02/07/2009", "01/07/2009"
    add(Case("police_outside_quarter_2009-10_Q1.csv", P, "date outside the file's quarter",
             csv_bytes(q1h, rows), "fail", "quarantined", "refused at the cell",
             row=10, column="Recorded Date", check="inside the file's quarter 2009/10 Q1"))

    rows = [list(r) for r in q1[:5]]
    for r in rows:
        r[rec] = r[rec][:6] + "2098"
        r[off] = r[off][:6] + "2098"
    add(Case("police_future_dates_2098-99_Q1.csv", P, "dates in the future",
             csv_bytes(q1h, rows), "fail", "quarantined", "refused at the cell",
             row=2, column="Recorded Date", check="date is not in the future"))

    rows = [list(r) for r in q1]
    rows[10][0] = rows[1][0]
    add(Case("police_duplicate_reference_2009-10_Q1.csv", P, "duplicate crime reference",
             csv_bytes(q1h, rows), "fail", "quarantined", "refused: both rows named",
             row=12, column="Crime Reference", check="unique"))

    rows = [list(r) for r in q1]
    rows[2][col(q1h, "HO Offence Code")] = "8Z"
    add(Case("police_unknown_offence_code_2009-10_Q1.csv", P, "unknown offence code",
             csv_bytes(q1h, rows), "fail", "quarantined", "refused at the cell",
             row=4, column="HO Offence Code", check="known Home Office offence code"))

    h, r = good.police("2008-09_Q2")
    r = [list(x) for x in r]
    r[0][col(h, "HO Offence Description")] += " \u2013 caf\xe9 window"
    add(Case("police_cp1252_2008-09_Q2.csv", P, "Windows-1252 encoding",
             csv_bytes(h, r, encoding="cp1252"), "ok", "loaded",
             "accepted: decoded as Windows-1252 (the en dash and é survive)", run="A",
             note="decoded as Windows-1252"))

    h, r = good.police("2008-09_Q1")
    add(Case("police_utf8_bom_2008-09_Q1.csv", P, "UTF-8 with byte-order mark",
             csv_bytes(h, r, bom=True), "ok", "loaded", "accepted: BOM stripped", run="A",
             note="byte-order mark stripped"))

    add(Case("police_empty_2009-10_Q1.csv", P, "empty file (0 bytes)", b"", "fail",
             "quarantined", "refused: the file is empty", check="readable file"))
    add(Case("police_header_only_2009-10_Q1.csv", P, "header only", csv_bytes(q1h, []),
             "fail", "quarantined", "refused: no data rows", row=1, check="has data rows"))

    full = csv_bytes(q1h, q1)
    cut = full[:-1]
    cut = cut[:cut.rfind(b",", 0, cut.rfind(b",") - 1) - 3]
    add(Case("police_truncated_2009-10_Q1.csv", P, "truncated: the last line stops mid-row",
             cut, "fail", "quarantined", "refused at the last row", row=ROWS + 1,
             check="complete last row"))
    packed = gzip_bytes(full)
    add(Case("police_truncated_2009-10_Q1.csv.gz", P, "truncated gzip",
             packed[:len(packed) // 2], "fail", "quarantined",
             "refused: not a valid gzip (damaged or truncated)", check="readable file"))

    h, r = good.police("2007-08_Q2")
    add(Case("police_gzipped_2007-08_Q2.csv.gz", P, "gzipped CSV", gzip_bytes(csv_bytes(h, r)),
             "ok", "loaded", "accepted: un-gzipped transparently", run="A"))

    h, r = good.police("2007-08_Q1")
    book = xlsx_bytes([("Crimes", [h, *r], [])])
    add(Case("police_workbook_named_2007-08_Q1.csv", P, "not what its name says: an XLSX named "
             ".csv", book, "ok", "loaded", "accepted: read as the workbook it is, and noted",
             run="A", note="holds a spreadsheet workbook"))
    add(Case("police_text_named_2009-10_Q1.xlsx", P, "not what its name says: CSV text named "
             ".xlsx", full, "fail", "quarantined", "refused: named as a spreadsheet but is not "
             "one", check="readable file"))
    add(Case("police_pdf_named_2009-10_Q1.csv", P, "not what its name says: a PDF named .csv",
             b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00endobj\n",
             "fail", "quarantined", "refused: binary, not a text (CSV) file",
             check="readable file"))

    names = ["Jane Doe", "John Smith", "Amira Khan"]
    h = [*q1h, "Victim Forename", "Victim Surname"]
    rows = [[*r, names[i % 3].split()[0], names[i % 3].split()[1]] for i, r in enumerate(q1)]
    add(Case("police_personal_names_2009-10_Q1.csv", P, "personal data: name columns",
             csv_bytes(h, rows), "fail", "quarantined", "refused: the column is named, no value "
             "is shown, the file is not copied to quarantine", row=1, column="Victim Forename",
             check="personal data: the column is named like a person's name",
             secret="Amira|Khan"))

    rows = [list(r) for r in q1]
    rows[4][col(q1h, "Beat")] = "SO14 7LY"
    add(Case("police_personal_postcode_2009-10_Q1.csv", P, "personal data: a full postcode in "
             "a column", csv_bytes(q1h, rows), "fail", "quarantined",
             "refused: column and first row named, value withheld", row=6, column="Beat",
             check="look like full UK postcodes", secret="SO14 7LY"))

    h, r = good.police("2007-08_Q4")
    twice = csv_bytes(h, r)
    add(Case("police_twice_a_2007-08_Q4.csv", P, "delivered twice under two names (first)",
             twice, "ok", "loaded", "accepted", run="A"))
    add(Case("police_twice_b_copy_2007-08_Q4.csv", P, "delivered twice under two names "
             "(second, same bytes)", twice, "ok", "unchanged",
             "skipped as unchanged: same sha256 as the first", run="A"))

    h, r = good.police("2009-10_Q3")
    r = [list(x) for x in r[:-2]]
    r[0][col(h, "HO Offence Code")] = "58C"
    add(Case("police_reissue_2009-10_Q3.csv", P, "re-issued quarter (2 crimes withdrawn, one "
             "recoded)", csv_bytes(h, r), "ok", "loaded", "accepted: replaces the baseline's "
             "2009/10 Q3 only; the baseline batch is superseded, its rows kept in history and "
             "restorable", run="R"))

    q2h, q2 = good.police("2009-10_Q2")
    rows = [list(x) for x in q1]
    rows[6][0] = q2[3][0]
    add(Case("police_duplicate_across_files_2009-10_Q1.csv", P, "a crime reference already "
             "loaded from another file (baseline 2009/10 Q2)", csv_bytes(q1h, rows), "ok",
             "quarantined", "valid on its own; refused at load (rolled back): the crime would "
             "be counted twice", row=8, column="Crime Reference",
             check="unique across files"))

    # ---------------------------------------------------------------- Home Office CSP table
    H = "ho_csp_crime"
    hh, hr = good.ho("2009-10_Q1")
    count = col(hh, "Offence Count")

    def ho_case(name: str, what: str, row: int, value: str, check: str, expected: str) -> None:
        rows = [list(x) for x in hr]
        rows[row - 2][count] = value
        add(Case(name, H, what, csv_bytes(hh, rows), "fail", "quarantined", expected, row=row,
                 column="Offence Count", check=check))

    ho_case("ho_suppressed_star_2009-10_Q1.csv", "suppression marker '*' in a count", 4, "*",
            "value not suppressed", "refused: a count table with withheld counts understates "
            "every total")
    ho_case("ho_suppressed_dots_2009-10_Q1.csv", "suppression marker '..' in a count", 6, "..",
            "value not suppressed", "refused, as '*'")
    ho_case("ho_negative_count_2009-10_Q1.csv", "negative count", 3, "-3",
            "greater_than_or_equal_to(0)", "refused at the cell")
    ho_case("ho_blank_count_2009-10_Q1.csv", "blank count", 5, "", "value present",
            "refused at the cell")
    ho_case("ho_decimal_count_2009-10_Q1.csv", "wrong type: a decimal count", 7, "12.5",
            "parse as int", "refused at the cell")

    rows = [list(x) for x in hr]
    rows[0][col(hh, "CSP Name")] = "Atlantis"
    add(Case("ho_unknown_csp_2009-10_Q1.csv", H, "unknown area (CSP name)", csv_bytes(hh, rows),
             "fail", "quarantined", "refused at the cell", row=2, column="CSP Name",
             check="CSP name known"))
    rows = [list(x) for x in hr]
    rows[1][col(hh, "Offence Code")] = "99Z"
    add(Case("ho_unknown_offence_code_2009-10_Q1.csv", H, "unknown offence code",
             csv_bytes(hh, rows), "fail", "quarantined", "refused at the cell", row=3,
             column="Offence Code", check="known Home Office offence code"))
    rows = [list(x) for x in hr]
    rows[2][col(hh, "Financial Quarter")] = "Q1"
    add(Case("ho_wrong_type_quarter_2009-10_Q1.csv", H, "wrong type: 'Q1' for a quarter number",
             csv_bytes(hh, rows), "fail", "quarantined", "refused at the cell", row=4,
             column="Financial Quarter", check="parse as int"))

    h, r = good.ho("2008-09_Q1")
    c = col(h, "Number of Offences")
    r = [list(x) for x in r]
    for i in range(0, len(r), 5):
        r[i][c] = f"{int(r[i][c]) + 1000:,}"
    add(Case("ho_thousands_separators_2008-09_Q1.csv", H, "thousands separators in counts",
             csv_bytes(h, r), "ok", "loaded", "accepted: '1,005' read as 1005, counted in a note",
             run="A", note="with thousands separators parsed"))

    h, r = good.ho("2008-09_Q2")
    c = col(h, "Number of Offences")
    total = sum(int(x[c]) for x in r)
    add(Case("ho_total_row_2008-09_Q2.csv", H, "a 'Total' row at the bottom",
             csv_bytes(h, [*r, ["Total", "", "", "", "", "", "", "", str(total)]]), "ok",
             "loaded", "accepted: the total row is dropped and reported, not loaded as an area",
             run="A", note=f"total row at row {len(r) + 2} ('Total') dropped"))

    h, r = good.ho("2008-09_Q3")
    text = (b"Police recorded crime by Community Safety Partnership, 2008/09 Q3\n"
            b"Source: Home Office\n\n") + csv_bytes(h, r)
    add(Case("ho_title_rows_2008-09_Q3.csv", H, "title rows above the header", text, "ok",
             "loaded", "accepted: header found below the title rows", run="A",
             note="2 title row(s) above the header (row 4) skipped"))

    h, r = good.ho("2007-08_Q1")
    add(Case("ho_semicolons_2007-08_Q1.csv", H, "semicolon-delimited", csv_bytes(h, r,
             delimiter=";"), "ok", "loaded", "accepted: delimiter detected and noted", run="A",
             note="values separated by ';'"))

    h, r = good.ho("2008-09_Q4")
    twice = csv_bytes(h, r)
    add(Case("ho_twice_a_2008-09_Q4.csv", H, "delivered twice under two names (first)", twice,
             "ok", "loaded", "accepted", run="A"))
    add(Case("ho_twice_b_resent_2008-09_Q4.csv.gz", H, "delivered twice under two names "
             "(second: renamed and gzipped)", gzip_bytes(twice), "ok", "unchanged",
             "skipped as unchanged: the sha256 of the un-gzipped content is the first file's",
             run="A"))

    # ---------------------------------------------------------------- ISTV (ED assaults)
    ED = "istv"
    ih, ir = good.istv("2009-10_Q1")
    other = col(ih, "ASSAULT METHOD OTHER DESCRIPTION")
    where = col(ih, "ASSAULT LOCATION DESCRIPTION")
    nhs = ["943 476 5919", "401 023 2137", "9434765870"]
    add(Case("istv_nhs_number_column_2009-10_Q1.csv", ED, "personal data: an NHS Number column",
             csv_bytes([*ih, "NHS Number"], [[*x, nhs[i % 3]] for i, x in enumerate(ir)]),
             "fail", "quarantined", "refused: column named, values withheld, file not copied",
             row=1, column="NHS Number", check="named like an NHS number",
             secret="943 476 5919|401 023 2137|9434765870"))
    rows = [list(x) for x in ir]
    rows[6][other] = "patient 943 476 5919 said"
    add(Case("istv_nhs_number_in_text_2009-10_Q1.csv", ED, "personal data: a valid NHS number "
             "in free text", csv_bytes(ih, rows), "fail", "quarantined",
             "refused: column and row named, value withheld", row=8,
             column="ASSAULT METHOD OTHER DESCRIPTION", check="NHS numbers (valid check digit)",
             secret="943 476 5919"))
    h, r = good.istv("2008-09_Q1")
    r = [list(x) for x in r]
    r[3][col(h, "ASSAULT METHOD OTHER DESCRIPTION")] = "ticket 9434765918"
    add(Case("istv_not_an_nhs_number_2008-09_Q1.csv", ED, "a ten-digit number that fails the "
             "NHS Modulus 11 check", csv_bytes(h, r), "ok", "loaded",
             "accepted: not an NHS number (the check digit is wrong)", run="A"))
    add(Case("istv_dob_column_2009-10_Q1.csv", ED, "personal data: a DOB column",
             csv_bytes([*ih, "DOB"], [[*x, f"{(i % 27) + 1:02d}/03/1987"] for i, x in
                                      enumerate(ir)]),
             "fail", "quarantined", "refused: column named, values withheld", row=1,
             column="DOB", check="look like dates of birth", secret="14/03/1987"))
    rows = [list(x) for x in ir]
    rows[2][where] = "outside flat, j.smith87@example.org"
    add(Case("istv_email_2009-10_Q1.csv", ED, "personal data: an email address in free text",
             csv_bytes(ih, rows), "fail", "quarantined", "refused, value withheld", row=4,
             column="ASSAULT LOCATION DESCRIPTION", check="email addresses",
             secret="j.smith87@example.org"))
    rows = [list(x) for x in ir]
    rows[9][where] = "home, call 07700 900123"
    add(Case("istv_phone_2009-10_Q1.csv", ED, "personal data: a phone number in free text",
             csv_bytes(ih, rows), "fail", "quarantined", "refused, value withheld", row=11,
             column="ASSAULT LOCATION DESCRIPTION", check="UK phone numbers",
             secret="07700 900123"))
    rows = [list(x) for x in ir]
    arrival = col(ih, "ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT")
    rows[4][col(ih, "ASSAULT DATE AND TIME")] = rows[4][arrival][:11] + "23:59"
    rows[4][arrival] = rows[4][arrival][:11] + "00:05"
    add(Case("istv_assault_after_arrival_2009-10_Q1.csv", ED, "assault after arrival",
             csv_bytes(ih, rows), "fail", "quarantined", "refused at the row", row=6,
             column="ASSAULT DATE AND TIME", check="before arrival"))
    h, r = good.istv("2008-09_Q2")
    r = [list(x) for x in r]
    r[0][col(h, "ASSAULT LOCATION DESCRIPTION")] = "Caf\xe9 Rouge \u2013 Bedford Place"
    add(Case("istv_cp1252_2008-09_Q2.csv", ED, "Windows-1252 encoding", csv_bytes(
        h, r, encoding="cp1252"), "ok", "loaded", "accepted: decoded as Windows-1252", run="A",
        note="decoded as Windows-1252"))

    # ---------------------------------------------------------------- fire (XLSX)
    F = "fire"
    t, fh, fr = good.fire("2009-10_Q1")
    t8, fh8, fr8 = good.fire("2008-09_Q1")
    add(Case("fire_merged_header_2008-09_Q1.xlsx", F, "merged cells: title merged across, "
             "header cells merged down over rows 3-4", fire_book(
                 t8, fh8, fr8, two_header_rows=True,
                 merges=["A1:G1", *[f"{c}3:{c}4" for c in "ABCDEFG"]]), "ok", "loaded",
             "accepted: header text read from the first cell of each range, row 4 not data",
             run="A", note="header cells merged over rows 3–4 read as one header row"))
    t8, fh8, fr8 = good.fire("2008-09_Q2")
    notes_sheet = ("Notes", [["About this extract"], ["Incidents attended in Southampton."]], [])
    add(Case("fire_notes_sheet_first_2008-09_Q2.xlsx", F, "title rows, and a notes sheet before "
             "the data sheet", fire_book(t8, fh8, fr8, extra_sheets=[notes_sheet]), "ok",
             "loaded", "accepted: the sheet with the header is read, and named", run="A",
             note="read sheet 'Incidents'"))
    t8, fh8, fr8 = good.fire("2008-09_Q3")
    add(Case("fire_total_row_2008-09_Q3.xlsx", F, "a 'Total' row at the bottom",
             fire_book(t8, fh8, [*fr8, ["Total", len(fr8)]]), "ok", "loaded",
             "accepted: total row dropped and reported", run="A",
             note=f"total row at row {len(fr8) + 4} ('Total') dropped"))
    rows = [list(x) for x in fr]
    rows[3][col(fh, "Incident Type")] = "Bin Fire"
    add(Case("fire_unknown_incident_type_2009-10_Q1.xlsx", F, "value outside the code list",
             fire_book(t, fh, rows), "fail", "quarantined", "refused at the cell", row=7,
             column="Incident Type", check="isin"))
    rows = [list(x) for x in fr]
    rows[1][col(fh, "Incident Date")] = "yesterday"
    add(Case("fire_date_as_text_2009-10_Q1.xlsx", F, "wrong type: text in a date cell",
             fire_book(t, fh, rows), "fail", "quarantined", "refused at the cell", row=5,
             column="Incident Date", check="parse as date"))
    rows = [list(x) for x in fr]
    rows[8][0] = rows[2][0]
    add(Case("fire_duplicate_incident_2009-10_Q1.xlsx", F, "duplicate incident number",
             fire_book(t, fh, rows), "fail", "quarantined", "refused: both rows named", row=12,
             column="Incident Number", check="unique"))
    add(Case("fire_header_only_2009-10_Q1.xlsx", F, "header only", fire_book(t, fh, []),
             "fail", "quarantined", "refused: no data rows", row=3, check="has data rows"))
    whole = fire_book(t, fh, fr)
    add(Case("fire_truncated_2009-10_Q1.xlsx", F, "truncated workbook (zip cut short)",
             whole[:len(whole) // 2], "fail", "quarantined",
             "refused: not a readable XLSX workbook", check="readable file"))
    add(Case("fire_csv_named_2009-10_Q1.xlsx", F, "not what its name says: CSV text named "
             ".xlsx", csv_bytes([str(x) for x in fh], [[str(v) for v in x] for x in fr]),
             "fail", "quarantined", "refused: named as a spreadsheet but is not one",
             check="readable file"))
    add(Case("fire_no_table_2009-10_Q1.xlsx", F, "a workbook with no table",
             xlsx_bytes([("Sheet1", [["Please find attached the incidents."], ["Regards"]],
                          [])]), "fail", "quarantined",
             "refused: no sheet has a recognisable header row", check="readable file"))

    # ---------------------------------------------------------------- MARAC
    M = "marac"
    mh, mr = good.marac("2009-10_Q1")
    add(Case("marac_victim_name_2009-10_Q1.csv", M, "personal data: a Victim Name column",
             csv_bytes([*mh, "Victim Name"], [[*x, names[i % 3]] for i, x in enumerate(mr)]),
             "fail", "quarantined", "refused: column named, values withheld", row=1,
             column="Victim Name", check="named like a person's name",
             secret="Jane Doe|John Smith|Amira Khan"))
    rows = [list(x) for x in mr]
    rows[5][col(mh, "Referring Agency")] = "jane.doe@example.org"
    add(Case("marac_email_2009-10_Q1.csv", M, "personal data: an email address in a column",
             csv_bytes(mh, rows), "fail", "quarantined", "refused, value withheld", row=7,
             column="Referring Agency", check="email addresses", secret="jane.doe@example.org"))
    rows = [list(x) for x in mr]
    rows[2][col(mh, "Victim Reference")] = "07700 900456"
    add(Case("marac_phone_as_reference_2009-10_Q1.csv", M, "personal data: a phone number in "
             "the reference column (which also fails its format check)", csv_bytes(mh, rows),
             "fail", "quarantined", "refused; the format failure's value is withheld too",
             row=4, column="Victim Reference", check="UK phone numbers",
             secret="07700 900456|07700900456"))
    rows = [list(x) for x in mr]
    rows[1][col(mh, "Victim Reference")] = "V12345"
    add(Case("marac_bad_reference_2009-10_Q1.csv", M, "wrong format: a 5-digit victim reference",
             csv_bytes(mh, rows), "fail", "quarantined", "refused at the cell", row=3,
             column="Victim Reference", check="str_matches"))
    h, r = good.marac("2008-09_Q1")
    add(Case("marac_semicolons_bom_2008-09_Q1.csv", M, "semicolon-delimited, with BOM",
             csv_bytes(h, r, delimiter=";", bom=True), "ok", "loaded",
             "accepted: BOM stripped, delimiter detected", run="A",
             note="values separated by ';'"))

    # ---------------------------------------------------------------- Place Survey respondents
    S = "place_survey"
    sh, sr = good.csv("place_survey", "*respondents.csv")

    def survey_case(name: str, what: str, column: str, row: int, value: str, check: str) -> None:
        rows = [list(x) for x in sr]
        rows[row - 2][col(sh, column)] = value
        add(Case(name, S, what, csv_bytes(sh, rows), "fail", "quarantined",
                 "refused at the cell", row=row, column=column, check=check))

    survey_case("place_survey_negative_weight.csv", "negative weight", "Weight", 5, "-0.8",
                "greater_than(0)")
    survey_case("place_survey_unknown_answer.csv", "answer outside the code list", "Q_NI21", 9,
                "Agree a lot", "isin")
    rows = [list(x) for x in sr]
    rows[7][0] = rows[6][0]
    add(Case("place_survey_duplicate_respondent.csv", S, "duplicate respondent ID",
             csv_bytes(sh, rows), "fail", "quarantined", "refused: both rows named", row=9,
             column="Respondent ID", check="unique"))
    add(Case("place_survey_bom_crlf.csv", S, "UTF-8 BOM and Windows line ends",
             csv_bytes(sh, sr, bom=True).replace(b"\n", b"\r\n"), "ok", "loaded",
             "accepted: BOM stripped, CRLF read", run="A", note="byte-order mark stripped"))

    # ---------------------------------------------------------------- Place Survey headline
    L = "place_survey_headline"
    lt, lh, lr = good.headline()

    def headline(rows: list[list[object]], *, merged: bool = False) -> bytes:
        if not merged:
            return xlsx_bytes([("Headline", [lt, [], lh, *rows], [])])
        top = ["Authority", None, "Indicator", "Percentage", "Confidence Interval (+/-)",
               "Unweighted Base"]
        sub = ["Code", "Name", None, None, None, None]
        merges = ["A1:F1", "A3:B3", "C3:C4", "D3:D4", "E3:E4", "F3:F4"]
        return xlsx_bytes([("Headline", [lt, [], top, sub, *rows], merges)])

    add(Case("place_survey_headline_merged_header.xlsx", L, "merged cells: a two-level header "
             "('Authority' over 'Code' and 'Name'; other headers merged down)",
             headline(lr, merged=True), "ok", "loaded",
             "accepted: read as 'Authority Code', 'Authority Name', …", run="A",
             note="header cells merged over rows 3–4 read as one header row"))
    rows = [list(x) for x in lr]
    rows[4][5], rows[7][5] = "*", "*"
    add(Case("place_survey_headline_suppressed_base.xlsx", L, "suppression marker '*' in an "
             "optional column (Unweighted Base)", headline(rows), "ok", "loaded",
             "accepted: the suppressed bases are read as empty, counted in a note", run="B",
             note="2 suppressed cell(s) ('*') in 'Unweighted Base' read as empty"))
    rows = [list(x) for x in lr]
    rows[10][3] = ".."
    add(Case("place_survey_headline_suppressed_percentage.xlsx", L, "suppression marker '..' "
             "in a required column (Percentage)", headline(rows), "fail", "quarantined",
             "refused: the headline figure itself is withheld", row=14, column="Percentage",
             check="value not suppressed"))
    add(Case("place_survey_headline_total_row.xlsx", L, "an 'All authorities' row at the bottom",
             headline([*lr, ["All authorities", None, "NI 21", 26.0, 0.4, 16500]]), "ok",
             "loaded", "accepted: total row dropped and reported, not loaded as an area",
             run="C", note=f"total row at row {len(lr) + 4} ('All authorities') dropped"))
    rows = [list(x) for x in lr]
    rows[0][3] = 124.6
    add(Case("place_survey_headline_over_100.xlsx", L, "percentage over 100", headline(rows),
             "fail", "quarantined", "refused at the cell", row=4, column="Percentage",
             check="less_than_or_equal_to(100)"))
    rows = [list(x) for x in lr]
    rows[2][0] = "E6000045"
    add(Case("place_survey_headline_bad_area_code.xlsx", L, "malformed area code",
             headline(rows), "fail", "quarantined", "refused at the cell", row=6,
             column="Authority Code", check="str_matches"))

    # ---------------------------------------------------------------- population (XLSX)
    PO = "population"

    def population(year: int, rows: list[list[object]] | None = None,
                   title: str | None = None) -> bytes:
        titles, h, r = good.population(year)
        titles = [list(x) for x in titles]
        if title is not None:
            titles[0] = [title]
        return xlsx_bytes([("MYE2 - Persons", [*titles, h, *(r if rows is None else rows)], [])])

    _, ph, pr = good.population(2007)
    total = ["", "Total", "", sum(int(x[3]) for x in pr[1:])]
    add(Case("population_total_row_mid-2007.xlsx", PO, "a 'Total' row at the bottom",
             population(2007, [*pr, total]), "ok", "loaded",
             "accepted: total row dropped and reported", run="A",
             note=f"total row at row {len(pr) + 6} ('Total') dropped"))
    add(Case("population_no_mid_year_2006.xlsx", PO, "title does not name the mid-year",
             population(2006, title="Population Estimates: Persons"), "fail", "quarantined",
             "refused: the period cannot be known", row=1, check="title names the mid-year"))
    _, ph, pr = good.population(2005)
    rows = [list(x) for x in pr]
    rows[3][3] = ".."
    add(Case("population_suppressed_mid-2005.xlsx", PO, "suppression marker '..' in All ages",
             population(2005, rows), "fail", "quarantined", "refused at the cell", row=9,
             column="All ages", check="value not suppressed"))

    # ---------------------------------------------------------------- Most Similar Group
    G = "msg_membership"
    gh, gr = good.csv("msg", "*.csv", n=None)
    rows = [list(x) for x in gr]
    rows[4][1] = "E06000999"
    add(Case("msg_unknown_area_code.csv", G, "unknown area code", csv_bytes(gh, rows), "fail",
             "quarantined", "refused at the cell", row=6, column="area_code",
             check="area code known"))
    rows = [list(x) for x in gr]
    rows[6] = list(rows[5])
    add(Case("msg_duplicate_member.csv", G, "an area listed twice in a group",
             csv_bytes(gh, rows), "fail", "quarantined", "refused: both rows named", row=7,
             column="area_code", check="each area appears once per group"))
    add(Case("msg_renamed_column.csv", G, "renamed column", csv_bytes(
        ["group_id", "area_cd", "area_name"], gr), "fail", "quarantined",
        "refused: the expected column is missing", row=1, column="area_code",
        check="column present"))

    more_cases(good, add)
    return out, baseline


def more_cases(good: Good, add) -> None:  # noqa: ANN001 - the list's append
    """Issue 14: impossible periods, offence codes before their time, resource limits, and
    personal data written in Unicode, in header cells, in free text and in the two newly
    guarded sources (fire incidents, Place Survey respondents)."""
    H = "ho_csp_crime"
    hh, hr = good.ho("2009-10_Q1")
    fy, code = col(hh, "Financial Year"), col(hh, "Offence Code")

    def ho_year(year: str) -> list[list[str]]:
        return [[year if i == fy else v for i, v in enumerate(r)] for r in hr]

    add(Case("ho_future_year_2099-00_Q1.csv", H, "financial year 2099/00 (in the future)",
             csv_bytes(hh, ho_year("2099/00")), "fail", "quarantined",
             "refused: no period after today", row=2, column="Financial Year",
             check="period not in the future"))
    add(Case("ho_impossible_year_2009-11_Q1.csv", H, "financial year '2009/11' (not a year)",
             csv_bytes(hh, ho_year("2009/11")), "fail", "quarantined",
             "refused: a period that cannot be read never loads as NULL", row=2,
             column="Financial Year", check="period readable"))
    with open(HERE.parents[1] / "config" / "offence_codes.csv", newline="") as fh:
        from_2008 = {r["offence_code"] for r in csv.DictReader(fh) if r["valid_from"] >= "2008"}
    rows = ho_year("2003/04")
    first = next(i for i, r in enumerate(rows) if r[code] in from_2008)
    add(Case("ho_codes_of_2008_in_2003-04_Q1.csv", H, "offence codes introduced in April 2008 "
             "in a 2003/04 quarter", csv_bytes(hh, rows), "fail", "quarantined",
             "refused: codes not valid for the period", row=first + 2, column="Offence Code",
             check="offence code valid for the period"))
    # 50 MB of blank lines after the table: ~50 KB of gzip, a ratio far over 200
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb", mtime=GZIP_TIME, filename="") as fh:
        fh.write(csv_bytes(hh, hr))
        for _ in range(50):
            fh.write(b"\n" * 1_000_000)
    add(Case("ho_gzip_bomb_2009-10_Q1.csv.gz", H, "a gzip inflating 1,000 times its size",
             bomb.getvalue(), "fail", "quarantined",
             "refused before it is inflated: the limit named", check="decompressed size within "
             "limits"))

    P = "police_crime"
    ph, pr = good.police("2009-10_Q1")
    ward = col(ph, "Ward Name")
    rows = [list(r) for r in pr]
    rows[20][ward] = "Bargate" + "x" * 20_000
    add(Case("police_huge_cell_2009-10_Q1.csv", P, "a 20,000-character cell",
             csv_bytes(ph, rows), "fail", "quarantined", "refused: the limit named, no value",
             row=22, column="Ward Name", check="cells within limits"))
    _, rows = good.csv("police_crime", "*_2009-10_Q1.csv", n=100)
    rows[80][ward] = "Bar\x00gate"
    data = csv_bytes(ph, rows)
    assert data.index(b"\x00") > 4096  # a NUL in the first 4 KB is a binary file
    add(Case("police_nul_byte_2009-10_Q1.csv", P, "a NUL byte in a cell past the first 4 KB",
             data, "fail", "quarantined", "refused: the limit named, no value",
             row=82, column="Ward Name", check="cells within limits"))
    add(Case("police_header_holds_nhs_number_2009-10_Q1.csv", P, "personal data: an NHS "
             "number and a postcode in a header cell", csv_bytes(
                 [*ph, "Ref 943 476 5919 SO17 1BJ"], [[*r, ""] for r in pr]), "fail",
             "quarantined", "refused: the header named, never echoed", row=1,
             column="(header row)", check="a header cell holds NHS numbers",
             secret="943 476 5919|5919|SO17 1BJ"))

    ED = "istv"
    ih, ir = good.istv("2009-10_Q1")
    rows = [list(r) for r in ir]
    rows[4][col(ih, "ASSAULT LOCATION DESCRIPTION")] = "near 943\u00a0476\u00a05919"
    rows[9][col(ih, "ASSAULT METHOD OTHER DESCRIPTION")] = "\uff19\uff14\uff13\uff14\uff17\uff16" \
        "\uff15\uff19\uff11\uff19"
    add(Case("istv_nhs_number_unicode_2009-10_Q1.csv", ED, "personal data: NHS numbers with "
             "no-break spaces and in full-width digits", csv_bytes(ih, rows), "fail",
             "quarantined", "refused: Unicode normalised before matching, values withheld",
             row=6, column="ASSAULT LOCATION DESCRIPTION", check="NHS numbers (valid check digit)",
             secret="943\u00a0476\u00a05919|\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19"))

    M = "marac"
    mh, mr = good.marac("2009-10_Q1")
    add(Case("marac_dob_in_free_text_2009-10_Q1.csv", M, "personal data: a date of birth and "
             "a titled name in a free-text column", csv_bytes(
                 [*mh, "Comments"], [[*r, "DOB 14/03/1961, Mrs Gwendolyn Tester" if i == 3
                                      else ""] for i, r in enumerate(mr)]), "fail",
             "quarantined", "refused: value withheld", row=5, column="Comments",
             check="dates of birth", secret="14/03/1961|Gwendolyn"))

    F = "fire"
    t, fh_, fr = good.fire("2009-10_Q1")
    rows = [list(r) for r in fr]
    rows[2][col(fh_, "Ward Name")] = "DOB 02/11/1958"
    add(Case("fire_dob_in_ward_2009-10_Q1.xlsx", F, "personal data: a date of birth (fire "
             "incidents are guarded now)", fire_book(t, fh_, rows), "fail", "quarantined",
             "refused: value withheld, file not copied", row=6, column="Ward Name",
             check="dates of birth", secret="02/11/1958"))

    S = "place_survey"
    sh, sr = good.csv("place_survey", "*respondents.csv")
    rows = [list(r) for r in sr]
    rows[6][col(sh, "Ward Name")] = "resp.tester@example.org"
    add(Case("place_survey_email_in_ward.csv", S, "personal data: an email address in a "
             "respondent row (survey respondents are guarded now)", csv_bytes(sh, rows),
             "fail", "quarantined", "refused: value withheld, file not copied", row=8,
             column="Ward Name", check="email addresses", secret="resp.tester@example.org"))


DOCS = HERE.parents[1] / "docs" / "reliability.md"
TABLE_START, TABLE_END = "<!-- corpus-table:start -->", "<!-- corpus-table:end -->"


def docs_table(expected: list[dict[str, str]]) -> str:
    """The Markdown table of ``docs/reliability.md``, from EXPECTED.csv rows."""
    outcome = {k: sum(e["refresh"] == k for e in expected)
               for k in ("quarantined", "loaded", "unchanged")}
    sources = len({e["source"] for e in expected})
    personal = sum(bool(e["secret"]) for e in expected)
    lines = [f"{len(expected)} files, {sources} sources: {outcome['quarantined']} refused "
             f"({personal} of them for personal data), {outcome['loaded']} loaded with their "
             f"normalisation stated, {outcome['unchanged']} skipped as already loaded.", "",
             "| file | source | case | validate | refresh | where (row · column · check) or "
             "normalisation | outcome |", "|---|---|---|---|---|---|---|"]
    for e in expected:
        where = " · ".join(x for x in (f"row {e['row']}" if e["row"] else "", e["column"],
                                         f"`{e['check']}`" if e["check"] else "") if x)
        if e["note"]:
            where = f"note: “{e['note']}”"
        cells = [f"`{e['file']}`", e["source"], e["case"], e["validate"], e["refresh"],
                 where, e["expected"] + (" (personal data: never echoed)" if e["secret"] else "")]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def write_docs_table() -> None:
    """Replace the table between the markers in ``docs/reliability.md``."""
    text = DOCS.read_text(encoding="utf-8")
    with open(BAD / "EXPECTED.csv", newline="", encoding="utf-8") as fh:
        table = docs_table(list(csv.DictReader(fh)))
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    DOCS.write_text(f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}", encoding="utf-8")


def main(sample: Path | None = None) -> None:
    """``sample``: an already generated sample folder (default seed) to start from."""
    with tempfile.TemporaryDirectory() as tmp:
        if sample is None:
            sample = Path(tmp)
            generate_sample(sample, sources=["police_crime", "ho_csp_crime", "istv", "fire",
                                             "marac", "place_survey", "population", "msg"])
        found, baseline = cases(Good(sample))
    names = [c.file for c in found]
    assert len(names) == len(set(names)), "file names must be unique"
    for folder in (BAD, BASELINE):
        if folder.exists():
            shutil.rmtree(folder)
    BAD.mkdir(parents=True)
    for case in found:
        (BAD / case.file).write_bytes(case.data)
    for name, data in baseline.items():
        (BASELINE / name).parent.mkdir(parents=True, exist_ok=True)
        (BASELINE / name).write_bytes(data)
    with open(BAD / "EXPECTED.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for c in found:
            writer.writerow([c.file, c.source, c.case, c.validate, c.refresh, c.run,
                             "" if c.row is None else c.row, c.column, c.check, c.note, c.secret,
                             c.expected])
    if DOCS.is_file() and TABLE_START in DOCS.read_text(encoding="utf-8"):
        write_docs_table()
    print(f"{len(found)} corpus files in {BAD}, {len(baseline)} baseline files in {BASELINE}")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--docs-only"]:
        write_docs_table()
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
