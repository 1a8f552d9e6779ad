"""The SQL period macros (``warehouse/sql/macros.sql``) against the Python rules they mirror."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.periods import a_year_later
from scp_metrics.warehouse.queries import sql_text


def test_year_later_macros_are_periods_a_year_later_on_every_day_2000_to_2030():
    days = pd.Series(pd.date_range("2000-01-01", "2030-12-31", freq="D"))
    starts, ends = a_year_later(days, days)  # the Python rule, leap days included
    con = duckdb.connect()
    con.execute(sql_text("macros"))
    got = con.execute("select year_later_start(d) as s, year_later_end(d) as e "
                      "from (select unnest($days) as d) order by d", {"days": days.dt.date.tolist()}).df()
    assert len(got) == len(days) == 11_323
    assert (pd.to_datetime(got["s"]) == starts).all()
    assert (pd.to_datetime(got["e"]) == ends).all()
    # the case the rule exists for: 29 February 2008 → 28 February 2009 for start and end
    assert got.loc[days == pd.Timestamp("2008-02-29"), ["s", "e"]].astype(str).values.tolist() \
        == [["2009-02-28", "2009-02-28"]]
