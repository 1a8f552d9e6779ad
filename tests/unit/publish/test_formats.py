"""Formats come from the marts' contracts (the row's unit where it changes), never from names."""

from __future__ import annotations

import pandas as pd
import pytest

from scp_metrics.publish.formats import LEDGER_UNITS, cell_formats, format_figure, format_number
from scp_metrics.warehouse.contracts import contract_for

TRACKING = contract_for("mart_target_tracking")


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.9269542930371637, "rate per 1,000", "0.93"), (102.99847, "rate per 1,000", "103.00"),
    (3977.030902, "count", "3,977"), (13.0, "rank (1 = best)", "13"), (24.6497, "%", "24.6"),
    (12345.6, "£", "12,346"), (None, "count", "—"), (float("nan"), "%", "—"),
])
def test_a_number_is_written_at_its_units_precision(value, unit, text):
    assert format_number(value, unit) == text


def test_a_targets_figures_take_the_rows_unit():
    rows = [{"unit": "rate per 1,000", "projected_year_end": 1.2359390573828848},
            {"unit": "count", "projected_year_end": 3977.030902004454},
            {"unit": "rank (1 = best)", "projected_year_end": 13.0},
            {"unit": "%", "projected_year_end": 24.649714229710078, "stretch_pct_achieved": 61.26}]
    assert [format_figure(TRACKING, "projected_year_end", r) for r in rows] == [
        "1.24", "3,977", "13", "24.6"]
    assert format_figure(TRACKING, "stretch_pct_achieved", rows[3]) == "61.3"
    assert format_figure(TRACKING, "target_value", rows[0], missing="unset") == "unset"


def test_a_column_ending_in_end_is_a_number_when_its_contract_says_so():
    frame = pd.DataFrame({"target_id": ["a", "b"], "as_of": [pd.Timestamp("2009-12-31")] * 2,
                          "projected_year_end": [1.24, 3977.0], "unit": ["rate per 1,000", "count"],
                          "months_observed": [9, 9], "note": ["x", "y"]})
    formats = cell_formats(frame, TRACKING)
    assert formats["projected_year_end"] == ["#,##0.00", "#,##0"]
    assert formats["as_of"] == ["yyyy-mm-dd"] * 2
    assert formats["months_observed"] == ["0", "0"]
    assert formats["note"] == [None, None] and formats["target_id"] == [None, None]


def test_an_spc_value_takes_its_indicators_unit_and_the_ledger_its_declared_units():
    spc = pd.DataFrame({"indicator_id": ["NI32", "ed_assaults_night"], "value": [31.0, 12.0],
                        "rebase_group": [0, 1]})
    formats = cell_formats(spc, contract_for("mart_spc"),
                           {"NI32": "%", "ed_assaults_night": "count"})
    assert formats["value"] == ["0.0", "#,##0"]
    assert formats["rebase_group"] == ["0", "0"]
    ledger = pd.DataFrame({"batch_id": [1], "rows": [12_000], "file_name": ["f.csv"],
                           "loaded_at": [pd.Timestamp("2010-01-12 09:00")]})
    formats = cell_formats(ledger, None, units=LEDGER_UNITS)
    assert formats == {"batch_id": ["0"], "rows": ["#,##0"], "file_name": [None],
                       "loaded_at": ["yyyy-mm-dd"]}


def test_a_count_target_that_is_not_whole_keeps_one_decimal():
    # Neighbourhood Watch 2009/10: 200 -> 230 by the year end, 3 of 4 quarters gone:
    # 200 + 30 * 3/4 = 222.5 expected (issue 19: the KPI section said "222")
    status = contract_for("mart_kpi_status")
    row = {"unit": "count", "expected_value": 222.5, "target_value": 230.0, "value": 224.0,
           "ci95_lower": 1066.04}
    assert format_figure(status, "expected_value", row) == "222.5"
    assert format_figure(status, "target_value", row) == "230"
    # every other count is still whole: a figure and a count's interval limit
    assert format_figure(status, "value", row) == "224"
    assert format_figure(status, "ci95_lower", row) == "1,066"
