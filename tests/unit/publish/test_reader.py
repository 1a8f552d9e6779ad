"""The one publish reader: queries are files, tables are read by name only, values are bound."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from scp_metrics.publish.reader import MartReader, as_reader, query_text

PUBLISH = Path(resources.files("scp_metrics.publish"))  # type: ignore[arg-type]
QUERIES = sorted((PUBLISH / "sql").glob("*.sql"))


@pytest.fixture
def reader() -> MartReader:
    con = duckdb.connect()
    con.execute("""
        create table mart_indicator_values as select * from (values
            ('all_crime', 'E06000045', 'month', date '2009-11-01', date '2009-11-30', 10),
            ('all_crime', 'E06000045', 'quarter', date '2009-10-01', date '2009-12-31', 31),
            ('all_crime', 'E06000045', 'rolling_12m', date '2009-03-01', date '2010-02-28', 99),
            ('all_crime', 'E06000044', 'month', date '2010-01-01', date '2010-01-31', 7))
        t(indicator_id, area_code, period_type, period_start, period_end, numerator)
    """)
    con.execute('create table "odd""name" as select 1 as x')
    return MartReader(con)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_every_query_file_is_one_select_with_its_values_bound(path):
    text = path.read_text()
    statements = duckdb.extract_statements(text)
    assert len(statements) == 1, path.name
    assert statements[0].type == duckdb.StatementType.SELECT, path.name
    assert text.lstrip().startswith("--"), f"{path.name} does not say what it selects"
    assert "{" not in text and "%s" not in text and "?" not in text, path.name


def test_every_query_the_publish_layer_runs_is_a_file():
    code = "\n".join(p.read_text() for p in PUBLISH.rglob("*.py"))
    code += (PUBLISH.parent / "api.py").read_text()
    named = set(re.findall(r'"(workbook_[a-z_]+)"', code))
    code += "\n".join(p.read_text() for p in (PUBLISH.parent / "cli").glob("*.py"))  # rank
    named |= set(re.findall(r'\.(?:frame|rows|value|count|empty|chunks)\(\s*"([a-z_]+)"', code))
    assert len(named) >= 30
    missing = sorted(n for n in named if not (PUBLISH / "sql" / f"{n}.sql").is_file())
    assert not missing
    unused = sorted(p.stem for p in QUERIES if f'"{p.stem}"' not in code)
    assert not unused


def test_an_unknown_query_is_refused_by_name():
    with pytest.raises(KeyError, match="no query 'nope'"):
        query_text("nope")


def test_a_table_is_read_only_when_the_warehouse_has_it_and_filters_are_bound(reader):
    with pytest.raises(KeyError, match="no table 'mart_none'"):
        reader.table("mart_none")
    with pytest.raises(KeyError, match="no column 'area'"):
        reader.table("mart_indicator_values", area="E06000045")
    hostile = "E06000045' or '1' = '1"
    assert reader.table("mart_indicator_values", area_code=hostile).empty
    assert reader.table('odd"name')["x"].tolist() == [1]
    rows = reader.table("mart_indicator_values", area_code="E06000045", period_type="month")
    assert rows["numerator"].tolist() == [10]


def test_tables_come_back_in_a_fixed_order_whole_or_in_chunks(reader):
    whole = reader.table("mart_indicator_values")
    assert whole["numerator"].tolist() == [7, 10, 31, 99]  # by every column: area, type, ...
    chunks = list(reader.table_chunks("mart_indicator_values", None))
    assert len(chunks) == 1 and chunks[0].equals(whole)


def test_the_latest_month_is_the_areas_last_month_or_quarter_end(reader):
    assert reader.latest_month("E06000045") == "2009-12"  # the quarter, not the rolling year
    assert reader.latest_month("E06000044") == "2010-01"
    assert reader.latest_month("E09999999") is None
    assert MartReader(duckdb.connect()).latest_month("E06000045") is None


def test_named_queries_bind_their_parameters_and_stop_at_a_limit(reader):
    values = reader.frame("chart_trend_values", indicator_id="all_crime", area_code="E06000045",
                          period_end=date(2010, 2, 28))
    assert values["period_type"].tolist() == ["month", "rolling_12m"]
    assert reader.count("workbook_indicators", home="E06000045") == 3
    chunks = list(reader.chunks("workbook_indicators", {"home": "E06000045"}, 1, limit=2))
    assert sum(len(c) for c in chunks) == 2
    assert list(reader.empty("workbook_indicators", home="E06000045").columns) == [
        "indicator_id", "area_code", "period_type", "period_start", "period_end", "numerator"]


def test_a_connection_is_wrapped_and_anything_else_refused(reader):
    con = duckdb.connect()
    assert as_reader(reader) is reader
    assert as_reader(con).tables() == []
    with pytest.raises(TypeError, match="MartReader or a DuckDB connection"):
        as_reader("data/warehouse/scp.duckdb")  # type: ignore[arg-type]


def test_opening_a_missing_warehouse_says_to_refresh_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="run 'scp-metrics refresh' first"):
        MartReader.open(tmp_path / "none.duckdb")
