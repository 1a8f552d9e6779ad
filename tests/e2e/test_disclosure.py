"""Disclosure control on the sample's published outputs (issue 15 item 8): the per-source policy
(config/privacy.toml), secondary suppression across period types, and the audit sheet.

The attack (tests/unit/publish/disclosure_attack.py) reads only the published CSVs: every count
of mart_indicator_values is a sum of months, so a suppressed cell is recoverable when its months
are a linear combination of published cells' months - a quarter minus two months, consecutive
year-to-date or rolling 12-month figures, a year minus its quarters, or any chain of them - or
when a published value (its own, last year's beside the next year's row, an SPC point) gives it
back."""

from __future__ import annotations

import re
import tomllib

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from scp_metrics.settings import PROJECT_ROOT
from tests.unit.publish.disclosure_attack import attack, is_suppressed

pytestmark = pytest.mark.e2e

HOME = "E06000045"


@pytest.fixture(scope="module")
def published(sample_refresh):
    settings, _ = sample_refresh
    out = settings.outputs_dir / "2009-12"
    read = dict(dtype=str, keep_default_na=False)
    return (settings, pd.read_csv(out / "mart_indicator_values.csv", **read),
            pd.read_csv(out / "mart_spc.csv", **read))


def test_the_policy_is_applied_per_source_in_the_published_csv(published):
    settings, values, _ = published
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        marac = con.execute(
            "select indicator_id, period_type, period_start::varchar, period_end::varchar "
            "from mart_indicator_values where area_code = ? and indicator_id = 'NI32' "
            "and (numerator between 1 and 7 or denominator between 1 and 7) "
            "order by 1, 2, 3, 4", [HOME]).fetchall()
    finally:
        con.close()
    shown = {(r.indicator_id, r.period_type, r.period_start, r.period_end): r.numerator
             for r in values[values["area_code"] == HOME].itertuples()}
    assert len(marac) >= 10  # the sample has MARAC counts of 1 to 7
    # MARAC: a count of 1 to 7 published as "<8" (or "[c]" where the denominator is small)
    assert {shown[r] for r in marac} <= {"<8", "[c]"} and "<8" in {shown[r] for r in marac}
    # police recorded crime is open (config/indicators.toml source_table police_crime, the
    # default): every count of every area published as a number
    catalogue = tomllib.loads((PROJECT_ROOT / "config" / "indicators.toml").read_text())
    police = {i["id"] for i in catalogue["indicator"]
              if i.get("source_table", "police_crime") == "police_crime"}
    counts = values.loc[values["indicator_id"].isin(police), ["numerator", "denominator"]]
    assert len(counts) > 10_000
    assert not counts.map(lambda v: v != "" and not v.isdigit()).any().any()


def test_no_suppressed_count_can_be_worked_out_from_other_published_numbers(published):
    _, values, spc = published
    suppressed = values[values["numerator"].map(is_suppressed)]
    assert len(suppressed) >= 10  # the attack has something to attack
    found = attack(values, spc)
    leaks = [r for r in found if not r.restated]
    assert leaks == [], leaks[:5]
    # what the attack can restate is never a small count: only a secondary "[c]" cell whose
    # months are a published cell's (the year to date to March is the financial year)
    assert {r.shown for r in found} <= {"[c]"}


def test_the_audit_sheet_lists_every_withheld_count_and_why(published):
    settings, _, _ = published
    book = load_workbook(settings.outputs_dir / "2009-12" / "scp_metrics_tables_2009-12.xlsx",
                         read_only=True)
    audit = list(book["Suppression_audit"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(audit) if r[:4] == ("Sheet", "Row", "Column", "Reason"))
    listed = {(r[0], int(r[1]), r[2]): r[3] for r in audit[head + 1:] if r[0]}
    markers = {}
    for sheet in {s for s, _, _ in listed}:
        rows = list(book[sheet].iter_rows(values_only=True))
        header = rows[3]
        for n, row in enumerate(rows[4:], start=5):
            for name, cell in zip(header, row, strict=False):
                if isinstance(cell, str) and (cell == "[c]" or re.fullmatch(r"<\d+", cell)):
                    markers[(sheet, n, name)] = cell
    assert markers, "the sample's workbook withholds MARAC counts"
    for key, cell in markers.items():
        why = listed[key]
        kind = "Primary: small count" if cell.startswith("<") else "Secondary: count withheld"
        assert why.startswith(kind), (key, cell, why)
        assert "counts 1 to 7 suppressed" in why or "counts 1 to 4 suppressed" in why, why


def test_no_withheld_figure_appears_in_any_published_csv(published):
    """A figure withheld in mart_indicator_values (value, interval) must not be published by
    another mart that repeats it: mart_kpi_status took NI 32's rolling 12 months (17 / 59 =
    28.8136%) from the warehouse and published it in full while mart_indicator_values
    withheld it. Every fractional withheld figure of an indicator, at 8 significant digits, is
    looked for in every numeric cell of that indicator's rows (indicator_id or kpi_id) of every
    published CSV."""
    settings, values, _ = published
    out = settings.outputs_dir / "2009-12"
    withheld = values[values["numerator"].map(is_suppressed)]
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        exact = con.execute(
            "select indicator_id, area_code, period_type, period_start::varchar as "
            "period_start, period_end::varchar as period_end, value, ci95_lower, ci95_upper "
            "from mart_indicator_values "
            "order by 1, 2, 3, 4, 5").df()
    finally:
        con.close()
    keys = ["indicator_id", "area_code", "period_type", "period_start", "period_end"]
    hidden = exact.merge(withheld[keys], on=keys)
    assert len(hidden) == len(withheld) >= 10
    # a withheld cell whose months another period type publishes (the year to date or rolling
    # 12 months to March is the financial year) is restated, not leaked: the attack test allows
    # it for secondary cells only, so it is left out here
    months = ["indicator_id", "area_code", "period_start", "period_end"]
    shown = values.loc[~values["numerator"].map(is_suppressed), months].drop_duplicates()
    hidden = hidden.merge(shown, on=months, how="left", indicator=True)
    hidden = hidden[hidden["_merge"] == "left_only"]
    figures: dict[str, set[str]] = {}
    for row in hidden.itertuples():
        for v in (row.value, row.ci95_lower, row.ci95_upper):
            if v == v and abs(v - round(v)) > 1e-6:
                figures.setdefault(row.indicator_id, set()).add(f"{v:.8g}")
    assert "28.813559" in figures["NI32"]  # its rolling 12 months to Dec 2009: the leak once found
    found: dict[str, set[tuple[str, str, str]]] = {}
    checked = 0
    for csv in sorted(out.glob("*.csv")):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        ids = next((c for c in ("indicator_id", "kpi_id") if c in table.columns), None)
        if ids is None:
            continue
        for row in table.to_dict("records"):
            mine = figures.get(row[ids])
            if not mine:
                continue
            checked += 1
            for column, cell in row.items():
                try:
                    number = float(cell)
                except ValueError:
                    continue
                if f"{number:.8g}" in mine:
                    found.setdefault(csv.name, set()).add((row[ids], column, cell))
    assert checked > 100 and found == {}, found
