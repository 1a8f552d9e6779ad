"""``scp-metrics rank`` on a small hand-built warehouse: any span of months, one row per member."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest

from scp_metrics.cli import main
from scp_metrics.warehouse.build import read_sql
from scp_metrics.warehouse.queries import sql_text

HEADER = ("area_code,area_name,numerator,population,population_year,rate_per_1000,ci95_lower,"
          "ci95_upper,rank,n_areas,group_mean,group_pooled_rate,group_sd,sd_from_mean,"
          "funnel_significance,overdispersion_phi,funnel_method,funnel_significance_adjusted")


@pytest.fixture
def warehouse(tmp_path):
    """Southampton monthly (and its quarter), Portsmouth and Bristol quarterly, April-June 2009."""
    path = tmp_path / "scp.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table ref_indicators as select * from (values "
                "('all_crime', 'All recorded crime', 'rate', 1000, 'lower'), "
                "('ed_assaults_night', 'ED assaults at night', 'count', 1, 'lower')) "
                "t(indicator_id, title, measure, multiplier, polarity)")
    con.execute("create table ref_areas as select * from (values ('E06000045', 'Southampton'), "
                "('E06000044', 'Portsmouth'), ('E06000023', 'Bristol, City of')) "
                "t(area_code, area_name)")
    con.execute("create table stg_msg_membership as select * from (values "
                "('E06000045', 'E06000045', 'Southampton'), ('E06000045', 'E06000044', "
                "'Portsmouth'), ('E06000045', 'E06000023', 'Bristol, City of')) "
                "t(group_id, area_code, area_name)")
    con.execute("create table stg_population as select * from (values "
                "('E06000045', 2008, 234100), ('E06000044', 2008, 197700), "
                "('E06000023', 2008, 421300), ('E06000045', 2007, 231667), "
                "('E06000044', 2007, 196521), ('E06000023', 2007, 417749)) "
                "t(area_code, mid_year, population)")
    con.execute("""
        create table mart_indicator_values as select indicator_id, area_code, period_type,
            period_start::date as period_start, period_end::date as period_end, numerator,
            denominator from (values
            ('all_crime', 'E06000045', 'month', '2009-04-01', '2009-04-30', 100, 234100),
            ('all_crime', 'E06000045', 'month', '2009-05-01', '2009-05-31', 110, 234100),
            ('all_crime', 'E06000045', 'month', '2009-06-01', '2009-06-30', 120, 234100),
            ('all_crime', 'E06000045', 'quarter', '2009-04-01', '2009-06-30', 330, 234100),
            ('all_crime', 'E06000044', 'quarter', '2009-04-01', '2009-06-30', 200, 197700),
            ('all_crime', 'E06000023', 'quarter', '2009-04-01', '2009-06-30', 600, 421300)
        ) t(indicator_id, area_code, period_type, period_start, period_end, numerator,
            denominator)""")
    # the population each period's rate uses: the build's model, from these periods
    con.execute(sql_text("macros"))
    con.execute("create table int_indicator_periods as select indicator_id, area_code, "
                "period_type, period_start, period_end from mart_indicator_values")
    con.execute(f"create table int_population_years as "
                f"{read_sql('intermediate', 'int_population_years')}")
    con.close()
    return str(path)


def rank_csv(capsys, *args):
    assert main(["rank", *args, "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def rank_error(capsys, *args):
    assert main(["rank", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "Traceback" not in err
    return " ".join(err.split())


def test_a_quarter_prints_one_row_per_member_with_the_stated_columns(warehouse, capsys):
    rows = rank_csv(capsys, "--indicator", "all_crime", "--period-start", "2009-04",
                    "--period-end", "2009-06", "--warehouse", warehouse)
    assert [(r["area_name"], r["numerator"], r["population"], r["rank"]) for r in rows] == [
        ("Portsmouth", "200", "197700", "1"), ("Southampton", "330", "234100", "2"),
        ("Bristol, City of", "600", "421300", "3")]
    southampton = rows[1]
    assert float(southampton["rate_per_1000"]) == pytest.approx(330 / 234_100 * 1000)
    assert southampton["population_year"] == "2008"  # 2009/10: mid-2009 absent, so mid-2008
    assert float(southampton["group_mean"]) == pytest.approx(
        (330 / 234_100 + 200 / 197_700 + 600 / 421_300) * 1000 / 3)
    assert float(southampton["group_pooled_rate"]) == pytest.approx(1130 / 853_100 * 1000)
    assert {r["n_areas"] for r in rows} == {"3"}


def test_a_span_splitting_a_quarter_names_each_member_and_month_missing(warehouse, capsys):
    message = rank_error(capsys, "--indicator", "all_crime", "--period-start", "2009-05",
                         "--period-end", "2009-06", "--warehouse", warehouse)
    assert message.startswith("error: cannot rank all_crime over 2009-05 … 2009-06 because not "
                              "every member has data for every month:")
    assert "Portsmouth (E06000044) lacks 2009-05 … 2009-06" in message
    assert "Bristol, City of (E06000023) lacks 2009-05 … 2009-06" in message
    assert "Southampton" not in message
    assert "start and end the span on financial quarter boundaries" in message


def test_the_table_sets_the_focus_area_apart_and_states_its_position(warehouse, capsys):
    assert main(["rank", "--indicator", "all_crime", "--period-start", "2009-04",
                 "--period-end", "2009-06", "--warehouse", warehouse]) == 0
    out = capsys.readouterr().out
    for column in HEADER.split(",")[:15]:  # the CSV's over-dispersion columns: in the footer
        assert column in out
    assert "Over-dispersion φ = " in out
    assert "Southampton (E06000045, the row set apart above): 2nd of 3 (1 = lowest" in out
    assert "group_mean: simple mean of member values, the area included (HMIC)" in out


def test_population_year_overrides_every_members_mid_year(warehouse, capsys):
    rows = rank_csv(capsys, "--indicator", "all_crime", "--period-start", "2009-04",
                    "--period-end", "2009-06", "--population-year", "2007",
                    "--warehouse", warehouse)
    assert {r["population_year"] for r in rows} == {"2007"}
    assert [r["population"] for r in rows] == ["196521", "231667", "417749"]
    assert float(rows[1]["rate_per_1000"]) == pytest.approx(330 / 231_667 * 1000)
    message = rank_error(capsys, "--indicator", "all_crime", "--period-start", "2009-04",
                         "--period-end", "2009-06", "--population-year", "2005",
                         "--warehouse", warehouse)
    assert message == ("error: no mid-2005 population in the warehouse for Southampton "
                       "(E06000045), Bristol, City of (E06000023), Portsmouth (E06000044) "
                       "(mid-years loaded: 2007–2008)")


def test_a_group_file_replaces_the_warehouse_group_and_area_picks_whose_group(
        warehouse, tmp_path, capsys):
    group = tmp_path / "portsmouth_msg.csv"
    group.write_text("group_id,area_code,area_name\nE06000044,E06000044,Portsmouth\n"
                     "E06000044,E06000045,Southampton\n")
    rows = rank_csv(capsys, "--indicator", "all_crime", "--period-start", "2009-04",
                    "--period-end", "2009-06", "--group-file", str(group), "--area",
                    "E06000044", "--warehouse", warehouse)
    assert [(r["area_code"], r["rank"], r["n_areas"]) for r in rows] == [
        ("E06000044", "1", "2"), ("E06000045", "2", "2")]
    message = rank_error(capsys, "--indicator", "all_crime", "--period-start", "2009-04",
                         "--period-end", "2009-06", "--group-file", str(group),
                         "--warehouse", warehouse)
    assert "no Most Similar Group has group_id E06000045 (groups found: E06000044) in group " \
           "file portsmouth_msg.csv" in message


def test_a_bad_group_file_is_one_sentence_naming_row_and_column(warehouse, tmp_path, capsys):
    group = tmp_path / "msg.csv"
    group.write_text("group_id,area_code,area_name\nE06000045,E0600045,Southampton\n")
    message = rank_error(capsys, "--indicator", "all_crime", "--period-start", "2009-04",
                         "--period-end", "2009-06", "--group-file", str(group),
                         "--warehouse", warehouse)
    assert message.startswith("error: group file msg.csv: row 2, column area_code, check")
    assert "'E0600045'" in message


@pytest.mark.parametrize(("args", "expected"), [
    (["--indicator", "ed_assaults_night"], "ed_assaults_night is a count, and only rates and "
                                           "percentages are ranked"),
    (["--indicator", "nope"], "unknown indicator 'nope' (known: all_crime, ed_assaults_night)"),
    (["--indicator", "all_crime", "--period-end", "2009-3"],
     "--period-end must be a month written YYYY-MM"),
])
def test_wrong_options_are_one_sentence(warehouse, capsys, args, expected):
    base = {"--period-start": "2009-04", "--period-end": "2009-06"}
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    flat = [item for pair in base.items() for item in pair]
    assert expected in rank_error(capsys, *flat, "--warehouse", warehouse)
