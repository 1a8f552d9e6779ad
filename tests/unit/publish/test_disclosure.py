"""Disclosure control: the per-source policy, secondary suppression, and the intruder's attack
(tests/unit/publish/disclosure_attack.py) that the e2e test runs on the sample's CSVs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.config.privacy import suppression_rules
from scp_metrics.publish.suppression import secondary_withheld, suppress_frame
from scp_metrics.warehouse.contracts import contract_for
from tests.unit.publish.disclosure_attack import attack

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULES = suppression_rules(CONFIG)
VALUES = contract_for("mart_indicator_values")


def test_the_policy_is_per_source_police_open_health_and_marac_one_to_seven():
    assert RULES.policy_for("NI15").threshold is None  # police recorded crime: open
    assert RULES.policy_for("all_crime").threshold is None
    assert RULES.policy_for("ed_assaults_night").threshold == 8  # ISTV (ED)
    assert RULES.policy_for("NI32").threshold == 8  # MARAC
    assert RULES.policy_for("NI33").threshold == 5  # fire: the default [suppression]
    assert RULES.policy_for("no_such_indicator").threshold == 5


@pytest.mark.parametrize(("text", "message"), [
    ("[source.marac]\nthreshhold = 8\n", "privacy.toml: [source.marac] threshhold: unknown key"),
    ("[source.marac]\nthreshold = 0\n", "privacy.toml: [source.marac] threshold: must be a whole"),
    ("[source.marac]\nsuppress = 'no'\n", "privacy.toml: [source.marac] suppress: must be true"),
])
def test_a_bad_source_policy_is_refused_naming_the_key(tmp_path, text, message):
    (tmp_path / "privacy.toml").write_text(text)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        suppression_rules(tmp_path)


def test_primary_suppression_follows_each_rows_source():
    frame = pd.DataFrame({"indicator_id": ["NI15", "NI32", "NI32", "NI33"],
                          "area_code": ["E1"] * 4, "period_type": ["month"] * 4,
                          "numerator": [3, 7, 8, 4], "denominator": [1000, 20, 20, 1000],
                          "value": [3.0, 35.0, 40.0, 4.0]})
    out, n = suppress_frame(frame, RULES, VALUES)
    # police 3: open; MARAC 7 of 1-7: "<8"; MARAC 8 shown; fire 4 of the default 1-4: "<5"
    assert out["numerator"].tolist() == ["3", "<8", "8", "<5"]
    assert out["value"].tolist() == [3.0, None, 40.0, None]
    assert n == 2


def minima(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": i, "area_code": "E1", "period_type": t, "min_count": n}
                         for i, t, n in rows])


def test_secondary_suppression_withholds_the_period_types_a_small_count_hides_in():
    withheld = secondary_withheld(minima(
        ("NI32", "month", 3), ("NI32", "quarter", 9), ("NI32", "financial_year", 70),
        ("ed_assaults_night", "month", 5), ("ed_assaults_night", "quarter", 6),
        ("NI15", "month", 1), ("NI33", "month", 9)), RULES)
    assert withheld == {
        # a small month: months, year to date and rolling 12 months go together
        ("NI32", "E1", "month"), ("NI32", "E1", "fytd"), ("NI32", "E1", "rolling_12m"),
        # a small quarter as well: the quarters too; the financial year stays
        ("ed_assaults_night", "E1", "month"), ("ed_assaults_night", "E1", "fytd"),
        ("ed_assaults_night", "E1", "rolling_12m"), ("ed_assaults_night", "E1", "quarter"),
    }  # NI15 is police (open); NI33's smallest month, 9, is over its threshold


def published(months: list[str], quarter: str, fytd: list[str], year_value: str = "") -> pd.DataFrame:
    """A hand-made MARAC series, Apr-Jun 2009: months 3, 10, 12 (quarter 25, year to date 3, 13,
    25), counts as published text."""
    rows = [("month", f"2009-0{m}-01", f"2009-0{m}-28", n) for m, n in zip((4, 5, 6), months, strict=True)]
    rows += [("quarter", "2009-04-01", "2009-06-30", quarter)]
    rows += [("fytd", "2009-04-01", f"2009-0{m}-28", n) for m, n in zip((4, 5, 6), fytd, strict=True)]
    return pd.DataFrame([{"indicator_id": "NI32", "area_code": "E1", "unit": "%",
                          "period_type": t, "period_start": s, "period_end": e, "numerator": n,
                          "denominator": "", "value": "", "value_same_period_last_year": ""}
                         for t, s, e, n in rows])


def test_the_attack_recovers_a_month_suppressed_on_its_own():
    # April's 3 withheld alone: 25 - 10 - 12 = 3 from the quarter, and 13 - 10 from the year to date
    found = attack(published(["<8", "10", "12"], "25", ["<8", "13", "25"]))
    assert {(r.period_type, r.period_end, r.restated) for r in found} == {
        ("month", "2009-04-28", False), ("fytd", "2009-04-28", False)}


def test_the_attack_recovers_nothing_small_when_the_months_and_year_to_date_are_withheld():
    found = attack(published(["<8", "[c]", "[c]"], "25", ["<8", "[c]", "[c]"]))
    # only the year to date at June, which is the published quarter's three months again
    assert [(r.period_type, r.period_end, r.shown, r.restated) for r in found] == [
        ("fytd", "2009-06-28", "[c]", True)]


def test_the_attack_recovers_a_count_from_last_years_value_a_year_later():
    frame = published(["<8", "[c]", "[c]"], "25", ["<8", "[c]", "[c]"])
    frame["denominator"] = "20"
    later = frame.iloc[[0]].assign(period_start="2010-04-01", period_end="2010-04-28",
                                   numerator="9", value="45.0", value_same_period_last_year="15.0")
    found = attack(pd.concat([frame, later], ignore_index=True))
    # April 2009 is 15% of 20 cases = 3, printed beside April 2010
    assert ("month", "2009-04-28", "a published value resting on it") in {
        (r.period_type, r.period_end, r.how) for r in found}
