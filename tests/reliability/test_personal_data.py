"""Issue 14 item 4: personal data never gets in, and a person-level source's values are never
echoed.

Personal values are planted in a raw folder beside the mini fixture's good files: NHS numbers
written with Unicode spaces, dashes, dots, full-width digits and a zero-width space; an NHS
number, a postcode and a name in *header cells*; a date of birth and a titled name in free-text
columns; an email in a Place Survey respondent file and a date of birth in a fire incidents file
(both guarded now); an ordinary refusal of a MARAC file (a bad victim reference, which is a
person's identifier); and a patient export no source recognises.

One refresh through the CLI (``main``, stdout and stderr captured, every log record captured),
publishing the CSVs, the workbook and ``refresh_summary.md`` (the Prefect artifact's markdown).
Then every planted value is looked for in: every table of the warehouse as text, every file of
the quarantine and of the outputs (xlsx unzipped), the terminal and the logs. None may appear.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import shutil
import zipfile
from pathlib import Path

import pytest

from scp_metrics.cli import main
from scp_metrics.ingest.guard import nhs_number_valid, unify
from scp_metrics.steps import publishing
from scp_metrics.warehouse import connect

TESTS = Path(__file__).resolve().parents[1]
MINI = TESTS / "fixtures" / "mini_raw"
BASELINE = TESTS / "data" / "baseline"

NHS = "9434765919"  # the NHS's own example number, valid check digit
NHS_2 = "4010232137"
NHS_3 = "6000000006"
#: The same numbers as they are planted (Unicode separators, full-width digits, zero-width).
NBSP_NHS = "943\u00a0476\u00a05919"
DASH_NHS = "401\u2013023\u20132137"
DOT_NHS = "600\u00b7000\u00b70006"
WIDE_NHS = "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19"
ZW_NHS = "401\u200b023\u200b2137"
THIN_NHS = "943\u2009476\u20095919"
HEADER_NAME = "Name: Wilhelmina Planted"
POSTCODE = "SO17 1BJ"
DOB_TEXT = "DOB 14/03/1961"
TITLED = "Mrs Gwendolyn Plantagenow"
EMAIL = "gwen.plantagenow@example.org"
BAD_REFERENCE = "VPLANTED7"  # a victim's reference of the wrong format: refused, never echoed
PATIENT = "Bartholomew Patientson"

SECRETS = [NBSP_NHS, DASH_NHS, DOT_NHS, WIDE_NHS, ZW_NHS, THIN_NHS, NHS, NHS_2, "943 476 5919",
           "Wilhelmina", POSTCODE, "14/03/1961", "Gwendolyn", "Plantagenow", EMAIL,
           "Bartholomew", "Patientson", BAD_REFERENCE]


def test_the_planted_numbers_are_nhs_numbers_once_unified():
    for planted, digits in [(NBSP_NHS, NHS), (DASH_NHS, NHS_2), (DOT_NHS, NHS_3),
                            (WIDE_NHS, NHS), (ZW_NHS, NHS_2), (THIN_NHS, NHS)]:
        assert unify(planted).replace(" ", "").replace("-", "").replace(".", "") == digits
        assert nhs_number_valid(digits)


def rows_of(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def plant(raw: Path) -> dict[str, str]:
    """The hostile files, each with what it should be refused for (a check's words)."""
    istv = rows_of(next((BASELINE / "istv").glob("*.csv")))
    body = [r[:] for r in istv[1:6]]
    body[1][6], body[2][8] = f"patient {NBSP_NHS}", f"ref {DASH_NHS}"
    body[3][6], body[4][8] = WIDE_NHS, f"{ZW_NHS} / {DOT_NHS}"
    write(raw / "istv_ed_assaults_RHM01_2009-10_Q1.csv", [istv[0], *body])

    police = rows_of(next((BASELINE / "police_crime").glob("*Q3.csv")))
    header = [*police[0], f"Notes {THIN_NHS}", f"Home {POSTCODE}", HEADER_NAME]
    write(raw / "police_recorded_crime_E06000045_2008-09_Q3.csv",
          [header, *[[*r, "", "", ""] for r in police[1:6]]])

    marac = rows_of(next((BASELINE / "marac").glob("*.csv")))
    body = [r[:] for r in marac[1:6]]
    body[2][1] = BAD_REFERENCE
    write(raw / "marac_cases_southampton_2008-09_Q1.csv", [marac[0], *body])
    marac_text = [[*marac[0], "Comments"], *[[*r, ""] for r in marac[1:4]]]
    marac_text[2][-1] = f"seen with {TITLED}, {DOB_TEXT}"
    write(raw / "marac_cases_southampton_2008-09_Q2.csv", marac_text)

    survey = rows_of(next((BASELINE / "place_survey").glob("*respondents.csv")))
    body = [r[:] for r in survey[1:6]]
    body[3][1] = EMAIL
    write(raw / "place_survey_2008_southampton_respondents.csv", [survey[0], *body])

    shutil.copy(next((BASELINE / "fire").glob("*.xlsx")),
                raw / "hfrs_incidents_southampton_2009-10_Q3.xlsx")
    _plant_in_workbook(raw / "hfrs_incidents_southampton_2009-10_Q3.xlsx",
                       f"{DOB_TEXT} {TITLED}")

    write(raw / "patient_export.csv", [["Patient", "NHS Number", "Postcode"],
                                       [PATIENT, NHS, POSTCODE]])
    return {"istv": "NHS numbers", "police": "header cell", "marac Q1": "str_matches",
            "marac Q2": "dates of birth", "survey": "email", "fire": "dates of birth"}


def _plant_in_workbook(path: Path, text: str) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "Ward Name" or cell.value == "Ward":
                sheet.cell(row=cell.row + 2, column=cell.column, value=text)
                book.save(path)
                return
    raise AssertionError("no Ward Name column in the fire baseline")


def everything_as_text(warehouse: Path) -> str:
    con = connect(warehouse, read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables order by 1").fetchall()]
        parts = []
        for name in tables:
            quoted = '"' + name.replace('"', '""') + '"'
            rows = con.execute(f"select * from {quoted}").fetchall()
            parts.append(f"{name}\n" + "\n".join(map(repr, rows)) + "\n" + str(rows))
        return "\n".join(parts)
    finally:
        con.close()


def files_as_text(folder: Path) -> str:
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts.append(path.name)
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                parts += [book.read(n).decode("utf-8", "replace") for n in book.namelist()]
        elif path.suffix not in (".png", ".svg", ".pdf"):
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    base = tmp_path_factory.mktemp("personal")
    raw = base / "raw"
    shutil.copytree(MINI, raw)
    expected = plant(raw)
    handler = _Collect()
    logging.getLogger().addHandler(handler)
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(publishing, "PUBLISH_STEPS",
                       (publishing.publish_csvs, publishing.publish_workbook))
            mp.setenv("SCP_QUARANTINE_DIR", str(base / "quarantine"))
            mp.setenv("SCP_OUTPUTS_DIR", str(base / "outputs"))
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["refresh", "--engine", "local", "--raw-dir", str(raw),
                             "--warehouse", str(base / "scp.duckdb"), "--wait", "0"])
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    return code, base, expected, "\n".join(handler.lines), out.getvalue() + err.getvalue()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_every_planted_file_is_refused_and_the_good_ones_load(refreshed):
    code, base, expected, _, terminal = refreshed
    assert code == 1, terminal
    (folder,) = list((base / "quarantine").iterdir())
    reports = {p.name: p.read_text() for p in folder.glob("*.report.csv")}
    planted = {"istv": "istv_", "police": "police_recorded_crime_E06000045_2008-09",
               "marac Q1": "marac_cases_southampton_2008-09_Q1",
               "marac Q2": "marac_cases_southampton_2008-09_Q2", "survey": "place_survey",
               "fire": "hfrs_"}
    for what, prefix in planted.items():
        (report,) = [text for name, text in reports.items() if name.startswith(prefix)]
        assert expected[what] in report, (what, report)
    assert any(n.startswith("patient_export") for n in reports)
    # no planted file is copied: person-level sources and unrecognised files are never copied
    assert sorted(p.name for p in folder.iterdir() if ".report." not in p.name) == []
    con = connect(base / "scp.duckdb", read_only=True)
    try:
        loaded = con.execute("select count(*) from load_batches where status = 'loaded'")
        assert loaded.fetchall()[0][0] == 4  # the mini fixture's four files
    finally:
        con.close()


def test_no_planted_value_appears_anywhere(refreshed):
    code, base, _, logs, terminal = refreshed
    places = {"warehouse": everything_as_text(base / "scp.duckdb"),
              "quarantine": files_as_text(base / "quarantine"),
              "outputs": files_as_text(base / "outputs"),
              "logs": logs, "terminal": terminal}
    assert "refresh_summary.md" in places["outputs"] and "REFUSED" in terminal
    assert len(places["warehouse"]) > 10_000  # (the local engine logs only charts and report)
    for place, text in places.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in the {place}"
