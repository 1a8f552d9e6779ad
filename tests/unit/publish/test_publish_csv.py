"""Publishing a mart as CSV a chunk at a time writes the same bytes as privacy.publish_table."""

from __future__ import annotations

import duckdb
import pytest

from scp_metrics import steps as refresh
from scp_metrics.publish.disclosure import publish_table
from tests.unit.publish.policy import default_policy_config


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""
        create table mart_indicator_values as
        select case when i % 3 = 0 then 'all_crime' else 'burglary' end as indicator_id,
               'E0' || lpad((i % 37)::varchar, 7, '0') as area_code,
               date '2010-01-01' + (i // 37)::integer as period_start,
               case when i % 11 = 0 then null else (i % 9)::double end as numerator,
               1000 + i as denominator, (i % 9) / 3.0 as value, i / 7.0 as ci95_lower,
               case when i % 5 = 0 then 'note, with comma' else 'plain' end as note
        from range(6000) t(i)
    """)
    con.execute("create table mart_spc as select indicator_id, area_code, period_start, "
                "numerator as value from mart_indicator_values")
    con.execute("create table ref_indicators as select * from (values ('all_crime', 'count'), "
                "('burglary', 'rate')) t(indicator_id, measure)")
    con.execute("create table mart_trends as select area_code, ci95_lower from mart_indicator_values")
    con.execute("create table mart_unplaced_rows as select * from mart_indicator_values limit 0")
    return con


@pytest.mark.parametrize("mart", ["mart_indicator_values", "mart_spc", "mart_trends",
                                  "mart_unplaced_rows"])
def test_chunked_publishing_writes_the_same_csv(tmp_path, monkeypatch, mart):
    con = _warehouse()
    monkeypatch.setattr(refresh, "PUBLISH_CHUNK_VECTORS", 1)  # 2,048 rows a chunk
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    config = default_policy_config(tmp_path)  # police-like ids, suppressed 1 to 4
    expected = publish_table(con, mart, whole, config)
    assert refresh.publish_mart_csv(con, mart, chunked, config) == expected
    assert chunked.read_bytes() == whole.read_bytes()
    assert not list(tmp_path.glob("*.part"))
    if mart in ("mart_indicator_values", "mart_spc"):
        assert expected > 0 and b"<5" in chunked.read_bytes()
