"""Disclosure control on the sample's published outputs (issue 15 item 8): the per-source policy
(config/privacy.toml), secondary suppression across period types, and the audit sheet.

The attack (tests/unit/publish/disclosure_attack.py) reads only the published CSVs: every count
of mart_indicator_values is a sum of months, so a suppressed cell is recoverable when its months
are a linear combination of published cells' months - a quarter minus two months, consecutive
year-to-date or rolling 12-month figures, a year minus its quarters, or any chain of them - or
when a published value (its own, last year's beside the next year's row, an SPC point) gives it
back."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

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
        exact = con.execute(
            "select indicator_id, period_type, period_start::varchar, period_end::varchar, "
            "numerator from mart_indicator_values where area_code = ? and "
            "indicator_id in ('NI32', 'NI15') and numerator between 1 and 7 "
            "order by 1, 2, 3, 4", [HOME]).fetchall()
    finally:
        con.close()
    shown = {(r.indicator_id, r.period_type, r.period_start, r.period_end): r.numerator
             for r in values[values["area_code"] == HOME].itertuples()}
    marac = [r for r in exact if r[0] == "NI32"]
    police = [r for r in exact if r[0] == "NI15" and r[4] <= 4]
    assert marac and police  # the sample has MARAC counts of 1-7 and police months of 1-4
    # MARAC: counts of 1 to 7 published as "<8"; police recorded crime is open: as counted
    assert {shown[r[:4]] for r in marac} == {"<8"}
    assert [shown[r[:4]] for r in police] == [str(r[4]) for r in police]


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
                if isinstance(cell, str) and (cell.startswith("<") or cell == "[c]") \
                        and cell[1:2].isdigit() | (cell == "[c]"):
                    markers[(sheet, n, name)] = cell
    assert markers, "the sample's workbook withholds MARAC counts"
    for key, cell in markers.items():
        why = listed[key]
        kind = "Primary: small count" if cell.startswith("<") else "Secondary: count withheld"
        assert why.startswith(kind), (key, cell, why)
        assert "counts 1 to 7 suppressed" in why or "counts 1 to 4 suppressed" in why, why
