"""Issue 14 item 1: a natural key for every source, enforced between the files of one run, and
re-issues that shrink coverage refused unless ``--accept-shrink``.

Expected values are recounted from the files themselves (rows per CSP with the csv module),
never from the loader's own figures."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.settings import get_settings
from scp_metrics.steps import ingest_files
from scp_metrics.warehouse import connect, table_checksums
from scp_metrics.warehouse.history import consistency_problems

BASELINE = Path(__file__).resolve().parents[2] / "data" / "baseline"
ISTV = BASELINE / "istv" / "istv_ed_assaults_RHM01_2009-10_Q3.csv"
HO = BASELINE / "ho_csp_crime" / "ho_csp_recorded_crime_2009-10_Q3.csv"


@pytest.fixture
def settings(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    return get_settings(raw_dir=raw, warehouse=tmp_path / "scp.duckdb",
                        quarantine_dir=tmp_path / "quarantine", outputs_dir=tmp_path / "out")


def run(settings, files: list[Path], run_id: str, accept_shrink: bool = False):
    return ingest_files(files, settings, run_id, accept_shrink=accept_shrink)


def checksums(settings) -> dict[str, str]:
    con = connect(settings.warehouse)
    try:
        return table_checksums(con)
    finally:
        con.close()


def ho_rows(csp: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The baseline's CSP table (Bristol's rows) with the same rows for Southampton (Hampshire)
    added; only ``csp``'s rows when given."""
    with open(HO, newline="") as fh:
        rows = list(csv.reader(fh))
    body = rows[1:] + [[r[0], r[1], "Hampshire", "Southampton", *r[4:]] for r in rows[1:]]
    return rows[0], [r for r in body if csp is None or r[3] == csp]


def write_csv(path: Path, header: list[str], body: list[list[str]]) -> Path:
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return path


def test_the_same_quarter_as_csv_and_as_xlsx_in_one_run_refuses_both(settings):
    before = checksums(settings)
    csv_copy = shutil.copy(ISTV, settings.raw_dir / ISTV.name)
    xlsx = settings.raw_dir / (ISTV.stem + "_resent.xlsx")
    pd.read_csv(ISTV, dtype=str, keep_default_na=False).to_excel(xlsx, index=False)
    outcomes = run(settings, [Path(csv_copy), xlsx], "r1")
    assert [o.status for o in outcomes] == ["quarantined", "quarantined"]
    assert checksums(settings) == before  # the first file's load was undone
    first = pd.read_csv(outcomes[0].report, dtype=str)
    second = pd.read_csv(outcomes[1].report, dtype=str)
    assert xlsx.name in first["check"].iloc[0] and "both files refused" in first["check"].iloc[0]
    assert ISTV.name in second["check"].iloc[0] and "keep one" in second["check"].iloc[0]
    assert second["row"].iloc[0] == "2"  # the first data row of the workbook repeats the CSV's
    assert second["value"].isna().all()  # key values of a guarded source are not quoted


def test_a_quarter_split_into_files_with_disjoint_keys_loads(settings):
    header, body = ho_rows()
    a = write_csv(settings.raw_dir / "ho_a_2009-10_Q3.csv", header, body[::2])
    b = write_csv(settings.raw_dir / "ho_b_2009-10_Q3.csv", header, body[1::2])
    outcomes = run(settings, [a, b], "r1")
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    con = connect(settings.warehouse)
    try:
        assert con.execute("select count(*) from raw_ho_csp_crime").fetchall()[0][0] == len(body)
        assert consistency_problems(con) == []
    finally:
        con.close()


def test_a_reissue_covering_fewer_areas_needs_accept_shrink(settings):
    header, body = ho_rows()
    full = write_csv(settings.raw_dir / "ho_2009-10_Q3.csv", header, body)
    assert run(settings, [full], "r1")[0].status == "loaded"
    before = checksums(settings)
    _, home = ho_rows("Southampton")
    reissue = write_csv(settings.raw_dir / "ho_reissue_2009-10_Q3.csv", header,
                        [[*r[:8], str(int(r[8]) + 1)] for r in home])
    refused = run(settings, [reissue], "r2")[0]
    assert refused.status == "quarantined"
    assert checksums(settings) == before
    check = pd.read_csv(refused.report, dtype=str)["check"].iloc[0]
    lost = 1  # Bristol, in the one quarter
    assert f"{lost} area/month(s) loaded before are not in it" in check
    assert "Bristol in the period from 2009-10-01" in check and "--accept-shrink" in check

    accepted = run(settings, [reissue], "r3", accept_shrink=True)[0]
    assert accepted.status == "loaded"
    assert accepted.shrunk == ["Bristol in the period from 2009-10-01"]
    con = connect(settings.warehouse)
    try:
        live = con.execute("select csp_name, sum(number_of_offences) from raw_ho_csp_crime "
                           "group by 1").fetchall()
        notes = con.execute("select notes from load_batches order by batch_id desc limit 1"
                            ).fetchall()[0][0]
    finally:
        con.close()
    assert live == [("Southampton", sum(int(r[8]) + 1 for r in home))]
    assert "coverage shrank (accepted with --accept-shrink)" in notes


def test_a_reissue_covering_the_same_areas_replaces_without_asking(settings):
    header, body = ho_rows()
    full = write_csv(settings.raw_dir / "ho_2009-10_Q3.csv", header, body)
    assert run(settings, [full], "r1")[0].status == "loaded"
    again = write_csv(settings.raw_dir / "ho_v2_2009-10_Q3.csv", header,
                      [[*r[:8], "0"] for r in body])
    outcome = run(settings, [again], "r2")[0]
    assert (outcome.status, outcome.replaced_rows, outcome.shrunk) == ("loaded", len(body), [])
