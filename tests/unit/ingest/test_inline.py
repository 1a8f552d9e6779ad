"""A typed column read by an expression instead of a join reads every text as the parser does.

Each case states the values it expects; a lookup whose texts no expression reads alike keeps
its join (and the rows still come back right, in file order)."""

from datetime import date, datetime, timedelta
from functools import partial

import duckdb
import pandas as pd
import pytest

from scp_metrics.ingest import engine
from scp_metrics.ingest.inline import CASE_LIMIT, expression
from scp_metrics.ingest.parse import lookup
from scp_metrics.settings import get_settings
from scp_metrics.sources import Column

CONFIG = get_settings().config_dir
NA = None


def column(kind: str) -> Column:
    return Column(name="x", headers=("X",), parse=kind, nullable=True, description="")


def read(kind: str, texts: list[str]) -> tuple[str | None, list[object]]:
    """The expression chosen for a column of ``texts`` and what it reads each row as."""
    con = duckdb.connect()
    con.execute("create temp table t (c0 varchar)")
    con.executemany("insert into t values (?)", [[None if t == "" else t] for t in texts])
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    sql = expression(con, kind, lookup(column(kind), counts), "coalesce(r.c0, '')", "lk")
    if sql is None:
        return None, []
    values = [v for (v,) in con.execute(f"select {sql} from t r order by r.rowid").fetchall()]
    return sql, [None if v is None or v is pd.NaT else v for v in values]


def test_flags_read_as_the_parser_reads_them():
    texts = ["Y", "N", "", "yes", "No", "TRUE", "false", "1", "0", " y ", "maybe"]
    sql, values = read("flag", texts)
    assert sql is not None and sql.startswith("cast(case")
    assert values == [True, False, NA, True, False, True, False, True, False, True, NA]


def test_dates_in_one_format_read_by_strptime_exactly_as_parsed():
    days = [date(2009, 4, 1) + timedelta(days=7 * i) for i in range(CASE_LIMIT + 10)]
    texts = [f"{d:%d/%m/%Y}" for d in days] + ["", "31/02/2009"]
    sql, values = read("date", texts)
    assert sql is not None and "try_strptime" in sql and "%d/%m/%Y" in sql
    assert values == [datetime(d.year, d.month, d.day) for d in days] + [NA, NA]


def test_dates_the_expression_would_read_otherwise_keep_the_join():
    days = [date(2009, 4, 1) + timedelta(days=i) for i in range(CASE_LIMIT + 4)]
    # strptime skips spaces but not a no-break space, which the parser strips
    sql, _ = read("date", [f"{d:%d/%m/%Y}" for d in days] + ["\u00a002/10/2009"])
    assert sql is None
    # strptime reads a three-digit year, the parser refuses it
    sql, _ = read("date", [f"{d:%d/%m/%Y}" for d in days] + ["02/10/209"])
    assert sql is None
    # two formats in one column: no one format reads them all
    sql, _ = read("date", [f"{d:%d/%m/%Y}" for d in days] + ["2009-10-02"])
    assert sql is None


def test_a_few_mixed_texts_are_written_out_as_a_case():
    sql, values = read("date", ["02/10/2009", "2009-10-03", "\u00a004/10/2009", ""])
    assert sql is not None and sql.startswith("cast(case")
    assert values == [datetime(2009, 10, 2), datetime(2009, 10, 3), datetime(2009, 10, 4), NA]


def test_times_already_normal_are_the_cell_and_others_keep_the_join():
    times = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
    sql, values = read("time", [*times, ""])
    assert sql == "cast(nullif(coalesce(r.c0, ''), '') as VARCHAR)"
    assert values == [*times, NA]
    sql, _ = read("time", [*times, "9:05"])  # the parser pads it to 09:05
    assert sql is None


def test_numbers_with_separators_are_written_out():
    sql, values = read("int", ["1,234", "7", "", "-3"])
    assert values == [1234, 7, NA, -3]
    sql, values = read("float", ["1,234.5", "0.1", ""])
    assert values == [1234.5, 0.1, NA]


HEADER = ("Crime Reference,Recorded Date,Offence Date,Offence Time,HO Offence Code,"
          "HO Offence Description,Ward Code,Ward Name,LSOA Code,Beat,Domestic Abuse Flag,"
          "Alcohol Related Flag,Hate Crime Flag,City Centre Flag,NTE Flag")


@pytest.mark.parametrize("padded", [False, True], ids=["expressions", "joins"])
def test_a_file_reads_the_same_rows_in_file_order_either_way(tmp_path, padded):
    """Dates in one format are read without a join; one padded with a no-break space makes the
    engine join (and sort back into file order): the typed rows are the same."""
    days = [date(2009, 10, 1) + timedelta(days=i % 90) for i in range(300)]
    rows = []
    for i, d in enumerate(days):
        recorded = f"\u00a0{d:%d/%m/%Y}" if padded and i == 150 else f"{d:%d/%m/%Y}"
        flag = "YN"[i % 2]
        rows.append(f"44/{i}/09,{recorded},{d:%d/%m/%Y},{i % 24:02d}:00,8G,ABH,E05002455,"
                    f"Bargate,E01017140,C1,{flag},N,N,N,{'NY'[i % 2]}")
    path = tmp_path / "crime_2009-10_Q3.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    result = partial(engine.validate_file, config_dir=CONFIG)(path, today=date(2010, 6, 1))
    assert result.ok, result.failures
    con = result._con
    with result.typed_rows() as view:  # as the load reads it: no ORDER BY of its own
        frame = con.execute(f"select * from {view}").df()
        sql = con.execute("select sql from duckdb_views() where view_name = ?",
                          [view]).fetchall()[0][0]
    assert (" JOIN " in sql.upper()) == padded  # the case is the one it means to be
    assert frame["source_row"].tolist() == list(range(2, 302))
    assert frame["crime_reference"].tolist() == [f"44/{i}/09" for i in range(300)]
    assert frame["recorded_date"].tolist() == [pd.Timestamp(d) for d in days]
    assert frame["domestic_abuse"].tolist() == [i % 2 == 0 for i in range(300)]
    assert frame["night_time_economy"].tolist() == [i % 2 == 1 for i in range(300)]
    assert frame["offence_time"].tolist() == [f"{i % 24:02d}:00" for i in range(300)]
    assert set(frame["period_start"]) == {pd.Timestamp(2009, 10, 1)}
