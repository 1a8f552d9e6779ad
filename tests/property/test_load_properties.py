"""Property tests of the load path: the marts do not depend on the order of rows in a file, on how
a quarter is split across files delivered in one run, or on how often the refresh is re-run.

Small generated extracts (two quarters of police records, the Home Office CSP table for them,
the mini population workbook) go through the real ``refresh.ingest_file`` (sha256 skip,
validation, transactional load) into an in-memory DuckDB; the SQL models and
``mart_indicator_values`` are then built as ``build_models`` builds them, and compared with a
reference built once from the files as delivered.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scp_metrics.settings import get_settings
from scp_metrics.steps import ingest_file
from scp_metrics.warehouse import connect, table_checksums
from scp_metrics.warehouse.build import MODELS, load_reference_tables, read_sql, replace_table
from scp_metrics.warehouse.history import consistency_problems
from scp_metrics.warehouse.marts.indicator_values import build_indicator_values
from scp_metrics.warehouse.queries import sql_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mini_raw"
POLICE_HEADER = ["Crime Reference", "Recorded Date", "Offence Date", "Offence Time",
                 "HO Offence Code", "HO Offence Description", "Ward Code", "Ward Name",
                 "LSOA Code", "Beat", "Domestic Abuse Flag", "Alcohol Related Flag",
                 "Hate Crime Flag", "City Centre Flag", "NTE Flag"]
HO_HEADER = ["Financial Year", "Financial Quarter", "Police Force", "CSP Name",
             "Offence Description", "Offence Group", "Offence Subgroup", "Offence Code",
             "Offence Count"]
CODES = ["8G", "105A", "28", "46", "45", "58C", "5A", "34B"]
QUARTERS = {"2009-10_Q1": (4, 5, 6), "2009-10_Q2": (7, 8, 9)}
EXAMPLES = settings(max_examples=8, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def police_rows(tag: str, months: tuple[int, ...]) -> list[list[str]]:
    rows = []
    for i in range(45):
        month, day = months[i % 3], 1 + (i * 7) % 28
        code = CODES[i % len(CODES)]
        rows.append([f"44/{months[0]:02d}{i:04d}/09", f"{day:02d}/{month:02d}/2009",
                     f"{day:02d}/{month:02d}/2009", f"{(i * 5) % 24:02d}:{i % 60:02d}", code,
                     "Synthetic", "E05002455", "Bargate", "E01017140", "SBG01",
                     "Y" if i % 4 == 0 else "N", "N", "N", "Y" if i % 3 == 0 else "N", "N"])
    return rows


def ho_rows(tag: str) -> list[list[str]]:
    q = int(tag[-1])
    return [["2009/10", str(q), "Hampshire", csp, "Synthetic", "Synthetic", "", code,
             str(10 + 7 * i + 3 * q)]
            for i, (csp, code) in enumerate((c, k) for c in ("Southampton", "Portsmouth")
                                            for k in CODES)]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


FILES = {f"police_{tag}.csv": (POLICE_HEADER, police_rows(tag, months))
         for tag, months in QUARTERS.items()}
FILES.update({f"ho_{tag}.csv": (HO_HEADER, ho_rows(tag)) for tag in QUARTERS})


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("load_properties")


def marts_after(runs: list[list[tuple[str, bytes]]], work: Path) -> tuple[dict[str, str], object]:
    """Ingest each run's files (a run: ``(name, bytes)`` pairs) and build the indicator mart."""
    cfg = get_settings(quarantine_dir=work / "quarantine", home_area="E06000045")
    con = connect(":memory:")
    try:
        for number, files in enumerate(runs):
            folder = work / f"run{number}"
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in [*files, ("population.xlsx", None)]:
                path = folder / name
                if data is None:
                    path.write_bytes((FIXTURES / "ons_mye2_persons_mid-2008.xlsx").read_bytes())
                else:
                    path.write_bytes(data)
                outcome = ingest_file(con, path, cfg, f"run{number}")
                assert outcome.status in ("loaded", "unchanged"), outcome
        assert consistency_problems(con) == []
        build(con, cfg)
        return table_checksums(con, "mart_"), con.execute(
            "select count(*) from load_batches where status = 'loaded'").fetchall()[0][0]
    finally:
        con.close()


def build(con: duckdb.DuckDBPyConnection, cfg) -> None:  # noqa: ANN001
    """The SQL models and mart_indicator_values, as ``build_models`` builds them."""
    con.execute(sql_text("macros"))
    load_reference_tables(con, cfg)
    for layer, name in MODELS:
        con.execute(f'create or replace table "{name}" as {read_sql(layer, name)}')
    replace_table(con, "mart_indicator_values", build_indicator_values(con, cfg))


def as_delivered() -> list[tuple[str, bytes]]:
    return [(name, csv_bytes(header, rows)) for name, (header, rows) in FILES.items()]


@pytest.fixture(scope="module")
def reference(work) -> dict[str, str]:
    marts, _ = marts_after([as_delivered()], work / "reference")
    assert marts["mart_indicator_values"].split(":")[0] != "0"
    return marts


@EXAMPLES
@given(data=st.data())
def test_any_shuffle_of_rows_gives_the_same_marts(data, reference, work):
    files = []
    for name, (header, rows) in FILES.items():
        order = data.draw(st.permutations(range(len(rows))), label=name)
        files.append((name, csv_bytes(header, [rows[i] for i in order])))
    files = data.draw(st.permutations(files), label="file order")
    assert marts_after([files], work / "shuffle")[0] == reference


@EXAMPLES
@given(data=st.data())
def test_any_split_of_a_quarter_across_files_in_one_run_gives_the_same_marts(data, reference,
                                                                              work):
    files = []
    for name, (header, rows) in FILES.items():
        parts = data.draw(st.integers(1, 4), label=f"{name} parts")
        owner = data.draw(st.lists(st.integers(0, parts - 1), min_size=len(rows),
                                   max_size=len(rows)), label=f"{name} split")
        for part in range(parts):
            chunk = [row for row, o in zip(rows, owner, strict=True) if o == part]
            if chunk:  # a header-only part would be refused, as it should be
                files.append((f"part{part}_{name}", csv_bytes(header, chunk)))
    files = data.draw(st.permutations(files), label="file order")
    marts, live = marts_after([files], work / "split")
    assert marts == reference
    assert live == len(files) + 1  # every part is its own live batch (+ the population)


@EXAMPLES
@given(data=st.data())
def test_any_rerun_gives_the_same_marts(data, reference, work):
    runs = []
    for _ in range(data.draw(st.integers(2, 4), label="runs")):
        names = data.draw(st.lists(st.sampled_from(sorted(FILES)), min_size=1, unique=True),
                          label="files in this run")
        runs.append([(n, csv_bytes(*FILES[n])) for n in names])
    runs.append(as_delivered())  # the last run delivers everything (again)
    marts, live = marts_after(runs, work / "rerun")
    assert marts == reference
    assert live == len(FILES) + 1  # re-delivered files were skipped as unchanged
