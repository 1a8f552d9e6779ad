"""mart_recording_breaks' adapter: the warnings any command prints for the series it shows."""

from __future__ import annotations

import duckdb

from scp_metrics.warehouse.marts.recording_breaks import break_messages


def test_break_messages_are_found_for_the_series_shown():
    con = duckdb.connect()
    assert break_messages(con, ["asb"], ["A"]) == []  # no mart yet: nothing to say
    con.execute("create table mart_recording_breaks as select 'asb' as indicator_id, "
                "'A' as area_code, 'ASB in A fell 80%' as message")
    assert break_messages(con, ["asb", "crime"], ["A", "B"]) == ["ASB in A fell 80%"]
    assert break_messages(con, ["crime"], ["A"]) == []
    con.close()
