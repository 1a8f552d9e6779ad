"""Mart contracts: every published mart declares its columns' types, units, formats and
suppressibility, and the build holds each mart to its contract."""

from __future__ import annotations

import datetime as dt
import tomllib

import duckdb
import numpy as np
import pandas as pd
import pytest

from scp_metrics.config.units import UNITS
from scp_metrics.warehouse.build import build_models
from scp_metrics.warehouse.connection import connect
from scp_metrics.warehouse.contracts import (
    MART_CONTRACTS,
    ColumnContract,
    MartContractError,
    contract_for,
)
from scp_metrics.warehouse.marts import PYTHON_MARTS
from tests.conftest import REPO

DATE_FORMATS = {"yyyy-mm-dd"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The mini fixture ingested and built once (its msg rankings and police.uk marts are
    empty: they must still have their declared types)."""
    from tests.golden.harness import MINI_RAW, ingest_folder

    work = tmp_path_factory.mktemp("contracts")
    ingest_folder(MINI_RAW, work, build=True)
    return work / "scp.duckdb"


def test_every_mart_the_build_writes_has_a_contract_with_its_columns_in_order(built):
    con = duckdb.connect(str(built), read_only=True)
    try:
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where starts_with(table_name, "
            "'mart_') order by table_name").fetchall()]
        assert sorted(MART_CONTRACTS) == marts
        for mart in marts:
            columns = con.execute("select column_name, data_type from information_schema.columns "
                                  "where table_name = ? order by ordinal_position",
                                  [mart]).fetchall()
            assert [c for c, _ in columns] == list(contract_for(mart).columns), mart
            # stored with the declared types, empty marts and all-null columns included
            assert dict(columns) == contract_for(mart).sql_types, mart
    finally:
        con.close()


def test_an_empty_mart_is_stored_with_real_types_not_nulls(built):
    con = duckdb.connect(str(built), read_only=True)
    try:
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_name = 'mart_police_uk_vs_ons'").fetchall())
        rows = con.execute("select count(*) from mart_police_uk_vs_ons").fetchall()[0][0]
    finally:
        con.close()
    # the mini fixture has no police.uk data (mart_msg_rankings, empty before, now ranks the
    # proxy group of its three areas)
    assert rows == 0
    assert types["year_ending"] == "DATE"
    assert types["local_authorities"] == "BIGINT"
    assert types["whole_year"] == "BOOLEAN"
    assert types["police_force"] == "VARCHAR"


def test_a_mart_breaking_its_contract_stops_the_build_naming_mart_and_column(
        built, tmp_path, monkeypatch):
    warehouse = tmp_path / "copy.duckdb"
    warehouse.write_bytes(built.read_bytes())
    from scp_metrics.settings import get_settings
    from scp_metrics.warehouse import build

    settings = get_settings(warehouse=warehouse, raw_dir=tmp_path)
    con = connect(warehouse)
    before = con.execute("select count(*), min(period_start) from mart_spc").fetchall()
    original = dict(PYTHON_MARTS)["mart_spc"]

    def broken(con, settings):  # noqa: ANN001, ANN202
        frame = original(con, settings)
        frame["period_start"] = frame["period_start"].astype(str)  # text where dates belong
        return frame

    marts = [(n, broken if n == "mart_spc" else b) for n, b in PYTHON_MARTS]
    monkeypatch.setattr(build, "PYTHON_MARTS", marts)
    with pytest.raises(MartContractError, match=r"mart_spc\.period_start"):
        build_models(con, settings)
    after = con.execute("select count(*), min(period_start) from mart_spc").fetchall()
    con.close()
    assert after == before  # rolled back: the marts are as they were


def _frame(**columns: object) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_validate_names_a_missing_column_and_an_undeclared_one():
    contract = contract_for("mart_trends")
    frame = contract.empty().drop(columns="verdict").assign(extra=pd.Series(dtype=float))
    with pytest.raises(MartContractError,
                       match="mart_trends: missing column.s. verdict; undeclared column.s. extra"):
        contract.validate(frame)


def test_validate_refuses_a_value_outside_the_declared_set():
    contract = contract_for("mart_data_quality")
    frame = contract.empty()
    row = {"check_id": "x", "indicator_id": None, "area_code": None,
           "period_start": dt.date(2009, 4, 1), "period_end": dt.date(2009, 6, 30),
           "record_level_value": 1.0, "published_value": 2.0, "difference_pct": 100.0,
           "severity": "urgent", "message": "m"}
    frame = pd.DataFrame([row], columns=list(contract.columns))
    with pytest.raises(MartContractError, match=r"mart_data_quality\.severity: isin.*'urgent'"):
        contract.validate(frame)
    frame.loc[0, "severity"] = "warning"
    assert contract.validate(frame)["severity"].tolist() == ["warning"]


def test_an_integer_column_read_with_nulls_as_floats_is_taken_as_integers():
    contract = contract_for("mart_police_uk_vs_ons")
    frame = contract.empty()
    frame = pd.concat([frame, pd.DataFrame({"pfa_code": ["E23000001", "E23000002"],
                                            "message": ["a", "b"]})], ignore_index=True)
    frame = frame[list(contract.columns)]
    frame["population_mid_year"] = [2018.0, np.nan]
    frame["police_uk_months"] = [3, 4]
    frame["local_authorities"] = [2, 5]
    frame["whole_year"] = [False, False]
    out = contract.validate(frame)
    assert out["population_mid_year"].tolist()[0] == 2018
    assert pd.isna(out["population_mid_year"].tolist()[1])
    frame["population_mid_year"] = [2018.5, np.nan]  # not a whole number: refused
    with pytest.raises(MartContractError, match=r"mart_police_uk_vs_ons\.population_mid_year"):
        contract.validate(frame)


def test_the_projected_year_end_is_never_formatted_as_a_date():
    """The workbook guessed formats from names: ``projected_year_end`` (an ``_end``) was stored
    as a date, ``1900-01-01 05:39``. The contract gives each row's unit's format."""
    column = contract_for("mart_target_tracking").columns["projected_year_end"]
    frame = pd.DataFrame({"unit": ["rate per 1,000", "count", "%", "rank (1 = best)", None]})
    units = column.units_of(frame).tolist()
    assert units == ["rate per 1,000", "count", "%", "rank", None]
    assert [column.number_format_for(u) for u in units] == ["#,##0.00", "#,##0", "0.0", "0",
                                                            None]
    assert [column.precision_for(u) for u in units] == [2, 0, 1, 0, None]


@pytest.mark.parametrize("mart", sorted(MART_CONTRACTS))
def test_only_date_columns_have_a_date_format_and_every_number_has_a_number_format(mart):
    for column in contract_for(mart).columns.values():
        formats = ({column.number_format_for(u) for u in column.row_units.units}
                   if column.per_row else {column.number_format})
        if column.kind == "date":
            assert formats == DATE_FORMATS, column.name
        elif column.kind in ("int", "int32", "float"):
            assert None not in formats and not formats & DATE_FORMATS, column.name
        else:
            assert formats == {None}, column.name


def test_a_column_of_several_units_gives_each_row_its_units_precision():
    value = contract_for("mart_indicator_values").columns["value"]
    frame = pd.DataFrame({"unit": ["rate per 1,000", "rate per 10,000", "%", "count"]})
    assert value.unit == "per row" and value.precision is None
    assert [value.precision_for(u) for u in value.units_of(frame)] == [2, 2, 1, 0]
    spc_value = contract_for("mart_spc").columns["value"]
    frame = pd.DataFrame({"indicator_id": ["all_crime", "ed_assaults_night"]})
    units = spc_value.units_of(frame, {"all_crime": "rate per 1,000", "ed_assaults_night": "count"})
    assert units.tolist() == ["rate per 1,000", "count"]
    with pytest.raises(ValueError, match="indicator_units"):
        spc_value.units_of(frame)
    quality = contract_for("mart_data_quality").columns["published_value"]
    frame = pd.DataFrame({"check_id": ["reconcile_record_level_vs_csp",
                                       "survey_headline_vs_respondent"]})
    assert quality.units_of(frame).tolist() == ["count", "%"]


def test_suppressible_columns_are_those_the_privacy_policy_names():
    """The contracts mark as suppressible what ``config/privacy.toml`` names today (a count, or a
    value derived from one), plus the two columns suppressed by another rule: ``mart_spc.value``
    (a count for count indicators, ``count_measures``) and the year-to-date outturn of a target
    (the workbook's extra count)."""
    policy = tomllib.loads((REPO / "config" / "privacy.toml").read_text())["suppression"]
    extra = {("mart_spc", "value"): "count", ("mart_target_tracking", "actual_value"): "count"}
    for mart, contract in MART_CONTRACTS.items():
        expected = {c: "count" for c in policy["count_columns"] if c in contract.columns}
        if expected:  # derived values are blanked only in a mart with a count column
            expected |= {c: "derived" for c in policy["derived_columns"] if c in contract.columns}
        expected |= {c: kind for (m, c), kind in extra.items() if m == mart}
        assert contract.suppressible_columns == expected, mart


def test_a_column_in_a_unit_outside_the_vocabulary_is_refused():
    with pytest.raises(KeyError, match="unknown unit 'per mille'"):
        ColumnContract("x", "float", "per mille", "a column")
    assert "rate per 1,000" in UNITS


def test_contract_for_an_unpublished_table_lists_the_published_ones():
    with pytest.raises(KeyError, match="no contract for 'int_indicator_counts'.*mart_spc"):
        contract_for("int_indicator_counts")


def test_the_schema_is_a_pandera_schema_carrying_units_and_formats():
    schema = contract_for("mart_trends").schema
    column = schema.columns["annual_change_pct"]
    assert column.metadata["unit"] == "% per year"
    assert column.metadata["number_format"] == "0.0"
    assert schema.strict and schema.ordered


def test_dates_read_back_from_duckdb_are_taken_as_dates_but_times_are_not():
    """DuckDB reads a DATE column into pandas as datetime64: midnights are dates; a timestamp
    with a time of day in a date column is refused."""
    contract = contract_for("mart_unplaced_rows")
    frame = pd.DataFrame({"file_name": ["f.csv"], "batch_id": [3], "police_force": ["Kent"],
                          "month": pd.to_datetime(["2018-10-01"]), "reason": ["no_lsoa"],
                          "rows": [2], "file_rows": [10], "share_pct": [20.0],
                          "lsoa_prefixes": ["(no LSOA)"], "message": ["no LSOA"]})
    assert contract.validate(frame)["month"].tolist() == [dt.date(2018, 10, 1)]
    frame["month"] = pd.to_datetime(["2018-10-01 13:30"])
    with pytest.raises(MartContractError, match=r"mart_unplaced_rows\.month"):
        contract.validate(frame)


def test_a_warehouse_without_a_mart_of_this_version_is_not_up_to_date(built, tmp_path):
    """A warehouse built by an earlier version (here: without mart_target_trajectory or
    int_population_years) is rebuilt by the next refresh even when nothing new was loaded."""
    from scp_metrics.warehouse.build import marts_up_to_date

    warehouse = tmp_path / "copy.duckdb"
    warehouse.write_bytes(built.read_bytes())
    con = connect(warehouse)
    try:
        assert marts_up_to_date(con)
        for table in ("mart_target_trajectory", "int_population_years"):
            con.execute(f"alter table {table} rename to {table}_old")
            assert not marts_up_to_date(con), table
            con.execute(f"alter table {table}_old rename to {table}")
        assert marts_up_to_date(con)
    finally:
        con.close()
