"""The population a rate uses (int_population_years): the mid-year inside the period's financial
year, else the latest earlier one; the marts and ``scp-metrics rank`` read the same rows."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from scp_metrics.warehouse.build import read_sql
from scp_metrics.warehouse.populations import (
    mid_years_loaded,
    populations_for_year,
    populations_of_mid_year,
)
from scp_metrics.warehouse.queries import sql_text


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(sql_text("macros"))
    con.execute("create table stg_population (area_code varchar, area_name varchar, "
                "mid_year integer, population bigint)")
    con.execute("insert into stg_population values ('A', 'a', 2007, 1000), ('A', 'a', 2009, 1200), "
                "('B', 'b', 2008, 500)")
    con.execute("create table int_indicator_periods (indicator_id varchar, area_code varchar, "
                "period_type varchar, period_start date, period_end date, numerator bigint, "
                "denominator_count bigint, source varchar)")
    periods = [("A", date(2008, 4, 1), date(2008, 12, 31)),  # 2008/09: mid-2008 missing -> 2007
               ("A", date(2010, 1, 1), date(2010, 3, 31)),  # 2009/10 -> mid-2009
               ("A", date(2011, 4, 1), date(2011, 4, 30)),  # 2011/12 -> latest, mid-2009
               ("B", date(2007, 4, 1), date(2007, 4, 30)),  # before B's first mid-year: none
               ("C", date(2009, 4, 1), date(2009, 4, 30))]  # no population at all
    for area, start, end in periods:
        con.execute("insert into int_indicator_periods values ('x', ?, 'month', ?, ?, 1, null, 's')",
                    [area, start, end])
    for name in ("int_population_years", "int_indicator_counts"):
        con.execute(f"create table {name} as {read_sql('intermediate', name)}")
    yield con
    con.close()


def test_each_period_gets_the_mid_year_of_its_financial_year_or_the_latest_earlier(con):
    rows = con.execute("select area_code, period_end, population_year, population "
                       "from int_indicator_counts order by area_code, period_end").fetchall()
    assert rows == [("A", date(2008, 12, 31), 2007, 1000), ("A", date(2010, 3, 31), 2009, 1200),
                    ("A", date(2011, 4, 30), 2009, 1200), ("B", date(2007, 4, 30), None, None),
                    ("C", date(2009, 4, 30), None, None)]


def test_rank_reads_the_same_choice_and_the_override(con):
    chosen = populations_for_year(con, ["A", "B", "C"], 2008)
    assert chosen.values.tolist() == [["A", 1000, 2007], ["B", 500, 2008]]
    assert populations_of_mid_year(con, ["A", "B"], 2009).values.tolist() == [["A", 1200, 2009]]
    assert mid_years_loaded(con, ["A"]) == [2007, 2009]
