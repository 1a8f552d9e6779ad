"""Small-number suppression of published tables (the personal-data guard: tests/unit/ingest/test_guard.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scp_metrics.publish.disclosure import publish_table
from scp_metrics.publish.suppression import suppress_small_numbers, suppression_rules
from scp_metrics.warehouse import connect


def test_small_numbers_are_suppressed_with_the_values_derived_from_them():
    frame = pd.DataFrame({"numerator": [0, 1, 4, 5, None], "denominator": [100, 100, 3, 200, 7],
                          "value": [0.0, 1.0, 133.3, 2.5, None], "area": list("abcde")})
    out = suppress_small_numbers(frame, ["numerator", "denominator"], 5, derived=["value"])
    assert out["numerator"].tolist() == ["0", "<5", "<5", "5", None]
    assert out["denominator"].tolist() == ["100", "100", "<5", "200", "7"]
    assert out["value"].tolist()[:4] == [0.0, None, None, 2.5]
    assert out["area"].tolist() == list("abcde")
    assert frame["numerator"].iloc[1] == 1  # the input is not changed
    assert suppress_small_numbers(frame, ["numerator"], 3)["numerator"].tolist()[2] == "4"


def test_published_csvs_show_small_counts_under_the_sources_policy(tmp_path):
    con = connect(":memory:")
    con.execute("create table mart_indicator_values as select * from (values "
                "('NI32', 'E06000045', date '2009-04-01', 7::bigint, 234600::bigint, 0.0128),"
                "('NI32', 'E06000044', date '2009-04-01', 40::bigint, 197700::bigint, 0.2)) "
                "t(indicator_id, area_code, period_start, numerator, denominator, value)")
    rules = suppression_rules(Path(__file__).resolve().parents[3] / "config")
    assert rules.threshold == 5
    target = tmp_path / "mart.csv"
    config = Path(__file__).resolve().parents[3] / "config"
    assert publish_table(con, "mart_indicator_values", target, config) == 1
    con.close()
    lines = target.read_text().splitlines()
    # MARAC (config/privacy.toml [source.marac]): counts 1 to 7 suppressed
    assert lines[1:] == ["NI32,E06000044,2009-04-01,40,197700,0.2",
                         "NI32,E06000045,2009-04-01,<8,234600,"]
