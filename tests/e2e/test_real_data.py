"""All of ../shared/realdata through the pipeline (local engine), checked against the raw files.

Counts come straight from the gzipped police.uk files with DuckDB (explicit CSV quoting: a few
locations contain commas), areas from the LSOA names with the same config lookups but none of
the pipeline's code, populations straight from the ONS workbook with pandas. The figures the
assertions pin are stated in docs/real-data.md.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from scp_metrics.config import catalogue
from scp_metrics.steps import run_refresh
from scp_metrics.warehouse import connect, table_checksums
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.e2e

ASB = "Anti-social behaviour"
TOTAL_ROWS = 691_200  # 221,272 Hampshire + 469,928 comparator forces (README)
NO_LSOA_ROWS = 20_817
AREA_NOT_COVERED_ROWS = 980
ONS_TOLERANCE_PCT = 12.0  # police.uk monthly mean vs ONS year ÷ 12, see docs/real-data.md


def direct_rows(realdata: Path) -> pd.DataFrame:
    """Every police.uk row, read with DuckDB from the .csv.gz files (no pipeline code)."""
    glob = str(realdata / "police_uk_street" / "*" / "*-street.csv.gz")
    con = duckdb.connect()
    try:
        return con.execute(
            "select parse_filename(filename) as file, \"Month\" as month, "
            "\"Falls within\" as force, \"LSOA name\" as lsoa_name, \"Crime type\" as crime_type, "
            "\"LSOA code\" as lsoa_code "
            "from read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', "
            "all_varchar = true, filename = true, strict_mode = true)", [glob]).df()
    finally:
        con.close()


def ons_population(realdata: Path) -> pd.DataFrame:
    """MYE 5 read with pandas: code, name, mid_year, population."""
    path = realdata / "ons_population" / "ukmidyearestimates20192020ladcodes.xls"
    wide = pd.read_excel(path, sheet_name="MYE 5", header=4, dtype={"Code": str})
    wide = wide[wide["Code"].fillna("").str.match(r"^[EWSNK]\d{8}$")]
    cols = {c: int(c.split("mid-")[1]) for c in wide.columns if "Population mid-" in str(c)}
    long = wide.melt(id_vars=["Code", "Name"], value_vars=list(cols), var_name="col",
                     value_name="population")
    long["mid_year"] = long["col"].map(cols)
    return long.rename(columns={"Code": "code", "Name": "name"})[
        ["code", "name", "mid_year", "population"]]


@pytest.fixture(scope="module")
def realdata() -> Path:
    return shared_or_skip("realdata")


def mart_checksums(settings) -> dict[str, str]:
    con = connect(settings.warehouse, read_only=True)
    try:
        return table_checksums(con, "mart_")
    finally:
        con.close()


@pytest.fixture(scope="module")
def run(realdata: Path, realdata_refresh, tmp_path_factory) -> dict:
    """All of realdata loaded into a fresh warehouse (timed; the session's shared refresh, a
    private copy); then the same folder again; then the folder with a renamed copy of one file,
    rebuilding every mart (``force``)."""
    base = tmp_path_factory.mktemp("real")
    settings, summary, seconds = realdata_refresh(base)
    marts = mart_checksums(settings)
    again = run_refresh(settings, publish=False)
    marts_again = mart_checksums(settings)
    copies = base / "raw_with_copies"  # the same files (linked) plus a renamed copy
    for path in realdata.rglob("*"):
        if path.is_file():
            target = copies / path.relative_to(realdata)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, target)
    source = realdata / "police_uk_street" / "hampshire" / "2018-10-hampshire-street.csv.gz"
    shutil.copy(source, copies / "zz-renamed-copy-of-october.csv.gz")
    forced = run_refresh(dataclasses.replace(settings, raw_dir=copies), publish=False,
                         force=True)  # every mart rebuilt from the warehouse
    return {"settings": settings, "summary": summary, "seconds": seconds, "marts": marts,
            "again": again, "marts_again": marts_again, "forced": forced,
            "marts_forced": mart_checksums(settings)}


@pytest.fixture(scope="module")
def con(run):
    connection = connect(run["settings"].warehouse, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def rows(realdata) -> pd.DataFrame:
    return direct_rows(realdata)


@pytest.fixture(scope="module")
def placed(rows, realdata) -> pd.DataFrame:
    """The direct rows with their area (same config lookups, independent code) and whether
    the area-month is reported (the area's own force's file for the month is in the folder)."""
    cfg = Path(__file__).resolve().parents[2] / "config"
    lookup = dict(pd.read_csv(cfg / "lsoa_prefix_lookup.csv", dtype=str)[
        ["lsoa_prefix", "area_code"]].itertuples(index=False))
    population = ons_population(realdata)
    las = population[population["code"].str.match(r"^(E0[6-9]|W06|S12|N09)")]
    by_name = dict(las.drop_duplicates("code")[["name", "code"]].itertuples(index=False))
    forces = pd.read_csv(cfg / "police_forces.csv", dtype=str)
    pfa_of_force = dict(forces[["police_uk_name", "pfa_code"]].itertuples(index=False))
    pfa_of_area = dict(pd.read_csv(cfg / "police_force_areas.csv", dtype=str)[
        ["area_code", "pfa_code"]].itertuples(index=False))
    frame = rows.copy()
    frame["prefix"] = frame["lsoa_name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    frame["area_code"] = frame["prefix"].map(lambda p: lookup.get(p, by_name.get(p)))
    loaded = {(pfa_of_force[f], m) for f, m in frame[["force", "month"]].drop_duplicates()
              .itertuples(index=False)}
    frame["covered"] = [(pfa_of_area.get(a), m) in loaded
                        for a, m in zip(frame["area_code"], frame["month"], strict=True)]
    return frame


def test_every_supported_file_loads_and_nothing_is_refused(run):
    summary = run["summary"]
    by_source: dict[str, int] = {}
    for f in summary.files:
        by_source[f.source] = by_source.get(f.source, 0) + 1
    assert not summary.quarantined, [(f.file, f.first_failures) for f in summary.quarantined]
    assert by_source == {"police_uk_street": 59, "population": 1, "ons_pfa": 4, "nhs_ae": 1}
    print(f"\nreal data: {summary.headline()} in {run['seconds']:.0f} s")


def test_raw_rows_equal_the_files_and_ledger_hashes_the_published_sha256(con, rows, realdata):
    assert len(rows) == TOTAL_ROWS
    loaded = con.execute("select count(*) from raw_police_uk_street").fetchall()[0][0]
    assert loaded == TOTAL_ROWS
    per_file = con.execute(
        "select b.file_name, count(*) from raw_police_uk_street r join load_batches b "
        "using (batch_id) group by 1").fetchall()
    assert dict(per_file) == rows.groupby("file").size().to_dict()
    published = {}
    for name in ("hampshire", "comparator"):
        for line in (realdata / "police_uk_street" / f"{name}_sha256_uncompressed.txt"
                     ).read_text().splitlines():
            sha, file = line.split()
            published[file + ".gz"] = sha
    ledger = dict(con.execute("select file_name, sha256 from load_batches where source = "
                              "'police_uk_street'").fetchall())
    assert ledger == published  # the content hash is of the uncompressed file


def test_counts_per_area_equal_a_direct_count_except_the_reported_unplaced_rows(con, placed):
    types = catalogue.read_police_uk_crime_types(Path(__file__).resolve().parents[2] / "config")
    in_all = set(types.loc[types["in_all_crime"], "crime_type"])
    counted = placed[placed["area_code"].notna() & placed["covered"]]
    expected = []
    for crime_type, grp in counted.groupby("crime_type"):
        slug = types.set_index("crime_type").loc[crime_type, "slug"]
        expected.append(grp.groupby(["area_code", "month"]).size().rename(f"police_uk:{slug}"))
    expected.append(counted[counted["crime_type"].isin(in_all)]
                    .groupby(["area_code", "month"]).size().rename("police_uk:all-crime"))
    expected = pd.concat(expected, axis=1).fillna(0).astype(int)
    mart = con.execute(
        "select indicator_id, area_code, strftime(period_start, '%Y-%m') as month, numerator "
        "from mart_indicator_values where period_type = 'month' and "
        "starts_with(indicator_id, 'police_uk:')").df()
    got = mart.pivot_table(index=["area_code", "month"], columns="indicator_id",
                           values="numerator", aggfunc="sum")
    got = got[[c for c in got.columns if got[c].notna().any()]]
    expected = expected.reindex(index=got.index, columns=got.columns, fill_value=0)
    pd.testing.assert_frame_equal(got.astype(int), expected, check_names=False)
    # 14 Hampshire areas x 14 months + 78 areas of the other forces x 5 months
    assert got.index.nunique() == counted.groupby(["area_code", "month"]).ngroups == 586
    # every row is counted in exactly one area-month or reported as unplaced
    unplaced = dict(con.execute("select reason, sum(rows) from mart_unplaced_rows group by 1")
                    .fetchall())
    assert unplaced == {"no_lsoa": NO_LSOA_ROWS, "area_not_covered": AREA_NOT_COVERED_ROWS}
    assert placed["lsoa_name"].isna().sum() == NO_LSOA_ROWS
    assert (placed["lsoa_name"].notna() & placed["area_code"].isna()).sum() == 0  # all resolve
    assert (placed["area_code"].notna() & ~placed["covered"]).sum() == AREA_NOT_COVERED_ROWS
    total = int(got["police_uk:all-crime"].sum() + got["police_uk:anti-social-behaviour"].sum())
    assert total + NO_LSOA_ROWS + AREA_NOT_COVERED_ROWS == TOTAL_ROWS


def test_asb_duplicates_are_counted_and_repeated_crime_ids_are_kept(con):
    dup = con.execute(
        "select count(*) - count(distinct (falls_within, month, longitude, latitude, location, "
        "lsoa_code, crime_type)) from raw_police_uk_street where crime_id is null").fetchall()[0][0]
    assert dup > 10_000  # exact duplicate ASB rows, each an incident
    repeated = con.execute(
        "select count(*) from (select crime_id from raw_police_uk_street where crime_id is not "
        "null group by crime_id, batch_id having count(*) > 1)").fetchall()[0][0]
    assert repeated == 1_701  # the README says IDs never repeat within a file; in 19 they do


def test_rates_are_count_over_the_stated_population_times_1000(con, realdata):
    population = ons_population(realdata).set_index(["code", "mid_year"])["population"]
    values = con.execute(
        "select area_code, period_type, period_start, period_end, numerator, denominator, "
        "value, population_year from mart_indicator_values "
        "where starts_with(indicator_id, 'police_uk:')").df()
    assert values["population_year"].notna().all()
    end = pd.to_datetime(values["period_end"])
    fy = np.where(end.dt.month >= 4, end.dt.year, end.dt.year - 1)
    assert (values["population_year"] == fy).all()  # mid-year inside the financial year
    pops = [population[(a, int(y))] for a, y in
            zip(values["area_code"], values["population_year"], strict=True)]
    assert (values["denominator"].to_numpy() == np.asarray(pops)).all()
    np.testing.assert_allclose(values["value"], values["numerator"] / np.asarray(pops) * 1000,
                               rtol=1e-12)
    bcp = values[values["area_code"] == "E06000058"]
    assert len(bcp) > 0  # Bournemouth, Christchurch and Poole combined on April 2020 codes
    assert set(values["period_type"]) == {"month", "quarter", "fytd"}  # no complete year


def test_the_hampshire_asb_break_is_flagged_and_all_crime_is_not(con):
    breaks = con.execute("select * from mart_recording_breaks").df()
    assert not breaks["indicator_id"].eq("police_uk:all-crime").any()
    force = breaks[(breaks["indicator_id"] == "police_uk:anti-social-behaviour")
                   & (breaks["area_code"] == "E23000030")].iloc[0]
    assert (str(force["break_after"])[:7], str(force["break_before"])[:7]) == \
        ("2018-03", "2018-10")
    assert force["change_pct"] == pytest.approx(-80.0, abs=1.0)
    assert abs(force["reference_change_pct"]) < 10  # all crime level
    asb_areas = set(breaks.loc[breaks["indicator_id"] == "police_uk:anti-social-behaviour",
                               "area_code"])
    hampshire = {"E06000044", "E06000045", "E06000046", *(f"E070000{n}" for n in range(84, 95))}
    assert hampshire <= asb_areas
    assert "Southampton" in " ".join(breaks["message"])


def test_police_uk_agrees_with_the_ons_force_tables(con):
    compared = con.execute("select * from mart_police_uk_vs_ons").df()
    year = compared[compared["year_ending"].astype(str).str.startswith("2019-03-31")]
    assert len(year) == 10 and (year["police_uk_months"] == 5).all()
    assert (year["difference_pct"].abs() <= ONS_TOLERANCE_PCT).all(), year[
        ["police_force", "difference_pct"]]
    pooled = 100 * (year["police_uk_per_month"].sum() / year["ons_per_month"].sum() - 1)
    assert -6 < pooled < 0  # Oct-Feb run below the year's monthly average
    # the force-area populations ONS used (P3, rounded to 100) equal the sum of each force's
    # local authorities: config/police_force_areas.csv is right for all 10 forces
    assert ((compared["ons_population"] - compared["la_population"]).abs() <= 50).all()


def test_twice_or_with_a_file_duplicated_under_another_name_gives_identical_marts(run, con):
    assert run["again"].nothing_changed and len(run["again"].unchanged) == 65
    assert run["marts_again"] == run["marts"]
    forced = run["forced"]
    status = {f.file: f.status for f in forced.files}
    assert status["zz-renamed-copy-of-october.csv.gz"] == "unchanged"  # same sha256
    assert not forced.loaded and forced.marts_rebuilt
    assert run["marts_forced"] == run["marts"]
    assert con.execute("select count(*) from raw_police_uk_street").fetchall()[0][0] == \
        TOTAL_ROWS


# ------------------------------------------------- issue 16: proxy group, outputs, the report

SOUTHAMPTON, PLYMOUTH = "E06000045", "E06000026"


def test_the_proxy_group_ranks_equal_a_direct_count(con, placed, realdata):
    """All crime, 2018/19 Q3 (Oct-Dec 2018): each member's rows counted straight from the files,
    over its mid-2018 population (MYE 5 read with pandas), ranked lowest first (ties share the
    best place): the mart's ranks, with no MSG file and no flag."""
    group = con.execute("select area_code, group_label, rank from mart_peer_group "
                        "order by rank").df()
    assert len(group) == 16 and set(group["group_label"]) == {"proxy group (open data)"}
    assert group["area_code"].iloc[0] == SOUTHAMPTON
    types = catalogue.read_police_uk_crime_types(Path(__file__).resolve().parents[2] / "config")
    in_all = set(types.loc[types["in_all_crime"], "crime_type"])
    rows = placed[placed["covered"] & placed["crime_type"].isin(in_all)
                  & placed["month"].isin(["2018-10", "2018-11", "2018-12"])
                  & placed["area_code"].isin(set(group["area_code"]))]
    counts = rows.groupby("area_code").size()
    population = ons_population(realdata)
    population = population[population["mid_year"] == 2018].set_index("code")["population"]
    rate = {code: counts.get(code, 0) / float(population[code]) * 1000
            for code in group["area_code"]}
    expected = {code: 1 + sum(other < value - 1e-12 for other in rate.values())
                for code, value in rate.items()}
    mart = con.execute(
        "select area_code, rank, n_areas, value from mart_msg_rankings "
        "where indicator_id = 'police_uk:all-crime' and period_type = 'quarter' "
        "and period_start = date '2018-10-01' order by area_code").df()
    assert dict(zip(mart["area_code"], mart["rank"], strict=True)) == expected
    assert set(mart["n_areas"]) == {16}
    assert np.allclose(mart.set_index("area_code")["value"].sort_index(),
                       pd.Series(rate).sort_index())
    assert expected[SOUTHAMPTON] == 13  # docs/real-data.md states it


def test_plymouth_gets_its_own_proxy_group_with_only_the_home_area_changed(con, run):
    from scp_metrics.warehouse.marts.peer_group import build_peer_group

    plymouth = dataclasses.replace(run["settings"], home_area=PLYMOUTH)
    group = build_peer_group(con, plymouth)
    assert group["area_code"].iloc[0] == PLYMOUTH and len(group) == 16
    assert set(group["group_label"]) == {"proxy group (open data)"}
    with_quarter = set(con.execute(
        "select area_code from mart_indicator_values where indicator_id = "
        "'police_uk:all-crime' and period_type = 'quarter' and period_start = "
        "date '2018-10-01' and value is not null order by 1").df()["area_code"])
    assert set(group["area_code"]) <= with_quarter  # every member can be ranked


@pytest.fixture(scope="module")
def published(run, realdata, tmp_path_factory) -> tuple:
    """A copy of the warehouse (the module's read-only connection stays open) published with no
    outputs folder given: outputs beside the warehouse."""
    from scp_metrics.settings import get_settings

    elsewhere = tmp_path_factory.mktemp("elsewhere") / "scp.duckdb"
    shutil.copy(run["settings"].warehouse, elsewhere)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SCP_OUTPUTS_DIR", raising=False)
        settings = get_settings(raw_dir=realdata, warehouse=elsewhere,
                                quarantine_dir=elsewhere.parent / "quarantine")
        summary = run_refresh(settings)
    return settings, summary


def test_outputs_land_beside_the_warehouse(published):
    settings, summary = published
    folder = Path(summary.outputs_dir)
    assert folder == settings.warehouse.parent / "outputs" / "2019-02"
    assert (folder / "mart_peer_group.csv").is_file()
    assert len(list((folder / "charts").glob("ranking_police_uk-*.png"))) == 15


def test_the_workbooks_empty_targets_sheet_says_why(published):
    """No plan covers 2018/19: the Targets sheet has no row, and a note says why."""
    from openpyxl import load_workbook

    _, summary = published
    book = load_workbook(Path(summary.outputs_dir) / "scp_metrics_tables_2019-02.xlsx",
                         read_only=True)
    targets = [row for row in book["Targets"].iter_rows(values_only=True) if any(row)]
    assert targets[-1][0] == "target_id"  # the header, and no row under it
    note = next(row for row in book["Notes"].iter_rows(values_only=True)
                if row[1] and str(row[1]).startswith("No target is tracked to this month"))
    assert targets[2][0].endswith(f"Source: mart_target_tracking. [{note[0]}]")  # "[note 1]"
    # the KPI register is the 2010-11 plan's: the KPIs sheet says so
    kpis = [row for row in book["KPIs"].iter_rows(values_only=True, max_row=3) if any(row)]
    note = next(row for row in book["Notes"].iter_rows(values_only=True)
                if row[1] and str(row[1]).startswith("No plan covers 2018/19: this is the "
                                                     "register in the configuration"))
    assert kpis[2][0].endswith(f"Source: mart_kpi_status. [{note[0]}]")



def test_the_report_has_the_police_uk_section_counted_as_the_files_count(published, placed):
    """Issue 16 item 5 (part): the published report's police.uk section carries Southampton's
    all crime (excluding ASB) for Oct-Dec 2018 as the raw files count it, with its proxy-group
    position."""
    import html
    import re

    settings, summary = published
    page = (Path(summary.outputs_dir) / "year_end_projection_report_2019-02.html").read_text()
    assert 'id="police-uk"' in page
    text = html.unescape(re.sub(r"<[^>]+>", " ", page[page.index('id="police-uk"'):]))
    direct = placed[(placed["area_code"] == "E06000045")
                    & (placed["crime_type"] != "Anti-social behaviour")
                    & placed["month"].isin(["2018-10", "2018-11", "2018-12"])]
    row = text[text.index("All crime (police.uk, excluding ASB)"):][:300]
    assert f"{len(direct):,}" in row
    assert re.search(r"\d+(st|nd|rd|th) of 16", row)


def test_the_real_data_report_is_grammatical_and_free_of_internal_identifiers(published):
    """Issue 15 item 2: every sentence of the real-data report starts with a capital and has a
    verb; no method id, column name, path, raw timestamp or long float anywhere in the page."""
    from tests.unit.publish.report_grammar import problems, sentences

    _, summary = published
    page = (Path(summary.outputs_dir) / "year_end_projection_report_2019-02.html").read_text()
    assert len(sentences(page)) > 20
    assert problems(page) == []


def _section_text(page: str, key: str) -> str:
    """The text of one report section (tags stripped, entities decoded, spaces collapsed)."""
    import html
    import re

    start = page.index(f'<section id="{key}"')
    end = page.find("<section ", start + 1)
    body = page[start:end if end > 0 else len(page)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_real_data_report_is_full(published, placed, realdata):
    """Issue 16 item 5/7: the published real-data report embeds at least 10 charts; no plan
    covers 2018/19, so every police.uk indicator of Southampton says "no target set for
    2018/19" with its how-did-we-do (never "unset in the plan"); the ASB recording break and
    the unplaced rows are in data quality (the grammar is checked by the test above). Figures
    from the raw files, counted directly."""
    settings, summary = published
    page = (Path(summary.outputs_dir) / "year_end_projection_report_2019-02.html").read_text()
    assert page.count("<img ") >= 10
    assert "unset in the plan" not in page
    assert "We did not yet know" not in page

    mine = placed[placed["covered"] & (placed["area_code"] == SOUTHAMPTON)]
    categories = mine["crime_type"].nunique() + 1  # + all crime (excluding ASB)
    assert categories == 15
    verdict = _section_text(page, "verdict")
    assert verdict.count("no target set for 2018/19") == categories
    assert "No target set for 2018/19" in verdict
    # all crime, Oct-Dec 2018: the direct count over the mid-2018 population (MYE 5)
    quarter = mine[(mine["crime_type"] != ASB) & mine["month"].isin(["2018-10", "2018-11",
                                                                       "2018-12"])]
    population = ons_population(realdata).set_index(["code", "mid_year"])["population"]
    rate = len(quarter) / float(population[(SOUTHAMPTON, 2018)]) * 1000
    row = verdict[verdict.index("All crime (police.uk, excluding ASB)"):][:400]
    assert f"Oct–Dec 2018: {rate:.2f}" in row and "13th of 16" in row
    assert not mine["month"].isin(["2017-10", "2017-11", "2017-12"]).any()
    assert "not available: no police.uk data for Oct–Dec 2017, the same quarter last year" in row
    assert "not fitted: fewer than 24 months" in row  # trend: 14 months of data
    assert "Feb 2019:" in row  # the SPC chart's latest month
    # the KPI register is the 2010-11 plan's: its 2009 owners are not listed as 2018/19's
    kpis = _section_text(page, "kpis")
    assert kpis.strip().startswith("Key performance indicators and owners No plan covers 2018/19, so "
                           "no key performance indicators are held to account this year.")
    assert "Matthew Greening" not in page and "no return received" not in kpis

    quality = _section_text(page, "data-quality")
    assert "Hampshire's police.uk anti-social behaviour recording changed" in quality
    asb = mine[mine["crime_type"] == ASB].groupby("month").size()  # 9 months before, 5 after
    before, after = asb[asb.index < "2018-10"].mean(), asb[asb.index >= "2018-10"].mean()
    assert (len(asb[asb.index < "2018-10"]), len(asb[asb.index >= "2018-10"])) == (9, 5)
    assert f"({before:,.0f} to {after:,.0f} a month" in quality
    hampshire = placed[placed["force"] == "Hampshire Constabulary"]
    not_covered = int((hampshire["area_code"].notna() & ~hampshire["covered"]).sum())
    assert f"Over 14 months, {not_covered:,} rows are not counted" in quality


def test_hot_spots_equal_a_direct_count_and_reach_the_report(con, placed, published):
    """Issue 16 item 6: Southampton's all-crime hot spots over the 12 months to Feb 2019
    recounted from the .csv.gz files (LSOA codes as police.uk gives them): the top 10 LSOAs,
    the shares in the top 5% and 10% of its LSOAs, and month-on-month persistence of the top
    10% (ties by LSOA code); the report's section lists the top LSOA and embeds the map."""
    import math

    types = catalogue.read_police_uk_crime_types(Path(__file__).resolve().parents[2] / "config")
    in_all = set(types.loc[types["in_all_crime"], "crime_type"])
    mine = placed[placed["covered"] & (placed["area_code"] == SOUTHAMPTON)
                  & placed["lsoa_code"].notna()]
    n = mine["lsoa_code"].nunique()
    crime = mine[mine["crime_type"].isin(in_all) & (mine["month"] >= "2018-03")]

    def ranked(frame: pd.DataFrame) -> pd.Series:
        counts = frame.groupby("lsoa_code").size()
        return counts.sort_index().sort_values(ascending=False, kind="stable")

    ordered = ranked(crime)
    k5, k10 = math.ceil(0.05 * n), math.ceil(0.10 * n)
    months = sorted(crime["month"].unique())
    tops = {m: set(ranked(crime[crime["month"] == m]).index[:k10]) for m in months}
    pairs = [(a, b) for a, b in zip(months, months[1:], strict=False)
             if (pd.Period(a, "M") + 1) == pd.Period(b, "M")]
    persistence = 100 * np.mean([len(tops[a] & tops[b]) / k10 for a, b in pairs])
    got = con.execute("select * from mart_hotspot_summary where crime_group = 'all-crime'"
                      ).df().iloc[0]
    assert (got["lsoas"], got["total"], got["months"], got["month_pairs"]) == \
        (n, len(crime), len(months), len(pairs)) == (148, len(crime), 6, 4)
    assert got["top_5pct_share"] == pytest.approx(100 * ordered[:k5].sum() / len(crime))
    assert got["top_10pct_share"] == pytest.approx(100 * ordered[:k10].sum() / len(crime))
    assert got["persistence_pct"] == pytest.approx(persistence)
    top = con.execute("select lsoa_code, count from mart_hotspot_lsoas where crime_group = "
                      "'all-crime' and rank <= 10 order by rank").df()
    assert list(zip(top["lsoa_code"], top["count"], strict=True)) == \
        list(ordered[:10].items())

    settings, summary = published
    folder = Path(summary.outputs_dir)
    page = (folder / "year_end_projection_report_2019-02.html").read_text()
    section = _section_text(page, "hotspots")
    first = crime[crime["lsoa_code"] == ordered.index[0]]["lsoa_name"].iloc[0]
    assert f"1 {first} ({ordered.index[0]}) {ordered.iloc[0]:,}" in section
    assert (folder / "charts" / f"hotspot_map_{SOUTHAMPTON}.png").is_file()
    assert 'alt="The map shows where all crime (police.uk, excluding ASB) happened in Southampton' in page


def test_the_report_for_another_home_area_names_it_and_never_southampton(run, con, tmp_path):
    """Issue 16 acceptance (another area with SCP_HOME_AREA and no other change), the cheap
    half: the report written from this warehouse with Plymouth as the home area names Plymouth
    and has no Southampton text (no group or hot spots: the warehouse was built for
    Southampton; the full Plymouth refresh is in docs/real-data.md)."""
    from scp_metrics.publish.report import make_report

    plymouth = dataclasses.replace(run["settings"], home_area=PLYMOUTH)
    paths = make_report(con, plymouth, "2019-02", tmp_path, [])
    page = next(p for p in paths if p.suffix == ".html").read_text()
    assert "Plymouth Safe City Partnership" in page
    assert "Southampton" not in page
    # the action plan (issue 19) is the 2010-11 plan's: not followed up in 2018/19
    assert "No plan covers 2018/19, so there is no action plan to follow up." in \
        _section_text(page, "action-plan")
    verdict = _section_text(page, "verdict")
    assert verdict.count("no target set for 2018/19") == 15
    assert "not ranked" in verdict  # Southampton's group is not Plymouth's


# ------------------------------------------ issue 13 item 3: over-dispersion-aware funnels

def test_the_over_dispersion_adjustment_leaves_fewer_than_half_flagged(con, placed):
    """All crime over 2018-10 … 2019-02 in the shipped group file (Southampton's 16-member
    proxy group, every member with police.uk data): each member's count straight from the
    files; φ recomputed from those counts (z against the pooled rate, 10% winsorised with R's
    type-7 percentiles, mean square); plain PHE limits flag every member at 0.001, the widened
    ones fewer than half."""
    from datetime import date

    from scp_metrics.cli.rank import rank_span

    repo = Path(__file__).resolve().parents[2]
    group_file = repo / "docs" / "examples" / "southampton_proxy_group.csv"
    got = rank_span(con, "police_uk:all-crime", date(2018, 10, 1), date(2019, 2, 1),
                    focus_area=SOUTHAMPTON, group_file=str(group_file),
                    config_dir=repo / "config").table.set_index("area_code")
    members = pd.read_csv(group_file, dtype=str)["area_code"]
    assert len(got) == len(members) >= 12
    types = catalogue.read_police_uk_crime_types(repo / "config")
    in_all = set(types.loc[types["in_all_crime"], "crime_type"])
    months = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
    direct = placed[placed["covered"] & placed["crime_type"].isin(in_all)
                    & placed["month"].isin(months) & placed["area_code"].isin(set(members))]
    counts = direct.groupby("area_code").size().reindex(got.index, fill_value=0)
    assert (got["numerator"].astype(int) == counts).all()
    x, n = counts.to_numpy(dtype=float), got["population"].to_numpy(dtype=float)
    theta = x.sum() / n.sum()
    z = (x / n - theta) / np.sqrt(theta / n)
    lo, hi = np.percentile(z, [10, 90])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    assert np.allclose(got["overdispersion_phi"], phi, rtol=1e-9)
    assert phi > 100  # far beyond chance: the differences between these areas are real
    assert set(got["funnel_method"]) == {"additive_random_effects"}
    plain = got["funnel_significance"].str.contains("0.001").sum()
    adjusted = got["funnel_significance_adjusted"].str.contains("0.001").sum()
    assert plain == len(got)
    assert adjusted < len(got) / 2
