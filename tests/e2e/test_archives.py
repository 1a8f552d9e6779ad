"""The files as people download them give the same marts as the loose files (issue 16, item 3).

* police.uk monthly archives: street files of real Hampshire months (../shared/realdata, cut to
  their first rows to stay quick) zipped as data.police.uk serves them, with outcomes and
  stop-and-search beside them, against the same files loose and gzipped;
* the Home Office CSP table as ODS in both header editions, and the ONS mid-year table as CSV,
  against the fixture's CSV and XLSX (tests/fixtures/mini_raw).
"""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.settings import get_settings
from scp_metrics.steps import find_extracts, ingest_files, run_refresh
from scp_metrics.warehouse import connect, table_checksums
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.e2e

ROWS = 1500
MONTHS = ("2018-10", "2018-11")


def refresh(settings) -> tuple[dict[str, str], object]:
    """Every mart's checksum after a refresh; mart_unplaced_rows names its files, so it is
    given as its rows with the file's name without ".gz" (a loose file may be gzipped)."""
    summary = run_refresh(settings, publish=False)
    con = connect(settings.warehouse, read_only=True)
    try:
        marts = table_checksums(con, "mart_")
        unplaced = con.execute("select * exclude (file_name), "
                               "regexp_replace(file_name, '\\.gz$', '') as file_name "
                               "from mart_unplaced_rows order by all").df()
        marts["mart_unplaced_rows"] = unplaced.to_csv(index=False)
        return marts, summary
    finally:
        con.close()


def test_a_police_uk_archive_gives_the_marts_of_its_loose_files(tmp_path, settings_for):
    hampshire = shared_or_skip("realdata", "police_uk_street", "hampshire")
    texts = {}
    for month in MONTHS:
        with gzip.open(hampshire / f"{month}-hampshire-street.csv.gz", "rt", newline="") as fh:
            texts[month] = "".join(line for _, line in zip(range(ROWS + 1), fh, strict=False))
    loose, zipped = tmp_path / "loose", tmp_path / "zipped"
    loose.mkdir()
    zipped.mkdir()
    for month, text in texts.items():
        with gzip.open(loose / f"{month}-hampshire-street.csv.gz", "wt", newline="") as fh:
            fh.write(text)
    with zipfile.ZipFile(zipped / "2018-11.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for month, text in texts.items():
            zf.writestr(f"{month}/{month}-hampshire-street.csv", text)
            zf.writestr(f"{month}/{month}-hampshire-outcomes.csv", "Crime ID,Month\n")
        zf.writestr("2018-11/2018-11-hampshire-stop-and-search.csv", "Type,Date\n")

    marts_loose, from_loose = refresh(settings_for(loose, "wh-loose"))
    marts_zipped, from_zip = refresh(settings_for(zipped, "wh-zipped"))
    assert [f.status for f in from_loose.files] == ["loaded", "loaded"]
    assert [(f.file, f.status, f.rows) for f in from_zip.files] == [
        (f"{m}-hampshire-street.csv", "loaded", ROWS) for m in MONTHS]
    assert [f.sha256 for f in from_zip.files] == [f.sha256 for f in from_loose.files]
    assert from_zip.files[0].notes[-2:] == [
        "from the archive 2018-11.zip",
        "skipped in 2018-11.zip (not loaded): 2 outcomes files, 1 stop-and-search files"]
    assert marts_zipped == marts_loose
    assert int(marts_loose["mart_indicator_values"].split(":")[0]) > 0  # "rows:digest"

    # the archive next to its loose files: the same content, so nothing is loaded twice
    shutil.copy(zipped / "2018-11.zip", loose / "2018-11.zip")
    marts_both, both = refresh(settings_for(loose, "wh-loose"))
    assert {f.file: f.status for f in both.files} == {
        f"{m}-hampshire-street.csv{gz}": "unchanged" for m in MONTHS for gz in ("", ".gz")}
    assert marts_both == marts_loose


def test_a_zip_bomb_in_the_raw_folder_is_refused_and_the_rest_loads(tmp_path, settings_for,
                                                                    mini_raw):
    raw = tmp_path / "raw"
    shutil.copytree(mini_raw, raw)
    with zipfile.ZipFile(raw / "2018-10.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2018-10/2018-10-hampshire-street.csv", b"0" * 20_000_000)
    settings = settings_for(raw)
    files = ingest_files(find_extracts(settings), settings, "run-1")  # no marts needed
    refused = {f.file: f for f in files if f.status == "quarantined"}
    assert list(refused) == ["2018-10.zip"]
    check = refused["2018-10.zip"].first_failures[0]["check"]
    assert check.startswith("a compression ratio of at most 200: 2018-10/2018-10-hampshire-"
                            "street.csv in 2018-10.zip inflates")
    assert sum(f.status == "loaded" for f in files) == 4
    staged = settings.warehouse.with_name(settings.warehouse.name + ".archives")
    assert not list(staged.rglob("*.csv")) if staged.exists() else True


@pytest.fixture(scope="module")
def fixture_marts(tmp_path_factory) -> dict[str, str]:
    from tests.conftest import FIXTURES

    mini_raw = FIXTURES / "mini_raw"
    base = tmp_path_factory.mktemp("mini_fixture")
    marts, _ = refresh(get_settings(raw_dir=mini_raw, warehouse=base / "scp.duckdb",
                                    quarantine_dir=base / "quarantine",
                                    outputs_dir=base / "outputs"))
    return marts


def _ods(csv: Path, out: Path, rename: dict[str, str]) -> None:
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False).rename(columns=rename)
    frame.to_excel(out, engine="odf", index=False, sheet_name="Table")


def _population_csv(xlsx: Path, out: Path) -> None:
    cells = pd.read_excel(xlsx, header=None, dtype=str).fillna("")
    cells.to_csv(out, header=False, index=False)


@pytest.mark.parametrize("edition", ["Police Force / Offence Count", "Force Name / Number of "
                                     "Offences"])
def test_an_ods_csp_table_and_a_csv_population_give_the_marts_of_the_fixture(
        tmp_path, settings_for, mini_raw, fixture_marts, edition):
    csp = "ho_csp_recorded_crime_2009-10_Q1"
    population = "ons_mye2_persons_mid-2008"
    converted = tmp_path / "converted"
    shutil.copytree(mini_raw, converted)
    rename = {"Police Force": "Force Name", "Offence Count": "Number of Offences"} \
        if edition.startswith("Force Name") else {}
    _ods(mini_raw / f"{csp}.csv", converted / f"{csp}.ods", rename)
    _population_csv(mini_raw / f"{population}.xlsx", converted / f"{population}.csv")
    (converted / f"{csp}.csv").unlink()
    (converted / f"{population}.xlsx").unlink()
    marts_converted, summary = refresh(settings_for(converted, "converted"))
    status = {f.file: (f.status, f.source, f.rows) for f in summary.files}
    assert status[f"{csp}.ods"][:2] == ("loaded", "ho_csp_crime")
    assert status[f"{population}.csv"][:2] == ("loaded", "population")
    assert marts_converted == fixture_marts
