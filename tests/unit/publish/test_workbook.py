"""The Excel workbook: the partnership's peers (not every area), streamed, Excel-shaped.

A small hand-made warehouse (in memory) holds the tables the workbook reads.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import duckdb
import pytest
from openpyxl import load_workbook

from scp_metrics.publish import workbook
from scp_metrics.settings import PROJECT_ROOT, get_settings
from tests.unit.publish.policy import default_policy_config

HOME = "E06000045"
PEERS = ("E07000001", "E07000002")
OTHERS = ("E07000009", "E07000010", "E07000011")


def _warehouse(with_msg: bool = True) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""
        create table mart_indicator_values as
        select 'all_crime' as indicator_id, a.code as area_code, 'Area ' || a.code as area_name,
               p.period_type, p.period_start::date as period_start, p.period_end::date as period_end,
               case when a.code = $home and p.period_type = 'month' then 3 else 1200 end as numerator,
               100000 as denominator, 12.5 as value, 11.0 as ci95_lower, 14.0 as ci95_upper,
               'rate per 1,000' as unit, 2020 as population_year, -3.25 as change_pct
        from (select unnest($areas) as code) a,
             (values ('financial_year', '2019-04-01', '2020-03-31'),
                     ('financial_year', '2020-04-01', '2021-03-31'),
                     ('rolling_12m', '2020-01-01', '2020-12-31'),
                     ('rolling_12m', '2020-02-01', '2021-01-31'),
                     ('month', '2021-01-01', '2021-01-31')) p(period_type, period_start, period_end)
    """, {"home": HOME, "areas": [HOME, *PEERS, *OTHERS]})
    if with_msg:
        con.execute("create table stg_msg_membership as select $home as group_id, unnest($members) "
                    "as area_code, 'x' as area_name, 1 as batch_id",
                    {"home": HOME, "members": [HOME, *PEERS]})
        # another area's group must not leak into the home area's sheet
        con.execute("insert into stg_msg_membership values ('E07000009', 'E07000010', 'x', 1)")
        _peer_group(con, "Most Similar Group (delivered)", [HOME, *PEERS])
    con.execute("create table load_batches as select 1::bigint as batch_id, 'run' as run_id, "
                "'police_crime' as source, 'f.csv' as file_name, 'abc' as sha256, 10::bigint as rows, "
                "'2020Q1' as period, timestamp '2021-02-01 10:00' as loaded_at, 'loaded' as status, "
                "null::bigint as superseded_by, null as notes")
    return con


def _peer_group(con: duckdb.DuckDBPyConnection, label: str, members: list[str]) -> None:
    """mart_peer_group as the warehouse builds it: the home area first, then the members."""
    con.execute("""
        create table mart_peer_group as
        select $home as group_id, $label as group_label, m.code as area_code,
               'Area ' || m.code as area_name, m.code = $home as is_focus,
               (m.i - 1)::integer as rank, (m.i - 1) / 10.0 as distance,
               100000.0 + m.i as population, 1000.0 as density_per_sq_km,
               $label || ': where it comes from' as note
        from (select unnest($members) as code, generate_subscripts($members, 1) as i) m
    """, {"home": HOME, "label": label, "members": members})


@pytest.fixture
def settings(tmp_path):
    # police-like indicators under the default policy (counts 1 to 4), not config's open police
    return get_settings(home_area=HOME, warehouse=tmp_path / "wh.duckdb", outputs_dir=tmp_path / "out",
                        config_dir=default_policy_config(tmp_path))


def _rows(ws) -> list[tuple]:  # noqa: ANN001
    """The sheet's table: its header (units stripped: "value (rate per 1,000)" -> "value") and
    rows; the title, description and note line above it are not part of it."""
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return [tuple(str(c).split(" (")[0] if c is not None else c for c in rows[0]), *rows[1:]]


def _notes(book) -> str:  # noqa: ANN001
    return " ".join(str(r[1]) for r in _rows(book["Notes"])[1:])


def test_the_peer_sheet_holds_the_home_area_and_its_most_similar_group(settings, tmp_path):
    path = workbook.write_workbook(_warehouse(), settings, tmp_path / "wb.xlsx", "2021-01")
    book = load_workbook(path)
    assert book.sheetnames[:4] == ["Cover", "Contents", "Notes", "Indicators"]
    rows = _rows(book["Peers"])
    header, data = rows[0], rows[1:]
    areas = {r[header.index("area_code")] for r in data}
    assert areas == {HOME, *PEERS}
    assert {r[header.index("period_type")] for r in data} == {"financial_year", "rolling_12m"}
    assert len(data) == 3 * 4
    detail = book["Peers"]["A2"].value
    assert "Most Similar Group" in detail and "3 areas" in detail
    assert "mart_indicator_values.csv" in _notes(book)
    contents = {r[0]: r[2] for r in _rows(book["Contents"])[1:]}
    assert contents["Peers"] == "12"


def test_without_a_group_the_peer_sheet_keeps_every_areas_latest_periods(settings, tmp_path):
    path = workbook.write_workbook(_warehouse(with_msg=False), settings, tmp_path / "wb.xlsx")
    rows = _rows(load_workbook(path)["Peers"])
    header, data = rows[0], rows[1:]
    assert len(data) == 6 * 2  # every area, the latest financial year and rolling 12 months
    starts = {(r[header.index("period_type")], r[header.index("period_start")]) for r in data}
    assert starts == {("financial_year", datetime(2020, 4, 1)), ("rolling_12m", datetime(2020, 2, 1))}


def test_a_proxy_group_reaches_the_peer_sheets_with_its_quarters(settings, tmp_path):
    """No MSG file: the proxy group (open data) of mart_peer_group is the Peers sheet's group,
    named in its description; police.uk data has no whole year, so its quarters are shown."""
    con = _warehouse(with_msg=False)
    con.execute("delete from mart_indicator_values where period_type <> 'month'")
    con.execute("""
        insert into mart_indicator_values
        select indicator_id, area_code, area_name, 'quarter', date '2020-10-01', date '2020-12-31',
               300, denominator, 3.0, 2.7, 3.4, unit, population_year, null
        from mart_indicator_values
    """)
    _peer_group(con, "proxy group (open data)", [HOME, PEERS[1], OTHERS[0]])
    book = load_workbook(workbook.write_workbook(con, settings, tmp_path / "wb.xlsx", "2021-01"))
    header, *data = _rows(book["Peers"])
    assert {r[header.index("area_code")] for r in data} == {HOME, PEERS[1], OTHERS[0]}
    assert [r[header.index("period_type")] for r in data] == ["quarter"] * 3
    assert "proxy group (open data) (3 areas)" in book["Peers"]["A2"].value
    header, *members = _rows(book["Peer_group"])
    assert [r[header.index("area_code")] for r in members] == [HOME, PEERS[1], OTHERS[0]]
    assert {r[header.index("group_label")] for r in members} == {"proxy group (open data)"}
    assert [r[header.index("rank")] for r in members] == [0, 1, 2]


def test_sheets_are_excel_tables_with_formats_and_small_number_suppression(settings, tmp_path):
    path = workbook.write_workbook(_warehouse(), settings, tmp_path / "wb.xlsx", "2021-01")
    ws = load_workbook(path)["Indicators"]
    assert ws.freeze_panes == "A5"
    assert [t.ref for t in ws.tables.values()] == ["A4:N9"]  # 14 columns, 5 rows of the home area
    assert ws["A1"].value == "Indicator values for the partnership's area"
    header = [c.value for c in ws[4]]
    assert "value (rate per 1,000)" not in header  # the unit is the row's: the header says so
    assert "value (unit of the row)" in header and "numerator (count)" in header
    col = {name.split(" (")[0]: i + 1 for i, name in enumerate(header)}
    month = next(r for r in range(5, 10) if ws.cell(r, col["period_type"]).value == "month")
    assert ws.cell(month, col["numerator"]).value == "<5"
    assert ws.cell(month, col["value"]).value is None  # would give the count back
    other = 5 if month != 5 else 6
    assert ws.cell(other, col["numerator"]).value == 1200
    assert ws.cell(other, col["numerator"]).number_format == "#,##0"
    assert ws.cell(other, col["value"]).number_format == "#,##0.00"
    assert ws.cell(other, col["change_pct"]).number_format == "0.0"
    assert ws.cell(other, col["population_year"]).number_format == "0"
    start = ws.cell(other, col["period_start"])
    assert isinstance(start.value, datetime) and start.number_format == "yyyy-mm-dd"
    loads = load_workbook(path)["Load_history"]
    assert isinstance(loads.cell(5, 8).value, datetime)
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] >= len("all_crime") and widths["C"] >= len("E06000045")


def test_the_suppression_audit_lists_every_withheld_cell(settings, tmp_path):
    book = load_workbook(workbook.write_workbook(_warehouse(), settings, tmp_path / "wb.xlsx"))
    audit = _rows(book["Suppression_audit"])[1:]
    for sheet, row, column, _reason in audit:
        header = [c.value for c in book[sheet][4]]
        cell = book[sheet].cell(int(row), header.index(column) + 1)
        assert cell.value in ("<5", "[c]", None), (sheet, row, column, cell.value)
    # the home area's month: numerator small, its value, interval and change withheld; the
    # months, year to date and rolling 12 months of the series withheld with it (secondary)
    mine = {(r[2].split(" (")[0], r[3]) for r in audit if r[0] == "Indicators"}
    policy = "(default: counts 1 to 4 suppressed)"
    assert ("numerator", f"Primary: small count {policy}") in mine
    assert ("value", f"Primary: derived from a small count {policy}") in mine
    assert ("numerator", "Secondary: count withheld so that no suppressed count of this series "
            f"can be recovered from other period types {policy}") in mine


def test_a_sheet_longer_than_excel_allows_is_cut_and_says_so(settings, tmp_path, monkeypatch):
    from scp_metrics.publish.workbook import model

    monkeypatch.setattr(model, "EXCEL_MAX_ROWS", model.TABLE_FIRST_ROW + 1 + 3)
    book = load_workbook(workbook.write_workbook(_warehouse(), settings, tmp_path / "wb.xlsx"))
    assert len(_rows(book["Peers"])) == 1 + 3
    assert "Only the first 3 of 12 rows fit this sheet" in _notes(book)


def test_the_workbook_suppresses_what_the_published_csvs_suppress(settings, tmp_path):
    con = _warehouse()
    con.execute("create table ref_indicators as select * from (values ('asb', 'count', 'count'), "
                "('all_crime', 'rate', 'rate per 1,000')) t(indicator_id, measure, unit)")
    con.execute("create table mart_spc as select * from (values "
                "('asb', $home, date '2021-01-01', 3.0, 10.0), "
                "('asb', $home, date '2021-02-01', 12.0, 10.0), "
                "('all_crime', $home, date '2021-01-01', 3.0, 10.0)) "
                "t(indicator_id, area_code, period_start, value, mean)", {"home": HOME})
    con.execute("create table mart_data_quality as select * from (values "
                "('reconcile', 'vap', $home, 2.0, 40.0, 1900.0), "
                "('reconcile', 'all_crime', $home, 900.0, 910.0, 1.1)) "
                "t(check_id, indicator_id, area_code, record_level_value, published_value, difference_pct)",
                {"home": HOME})
    book = load_workbook(workbook.write_workbook(con, settings, tmp_path / "wb.xlsx", "2021-01"))

    spc = _rows(book["SPC"])
    got = {(r[0], r[2].month): r[3] for r in spc[1:]}
    # a rate is not a count, but all_crime's months rest on a month of 1 to 4 in
    # mart_indicator_values (_warehouse), so secondary suppression withholds its SPC point too
    assert got == {("asb", 1): "<5", ("asb", 2): 12, ("all_crime", 1): "[c]"}

    quality = _rows(book["Data_quality"])
    header = quality[0]
    small = next(r for r in quality[1:] if r[1] == "vap")
    assert small[header.index("record_level_value")] == "<5"
    assert small[header.index("difference_pct")] is None  # would give the count back
    big = next(r for r in quality[1:] if r[1] == "all_crime")
    assert big[header.index("record_level_value")] == 900

    indicators = _rows(book["Indicators"])
    header = indicators[0]
    month = next(r for r in indicators[1:] if r[header.index("period_type")] == "month")
    assert month[header.index("change_pct")] is None  # a derived column of a suppressed count


def test_the_workbook_takes_its_threshold_from_privacy_toml_as_the_csvs_do(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    text = (config / "privacy.toml").read_text().replace("threshold = 5", "threshold = 3")
    (config / "privacy.toml").write_text(text)
    settings = get_settings(home_area=HOME, warehouse=tmp_path / "wh.duckdb", config_dir=config)
    book = load_workbook(workbook.write_workbook(_warehouse(), settings, tmp_path / "wb.xlsx"))
    rows = _rows(book["Indicators"])
    header = rows[0]
    month = next(r for r in rows[1:] if r[header.index("period_type")] == "month")
    assert month[header.index("numerator")] == 3  # 3 is not below a threshold of 3
    assert month[header.index("value")] == 12.5
    assert not any(r[0] == "Indicators" for r in _rows(book["Suppression_audit"])[1:])


def _shown(value: float, number_format: str) -> str:
    """What Excel shows for a number under a plain number format (``#,##0.00``, ``0.0``), a
    percentage (``0%``) or conditional sections (``[<0.005]"<1%";...;0%``)."""
    *conditional, plain = number_format.split(";")
    for section in conditional:  # [<op><bound>]"literal": the first whose condition holds
        m = re.fullmatch(r'\[(<=|>=|<|>)([0-9.]+)\]"(.*)"', section)
        assert m, section
        bound = float(m.group(2))
        if {"<": value < bound, "<=": value <= bound, ">": value > bound,
                ">=": value >= bound}[m.group(1)]:
            return m.group(3)
    if plain.endswith("%"):
        return _shown(100 * value, plain[:-1]) + "%"
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return f"{value:{',' if ',' in plain else ''}.{decimals}f}"


def test_numbers_read_back_at_their_units_precision_and_none_is_a_date(settings, tmp_path):
    from openpyxl.styles.numbers import is_date_format

    con = _warehouse()
    con.execute("""
        create table mart_target_tracking as select * from (values
            ('NI15_2010_11', date '2009-12-31', 0.9269542930371637, 1.2359390573828848,
             0.9938829873143801, 9, null, 'rate per 1,000'),
            ('criminal_damage_stretch', date '2009-12-31', 3017.0, 3977.030902004454,
             0.000001, 9, 12345.6, 'count'),
            ('msg_rank_all_crime', date '2009-12-31', 13.0, null, null, 9, null,
             'rank (1 = best)'),
            ('NI17_2010_11', date '2009-12-31', 24.649714229710078, 24.649714229710078,
             0.5, 1, null, '%'))
        t(target_id, as_of, actual_value, projected_year_end, probability_met, months_observed,
          reward_implied, unit)
    """)
    book = load_workbook(workbook.write_workbook(con, settings, tmp_path / "wb.xlsx", "2009-12"))
    rows = list(book["Target_detail"].iter_rows(min_row=4))
    header = [str(c.value).split(" (")[0] for c in rows[0]]
    shown = {}
    for row in rows[1:]:
        target = row[0].value
        for name, cell in zip(header, row, strict=True):
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert not is_date_format(cell.number_format), (target, name, cell.number_format)
                shown[target, name] = _shown(cell.value, cell.number_format)
            elif cell.value is not None and name != "as_of":
                assert isinstance(cell.value, str), (target, name, cell.value)
    assert shown == {
        ("NI15_2010_11", "actual_value"): "0.93", ("NI15_2010_11", "projected_year_end"): "1.24",
        ("NI15_2010_11", "probability_met"): "99%", ("NI15_2010_11", "months_observed"): "9",
        ("criminal_damage_stretch", "actual_value"): "3,017",
        ("criminal_damage_stretch", "projected_year_end"): "3,977",
        ("criminal_damage_stretch", "probability_met"): "<1%",
        ("criminal_damage_stretch", "months_observed"): "9",
        ("criminal_damage_stretch", "reward_implied"): "12,346",
        ("msg_rank_all_crime", "actual_value"): "13", ("msg_rank_all_crime", "months_observed"): "9",
        ("NI17_2010_11", "actual_value"): "24.6", ("NI17_2010_11", "projected_year_end"): "24.6",
        ("NI17_2010_11", "probability_met"): "50%", ("NI17_2010_11", "months_observed"): "1",
    }
    as_of = rows[1][header.index("as_of")]
    assert isinstance(as_of.value, datetime) and is_date_format(as_of.number_format)
