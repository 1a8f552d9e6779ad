"""data.police.uk street-level files, ONS workbooks, placement by LSOA name and police.uk
indicators, on small synthetic files shaped like the real ones (../shared/realdata)."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scp_metrics.config.catalogue import (
    police_uk_indicators,
    police_uk_slug,
    read_police_uk_crime_types,
)
from scp_metrics.ingest.engine import validate_file
from scp_metrics.ingest.files import sha256_file
from scp_metrics.ingest.layouts import clean_label, read_tables
from scp_metrics.ingest.readers import ReadError
from scp_metrics.settings import get_settings
from scp_metrics.sources import is_header
from scp_metrics.steps import run_refresh
from scp_metrics.warehouse import connect
from scp_metrics.warehouse.build import build_models
from scp_metrics.warehouse.load import load_frame
from scp_metrics.warehouse.marts.police_uk import indicator_values_for_population_year

CONFIG = get_settings().config_dir
TODAY = date(2019, 6, 1)
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context")
HANTS = "Hampshire Constabulary"
ASB = "Anti-social behaviour"


def street_row(month: str, lsoa: str | None, crime_type: str, crime_id: str = "",
               force: str = HANTS, code: str = "E01017140") -> str:
    if lsoa is None:
        return f"{crime_id},{month},{force},{force},,,No Location,,,{crime_type},,"
    outcome = "" if crime_type == ASB else "Under investigation"
    return (f"{crime_id},{month},{force},{force},-1.40,50.90,On or near High Street,{code},"
            f"{lsoa},{crime_type},{outcome},")


def write_street(path: Path, rows: list[str], gz: bool = False) -> Path:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"  # the 2017 files have CRLF line ends
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def cid(n: int) -> str:
    return f"{n:064x}"


def population_book(path: Path, areas: dict[str, tuple[str, list[int]]],
                    years: tuple[int, ...] = (2019, 2018, 2017), persons: int | None = 2019,
                    persons_override: dict[str, int] | None = None) -> Path:
    """An ONS-shaped workbook: a contents sheet, MYE2 - Persons / Males (single year), MYE 5
    series, each with title rows and a footnote under a blank row."""
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    book.active.append(["Contents"])
    if persons is not None:
        for sheet_name in ("MYE2 - Persons", "MYE2 - Males"):
            sheet = book.create_sheet(sheet_name)
            sex = sheet_name.split(" - ")[1]
            sheet.append(["Contents"])
            sheet.append([])
            sheet.append([f"MYE2: Population estimates: {sex} by single year of age and sex "
                          f"for local authorities in the UK, mid-{persons}"])
            sheet.append([])
            sheet.append(["Code", "Name", "Geography1", "All ages", 0, 1])
            for code, (name, pops) in areas.items():
                value = pops[years.index(persons)]
                if persons_override and code in persons_override:
                    value = persons_override[code]
                if sex == "Males":
                    value //= 2
                sheet.append([code, name, "Unitary Authority", value, 10, 10])
            sheet.append([])
            sheet.append(["1. Further information on the geography hierarchy."])
    sheet = book.create_sheet("MYE 5")
    sheet.append(["Contents"])
    sheet.append([])
    sheet.append(["MYE5: Population estimates: Population density for local authorities in "
                  "the UK, mid-2001 to mid-2019"])
    sheet.append([])
    header = ["Code", "Name", "Geography1", "Area (sq km)"]
    for year in years:
        header += [f"Estimated Population mid-{year}", f"{year} people per sq. km"]
    sheet.append(header)
    for code, (name, pops) in areas.items():
        row: list[object] = [code, name, "Unitary Authority", 50.0]
        for value in pops:
            row += [float(value), 5000.0]
        sheet.append(row)
    sheet.append([])
    sheet.append(["1. Further information, on how the different tiers of administrative "
                  "geography in the United Kingdom fit together."])
    book.save(path)
    return path


AREAS = {
    "E06000045": ("Southampton", [252520, 252796, 252359]),
    "E06000023": ("Bristol, City of", [463377, 463405, 459252]),
    "E06000058": ("Bournemouth, Christchurch and Poole", [395331, 395784, 394518]),
    "E07000091": ("New Forest", [180086, 179753, 179678]),
}


# --------------------------------------------------------------------------- validation


def test_a_street_file_validates_with_its_month_asb_duplicates_and_repeated_ids_kept(tmp_path):
    asb = street_row("2018-10", "Southampton 023C", ASB)
    rows = [asb, asb, asb,  # three incidents at one snapped point: exact duplicate rows
            street_row("2018-10", "Southampton 001A", "Burglary", cid(1)),
            street_row("2018-10", "Southampton 001A", "Burglary", cid(1)),  # real: IDs repeat
            street_row("2018-10", None, "Violence and sexual offences", cid(2))]
    for gz in (False, True):
        path = write_street(tmp_path / ("f.csv.gz" if gz else "f.csv"), rows, gz=gz)
        result = validate_file(path, config_dir=CONFIG, today=TODAY)
        assert result.ok, result.failures
        assert result.source.name == "police_uk_street"
        assert result.rows == 6
        assert result.period_label == "2018-10"
        assert set(result.frame["period_start"]) == {pd.Timestamp("2018-10-01")}
        notes = " ".join(result.notes)
        assert "1 Crime IDs appear on more than one row (2 rows)" in notes
        assert "3 rows without a Crime ID" in notes
        assert "1 rows without an LSOA" in notes


def test_street_files_are_recognised_by_header_not_name(tmp_path):
    path = write_street(tmp_path / "whatever.txt.csv", [street_row("2019-01", "Bristol 001A",
                                                                     "Robbery", cid(3))])
    assert validate_file(path, config_dir=CONFIG, today=TODAY).source.name == "police_uk_street"


@pytest.mark.parametrize("row, column, check", [
    (street_row("2018-13", "Southampton 001A", "Burglary", cid(1)), "Month",
     r"str_matches('^\d{4}-(0[1-9]|1[0-2])$')"),
    (street_row("2018-10", "Southampton 001A", "Burglary of a spaceship", cid(1)), "Crime type",
     "known police.uk crime type (config/police_uk_crime_types.csv)"),
    (street_row("2019-07", "Southampton 001A", "Burglary", cid(1)), "Month",
     "month is not in the future"),
    (street_row("2018-10", "Southampton 001A", "Burglary", cid(1)).replace(",E01017140,", ",,"),
     "LSOA name", "LSOA code and LSOA name are both present or both empty"),
])
def test_bad_street_rows_are_refused_with_row_and_column(tmp_path, row, column, check):
    path = write_street(tmp_path / "f.csv", [street_row("2018-10", None, ASB), row])
    result = validate_file(path, config_dir=CONFIG, today=TODAY)
    assert not result.ok
    found = result.failures[["row", "column", "check"]].to_dict("records")
    assert {"row": 3, "column": column, "check": check} in found


def test_crime_type_slugs_and_indicator_ids(tmp_path):
    types = read_police_uk_crime_types(get_settings().config_dir)
    assert (types["slug"] == types["crime_type"].map(police_uk_slug)).all()
    ids = [i.id for i in police_uk_indicators(get_settings().config_dir)]
    assert ids[0] == "police_uk:all-crime"
    assert {"police_uk:anti-social-behaviour", "police_uk:violence-and-sexual-offences",
            "police_uk:burglary"} <= set(ids)
    assert not types.set_index("crime_type").loc[ASB, "in_all_crime"]


# --------------------------------------------------------------------------- ONS workbooks


def test_the_population_series_loads_every_year_and_a_matching_single_year_sheet_once(tmp_path):
    path = population_book(tmp_path / "mye.xlsx", AREAS)
    result = validate_file(path, config_dir=CONFIG, today=TODAY)
    assert result.ok, result.failures
    assert result.source.name == "population"
    assert sorted(set(result.frame["mid_year"])) == [2017, 2018, 2019]
    assert len(result.frame) == 3 * len(AREAS)  # mid-2019 not twice, males never, notes never
    frame = result.frame.set_index(["code", "mid_year"])
    assert frame.loc[("E06000058", 2018), "all_ages"] == 395784
    assert result.period_label == "mid-2017 … mid-2019 (3 periods)"
    assert any("equals sheet 'MYE 5'" in n for n in result.notes)
    assert any("note rows below the table not read" in n for n in result.notes)
    rows = result.frame.set_index(["code", "mid_year"])["source_row"]
    assert rows[("E06000045", 2017)] == 6  # the spreadsheet row an analyst sees


def test_sheets_that_disagree_on_a_year_are_refused(tmp_path):
    path = population_book(tmp_path / "mye.xlsx", AREAS, persons_override={"E06000045": 1})
    result = validate_file(path, config_dir=CONFIG, today=TODAY)
    assert not result.ok
    assert "mid-2019 differs between sheet 'MYE2 - Persons'" in result.failures.iloc[0]["value"]


def test_a_single_year_workbook_still_takes_its_year_from_the_title(mini_raw):
    result = validate_file(mini_raw / "ons_mye2_persons_mid-2008.xlsx", config_dir=CONFIG,
                           today=TODAY)
    assert result.ok and set(result.frame["mid_year"]) == {2008}


def pfa_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Crime in England and Wales, year ending March 2019 - PFA tables"])
    sheet = book.create_sheet("Table P1 ")
    sheet.append(["Table P1: Police recorded crime by offence group and police force area, "
                  "English regions and Wales, number of offences, year ending March 20191,2"])
    sheet.append([])
    sheet.append(["England and Wales"])
    sheet.append([None, None, "Total recorded crime (excluding fraud3)", None,
                  "Victim-based crime"])
    sheet.append(["Area Code", "Area Name", None, None, "Violence against the person4",
                  "Stalking and harassment 5"])
    sheet.append([None, None, "Numbers"])
    sheet.append(["K04000001", "ENGLAND AND WALES6,7", 5257081, None, 1671039, 444054])
    sheet.append(["E23000030", "Hampshire", 158924, None, 55000, "..", ])
    sheet.append([None, "British Transport Police", 66613])
    sheet.append(["Source: Home Office - Police recorded crime"])
    sheet.append([])
    sheet.append(["3. Currently, offences of fraud are excluded."])
    other = book.create_sheet("Table P4")
    other.append(["Table P4: Knife and sharp instrument offences, year ending March 2019"])
    book.save(path)
    return path


def test_pfa_tables_are_reshaped_to_one_row_per_area_and_measure(tmp_path):
    result = validate_file(pfa_book(tmp_path / "pfa.xlsx"), config_dir=CONFIG, today=TODAY)
    assert result.ok, result.failures
    assert result.source.name == "ons_pfa"
    frame = result.frame.set_index(["area_code", "measure"])
    assert frame.loc[("E23000030", "Total recorded crime (excluding fraud)"), "value"] == 158924
    assert pd.isna(frame.loc[("E23000030", "Stalking and harassment"), "value"])
    assert frame.loc[("K04000001", "Violence against the person"), "area_name"] == \
        "ENGLAND AND WALES"
    assert set(result.frame["year_ending"]) == {pd.Timestamp("2019-03-31")}
    assert set(result.frame["period_start"]) == {pd.Timestamp("2018-04-01")}
    assert result.period_label == "year ending Mar 2019"
    assert frame.loc[("E23000030", "Violence against the person"), "source_row"] == 8
    assert any("British Transport Police" in n for n in result.notes)


def test_clean_label_keeps_real_numbers():
    assert clean_label("Population figures\n (mid-2017)3  rounded to 100") == \
        "Population figures (mid-2017) rounded to 100"
    assert clean_label("North West10") == "North West"


def test_a_workbook_that_is_no_known_layout_is_read_as_before(mini_raw):
    tables = read_tables(mini_raw / "ons_mye2_persons_mid-2008.xlsx", is_header)
    assert len(tables) == 1 and tables[0].headers[:2] == ["Code", "Name"]
    with pytest.raises(ReadError):
        read_tables(mini_raw / "missing.xlsx", is_header)


# --------------------------------------------------------------------------- warehouse


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


def load(con, path: Path, run_id: str = "run1"):
    result = validate_file(path, config_dir=CONFIG, today=TODAY)
    assert result.ok, result.failures
    return load_frame(con, result.source, result.frame, file_name=path.name,
                      sha256=path.name + run_id, run_id=run_id, period=result.period_label)


def street_month(tmp_path: Path, month: str, force: str = HANTS, extra: list[str] = (),
                 name: str | None = None) -> Path:
    rows = [street_row(month, "Southampton 023C", ASB, force=force),
            street_row(month, "Southampton 023C", ASB, force=force),
            street_row(month, "Southampton 001A", "Burglary", cid(1), force=force),
            street_row(month, "New Forest 004B", "Vehicle crime", cid(2), force=force),
            street_row(month, None, "Burglary", cid(3), force=force),
            street_row(month, "Poole 010A", "Robbery", cid(4), force=force),  # Dorset's area
            *extra]
    slug = force.lower().replace(" ", "-")
    return write_street(tmp_path / (name or f"{month}-{slug}-street.csv"), rows)


def test_another_forces_same_month_adds_and_a_reissue_replaces_only_its_force(con, tmp_path):
    load(con, street_month(tmp_path, "2018-10"), "run1")
    load(con, street_month(tmp_path, "2018-10", force="Dorset Police"), "run2")
    assert con.execute("select count(*) from raw_police_uk_street").fetchall()[0][0] == 12
    reissue = write_street(tmp_path / "reissue.csv",
                           [street_row("2018-10", "Poole 010A", "Robbery", cid(9),
                                       force="Dorset Police")])
    outcome = load(con, reissue, "run3")
    assert outcome.replaced_rows == 6
    rows = con.execute("select falls_within, count(*) from raw_police_uk_street group by 1 "
                       "order by 1").fetchall()
    assert rows == [("Dorset Police", 1), (HANTS, 6)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One small warehouse for the placement tests (built once: model builds are not free)."""
    tmp_path = tmp_path_factory.mktemp("built")
    con = connect(":memory:")
    load(con, population_book(tmp_path / "mye.xlsx", AREAS))
    extra = [street_row("2018-10", "Bristol 001A", "Burglary", cid(5)),  # Avon's area
             street_row("2018-10", "Atlantis 001A", "Burglary", cid(6))]
    load(con, street_month(tmp_path, "2018-10", extra=extra))
    load(con, street_month(tmp_path, "2018-11"))
    load(con, street_month(tmp_path, "2018-11", force="Dorset Police"))
    build_models(con, get_settings(home_area="E06000045"))
    yield con
    con.close()


def values(con, indicator, area, period_type="month"):
    return con.execute(
        "select strftime(period_start, '%Y-%m') as month, numerator, denominator, value, "
        "population_year from mart_indicator_values where indicator_id = ? and area_code = ? "
        "and period_type = ? order by period_start", [indicator, area, period_type]).df()


def test_rows_are_placed_by_lsoa_name_and_counted_per_area_month(built):
    crime = values(built, "police_uk:all-crime", "E06000045")
    assert crime["month"].tolist() == ["2018-10", "2018-11"]
    # burglary only (ASB is not all crime); in 2018-11 Dorset's file also has a row located
    # in Southampton: rows count where they are, whichever loaded force published them
    assert crime["numerator"].tolist() == [1, 2]
    assert crime["denominator"].tolist() == [252796, 252796]  # mid-2018 for 2018/19
    assert crime["population_year"].tolist() == [2018, 2018]
    assert crime["value"].iloc[0] == pytest.approx(1 / 252796 * 1000)
    asb = values(built, "police_uk:anti-social-behaviour", "E06000045")
    assert asb["numerator"].tolist() == [2, 4]  # duplicate ASB rows all count
    zero = values(built, "police_uk:robbery", "E06000045")
    assert zero["numerator"].tolist() == [0, 0]  # a covered month with none is a true zero
    # Poole (BCP) is Dorset's: reported only for the month Dorset's file is loaded, where
    # Hampshire's Poole row and Dorset's add up
    bcp = values(built, "police_uk:robbery", "E06000058")
    assert bcp["month"].tolist() == ["2018-11"] and bcp["numerator"].tolist() == [2]


def test_unplaced_rows_are_counted_per_file_force_month_and_reason(built):
    rows = built.execute(
        "select file_name, police_force, strftime(month, '%Y-%m'), reason, rows, lsoa_prefixes "
        "from mart_unplaced_rows order by all").fetchall()
    reasons = {(r[1], r[2], r[3]): r[4] for r in rows}
    assert reasons[(HANTS, "2018-10", "no_lsoa")] == 1
    assert reasons[(HANTS, "2018-10", "unknown_lsoa_prefix")] == 1
    assert reasons[(HANTS, "2018-10", "area_not_covered")] == 2  # Bristol (Avon), Poole (Dorset)
    assert (HANTS, "2018-11", "area_not_covered") not in reasons  # Dorset loaded for 2018-11
    placed = built.execute("select count(*) from stg_police_uk where area_code is not null "
                           "and unplaced_reason is null").fetchall()[0][0]
    total = built.execute("select count(*) from raw_police_uk_street").fetchall()[0][0]
    unplaced = built.execute("select sum(rows) from mart_unplaced_rows").fetchall()[0][0]
    counted = built.execute(
        "select sum(numerator) from mart_indicator_values where period_type = 'month' and "
        "indicator_id in ('police_uk:all-crime', 'police_uk:anti-social-behaviour')"
    ).fetchall()[0][0]
    assert counted + unplaced == total
    assert placed - 2 == counted  # the two rows placed in areas not covered


def test_rates_can_be_recomputed_for_a_stated_population_year(built):
    config = get_settings().config_dir
    frame = indicator_values_for_population_year(built, 2017, indicator_ids=["police_uk:all-crime"],
                                                 area_codes=["E06000045"], period_types=["month"],
                                                 config_dir=config)
    assert frame["population_year"].tolist() == [2017, 2017]
    assert frame["denominator"].tolist() == [252359, 252359]
    assert frame["value"].iloc[0] == pytest.approx(1 / 252359 * 1000)
    missing = indicator_values_for_population_year(built, 2009, area_codes=["E06000045"],
                                                   period_types=["month"], config_dir=config)
    assert missing["value"].isna().all() and missing["population_year"].isna().all()


def test_the_same_content_under_another_name_or_gzipped_is_loaded_once(tmp_path, settings_for):
    raw = tmp_path / "raw"
    raw.mkdir()
    population_book(raw / "mye.xlsx", AREAS)
    original = street_month(raw, "2018-10")
    (raw / "copy-of-october.csv.gz").write_bytes(gzip.compress(original.read_bytes()))
    assert sha256_file(original) == sha256_file(raw / "copy-of-october.csv.gz")
    settings = settings_for(raw)
    summary = run_refresh(settings, publish=False)
    assert [f.status for f in summary.files].count("unchanged") == 1
    con = connect(settings.warehouse, read_only=True)
    try:
        assert con.execute("select count(*) from raw_police_uk_street").fetchall()[0][0] == 6
    finally:
        con.close()
