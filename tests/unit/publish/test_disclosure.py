"""Disclosure control: the per-source policy, secondary suppression, and the intruder's attack
(tests/unit/publish/disclosure_attack.py) that the e2e test runs on the sample's CSVs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.config.privacy import suppression_rules
from scp_metrics.publish.disclosure import secondary_withheld
from scp_metrics.publish.suppression import suppress_frame
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
    # a partner return's KPI (kpi_register.toml delivered_by): the NHS-style 1-7 rule
    assert RULES.policy_for("NI39").threshold == 8  # alcohol admissions (PCT)
    assert RULES.policy_for("NI111").threshold == 8  # first-time entrants (YOT)
    assert RULES.policy_for("NI32").threshold == 8  # a KPI that is an indicator keeps its source
    # the police.uk hot-spot marts have no indicator id: the mart is the source's (open)
    assert RULES.policy_for(None, "mart_hotspot_lsoas").threshold is None
    assert RULES.policy_for(None, "mart_hotspot_summary").threshold is None


def test_partner_return_counts_of_1_to_7_are_suppressed_and_hot_spot_counts_are_open():
    kpis = pd.DataFrame({"kpi_id": ["NI39", "NI39", "NI111"], "numerator": [7, 8, 1],
                         "denominator": [227400, 227400, 22600], "unit": ["rate per 100,000"] * 3,
                         "value": [3.1, 3.5, 4.4], "ci95_lower": [1.2, 1.5, 0.1],
                         "ci95_upper": [6.3, 6.9, 24.7]})
    out, n = suppress_frame(kpis, RULES, contract_for("mart_kpi_values"))
    assert out["numerator"].tolist() == ["<8", "8", "<8"]
    assert out["value"].tolist() == [None, 3.5, None]
    assert out["ci95_upper"].tolist() == [None, 6.9, None]
    assert n == 2
    spots = pd.DataFrame({"area_code": ["E1", "E1"], "lsoa_code": ["A", "B"], "count": [1, 4],
                          "share_pct": [20.0, 80.0]})
    out, n = suppress_frame(spots, RULES, contract_for("mart_hotspot_lsoas"))
    assert (out["count"].tolist(), out["share_pct"].tolist(), n) == (["1", "4"], [20.0, 80.0], 0)


def test_the_kpi_status_withholds_a_figure_where_its_own_mart_does():
    """mart_kpi_status repeats each KPI's latest figure: NI 32's rolling 12 months (17 / 59)
    withheld by secondary suppression in mart_indicator_values is withheld here too, by the
    row's KPI id, area and period type; a partner return resting on 5 is primary; an open
    police figure and a survey figure of a series nothing withholds are published."""
    rules = RULES.with_withheld(frozenset({("NI32", "E06000045", "rolling_12m"),
                                           ("NI32", "E06000045", "month")}))
    status = pd.DataFrame({
        "kpi_id": ["NI32", "NI111", "NI15", "NI21"],
        "area_code": ["E06000045", None, "E06000045", "E06000045"],
        "period_type": ["rolling_12m", "quarter", "rolling_12m", "survey"],
        "unit": ["%", "rate per 100,000", "rate per 1,000", "%"],
        "numerator": [17.0, 5.0, 283.0, 250.0], "denominator": [59.0, 22600.0, 234100.0, 1086.0],
        "value": [28.8135593, 22.1, 1.2088, 23.0], "ci95_lower": [18.8, 7.2, 1.07, 20.4],
        "ci95_upper": [41.4, 51.6, 1.36, 25.6], "actual_judged": [None, None, 0.93, 23.0],
        "worse_pct": [None, None, -12.1, 11.9], "rag": [None, None, "green", "red"]})
    out, n = suppress_frame(status, rules, contract_for("mart_kpi_status"))
    assert out["numerator"].tolist() == ["[c]", "<8", "283", "250"]
    assert out["denominator"].tolist() == ["[c]", "22600", "234100", "1086"]
    assert out["value"].tolist() == [None, None, 1.2088, 23.0]
    assert out["ci95_upper"].tolist() == [None, None, 1.36, 25.6]
    assert out["worse_pct"].tolist()[2:] == [-12.1, 11.9] and n == 2
    assert out["rag"].tolist()[2:] == ["green", "red"]  # a RAG is no figure: kept


@pytest.mark.parametrize(("text", "message"), [
    ("[source.marac]\nthreshhold = 8\n", "privacy.toml: [source.marac] threshhold: unknown key"),
    ("[source.marac]\nthreshold = 0\n", "privacy.toml: [source.marac] threshold: must be a whole"),
    ("[source.marac]\nsuppress = 'no'\n", "privacy.toml: [source.marac] suppress: must be true"),
    ("[source.marac]\nmarts = 'mart_x'\n", "privacy.toml: [source.marac] marts: must be a list"),
    ("[source.a]\nmarts = ['m']\n[source.b]\nmarts = ['m']\n",
     "privacy.toml: [source.b] marts: m is already [source.a]'s"),
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


# ----------------------------------------------------------------- rounding to 5 (item 8)

def rounding_rules():
    """The shipped policy with MARAC and a made-up count indicator X rounding to 5."""
    from dataclasses import replace
    from types import MappingProxyType

    from scp_metrics.config.privacy import SourcePolicy

    sources = dict(RULES.sources, marac=SourcePolicy("marac", 8, 5))
    return replace(RULES, sources=MappingProxyType(sources),
                   indicator_sources=MappingProxyType(dict(RULES.indicator_sources, X="marac")))


MEASURES = {"NI32": "percentage", "X": "count"}


def rounded_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": ["NI32", "NI32", "NI32", "X", "NI15"],
        "area_code": ["E1"] * 5, "period_type": ["financial_year"] * 5,
        "numerator": [17, 7, 0, 23, 23], "denominator": [59, 59, 12, 250000, 250000],
        "value": [100 * 17 / 59, 100 * 7 / 59, 0.0, 23.0, 0.092],
        "ci95_lower": [19.1, 5.0, 0.0, 14.6, 0.058], "ci95_upper": [40.3, 21.0, 26.5, 34.5, 0.138],
        "value_same_period_last_year": [30.0, 30.0, 10.0, 20.0, 0.08],
        "change_pct": [-4.0, -18.0, -100.0, 15.0, 15.0]})


def test_rounded_counts_and_the_values_resting_on_them_by_hand():
    out, n = suppress_frame(rounded_frame(), rounding_rules(), VALUES, MEASURES)
    # 17 -> 15, 59 -> 60 (nearest 5); 7 is still suppressed (1-7); 0 stays 0, 12 -> 10;
    # 23 -> 25, 250000 stays; NI 15 is police (open): as counted
    assert out["numerator"].tolist() == ["15", "<8", "0", "25", "23"]
    # a suppressed row's other counts are published, so they are rounded too: 59 -> 60
    assert out["denominator"].tolist() == ["60", "60", "10", "250000", "250000"]
    # the value recomputed from the rounded counts: 15 / 60 = 25.0%; 0 / 10 = 0%; a count
    # indicator's value is its rounded count, 25; police unchanged
    assert out["value"].tolist() == [25.0, None, 0.0, 25.0, 0.092]
    # every other value of a rounded row would give the exact count back: withheld
    for column in ("ci95_lower", "ci95_upper", "value_same_period_last_year", "change_pct"):
        assert out[column].tolist()[:4] == [None] * 4, column
        assert out[column].tolist()[4] == rounded_frame()[column].iloc[4]
    assert n == 1  # one row suppressed (the 7); rounded rows are published


def test_the_audit_says_why_each_rounded_cell_changed():
    from scp_metrics.publish.suppression import assess, audit_reason

    found = assess(rounded_frame(), rounding_rules(), VALUES, indicator_measures=MEASURES)
    policy = "marac: counts 1 to 7 suppressed, others rounded to 5"
    assert audit_reason(found, "numerator", 0) == f"Rounded: count rounded to the nearest 5 ({policy})"
    assert audit_reason(found, "value", 0) == (
        f"Rounded: recomputed from the counts rounded to the nearest 5 ({policy})")
    assert audit_reason(found, "ci95_upper", 3) == (
        f"Rounded: withheld, it would give back a count rounded to the nearest 5 ({policy})")
    assert audit_reason(found, "numerator", 1) == f"Primary: small count ({policy})"
    assert audit_reason(found, "denominator", 1) == (
        f"Rounded: count rounded to the nearest 5 ({policy})")
    assert audit_reason(found, "value", 1) == f"Primary: derived from a small count ({policy})"


def test_a_chart_draws_the_value_of_the_rounded_counts_and_no_interval():
    from scp_metrics.publish.suppression import withhold

    drawn = withhold(rounded_frame(), rounding_rules(), VALUES, indicator_measures=MEASURES)
    assert drawn["value"].iloc[[0, 2, 3, 4]].tolist() == [25.0, 0.0, 25.0, 0.092]
    assert pd.isna(drawn["value"].iloc[1])  # the suppressed 7
    assert drawn["ci95_upper"].iloc[:4].isna().all() and drawn["ci95_upper"].iloc[4] == 0.138
    # without the measures the value cannot be recomputed soundly: withheld
    blind = withhold(rounded_frame(), rounding_rules(), VALUES)
    assert blind["value"].iloc[[0, 2, 3]].isna().all() and blind["value"].iloc[4] == 0.092


def test_a_sentence_publishes_a_rounded_count():
    from scp_metrics.publish.suppression import published_count

    assert published_count(17, rounding_rules(), "NI32") == "15"
    assert published_count(7, rounding_rules(), "NI32") == "<8"
    assert published_count(1237, rounding_rules(), "X") == "1,235"
    assert published_count(1237, rounding_rules(), "NI15") == "1,237"


def test_no_shipped_source_rounds():
    assert not [s for s in RULES.sources.values() if s.round_to]


@pytest.mark.parametrize("value", ["5", 1, True, 2.5])
def test_a_bad_round_to_is_refused(tmp_path, value):
    text = f"[source.marac]\nround_to = {value!r}\n".replace("True", "true").replace("'", '"')
    (tmp_path / "privacy.toml").write_text(text)
    with pytest.raises(ValueError, match=r"privacy.toml: \[source.marac\] round_to: must be"):
        suppression_rules(tmp_path)


# --------------------------------------------------------------- group figures of a ranking

def _ranking(numerators: list[int]) -> pd.DataFrame:
    """A Most Similar Group ranking of ED assaults (ISTV: counts 1-7 suppressed) for one
    period, figures worked out here by hand from the counts."""
    dens = [234100, 250000, 200000][:len(numerators)]
    values = [n / d * 1000 for n, d in zip(numerators, dens, strict=True)]
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
    pooled = sum(numerators) / sum(dens) * 1000
    frame = pd.DataFrame({
        "group_id": "E06000045", "focus_area": "E06000045", "indicator_id": "ed_assaults_night",
        "measure": "rate", "unit": "rate per 1,000", "multiplier": 1000,
        "period_type": "rolling_12m", "period_start": pd.Timestamp("2009-01-01"),
        "period_end": pd.Timestamp("2009-12-31"), "area_code": ["E06000045", "E2", "E3"],
        "numerator": numerators, "denominator": dens, "value": values, "group_mean": mean,
        "group_pooled_rate": pooled, "group_sd": sd, "band_lower": mean - sd,
        "band_upper": mean + sd, "sd_from_mean": [(v - mean) / sd for v in values],
        "funnel_upper_0025": [pooled + 1.96 * (pooled / d * 1000) ** 0.5 for d in dens]})
    return frame


def _recover_from_group_figures(published: pd.DataFrame) -> list[float]:
    """The intruder: a member's suppressed count from the pooled rate (Σ numerators ÷
    Σ denominators) or the group mean (n × mean − the others' values), with the others'
    published counts and values. Reads the published frame only."""
    found = []
    hidden = published[~published["numerator"].astype(str).str.fullmatch(r"\d+")]
    others = published.drop(hidden.index)
    if len(hidden) != 1:
        return found
    row = hidden.iloc[0]
    den = float(row["denominator"])
    pooled = published["group_pooled_rate"].dropna()
    if len(pooled):
        total = float(pooled.iloc[0]) * published["denominator"].astype(float).sum() / 1000
        found.append(round(total - others["numerator"].astype(float).sum(), 6))
    means = published["group_mean"].dropna()
    if len(means) and others["value"].notna().all():
        value = float(means.iloc[0]) * len(published) - others["value"].astype(float).sum()
        found.append(round(value * den / 1000, 6))
    return found


def test_a_member_count_cannot_be_worked_back_from_its_groups_pooled_rate_or_mean():
    from scp_metrics.publish.disclosure import withheld_groups

    ranking = _ranking([3, 120, 95])
    contract = contract_for("mart_msg_rankings")
    # without group suppression the member's 3 is shown as "<8" but comes straight back
    bare, _ = suppress_frame(ranking, RULES, contract)
    assert bare["numerator"].tolist() == ["<8", "120", "95"]
    assert _recover_from_group_figures(bare) == [3.0, 3.0]
    groups = withheld_groups(ranking[["indicator_id", "group_id", "period_type", "period_end",
                                      "area_code", "numerator", "denominator"]], RULES)
    assert groups == {("ed_assaults_night", "E06000045", "rolling_12m", "2009-12-31")}
    out, n = suppress_frame(ranking, RULES.with_withheld(frozenset(), groups), contract)
    assert (out["numerator"].tolist(), n) == (["<8", "120", "95"], 1)
    for column in ("group_mean", "group_pooled_rate", "group_sd", "band_lower", "band_upper",
                   "sd_from_mean", "funnel_upper_0025"):
        assert out[column].isna().all(), column
    assert out["value"].tolist()[1:] == ranking["value"].tolist()[1:]  # members' own: kept
    assert _recover_from_group_figures(out) == []


def test_a_group_with_no_small_count_or_an_open_source_keeps_its_figures():
    from scp_metrics.publish.disclosure import withheld_groups

    columns = ["indicator_id", "group_id", "period_type", "period_end", "area_code",
               "numerator", "denominator"]
    assert withheld_groups(_ranking([30, 120, 95])[columns], RULES) == frozenset()
    police = _ranking([3, 120, 95]).assign(indicator_id="all_crime")  # police: open
    assert withheld_groups(police[columns], RULES) == frozenset()
    # a member whose series' period type secondary suppression withholds: its group too
    rules = RULES.with_withheld(frozenset({("ed_assaults_night", "E3", "rolling_12m")}))
    assert len(withheld_groups(_ranking([30, 120, 95])[columns], rules)) == 1


def test_disclosure_rules_find_the_groups_in_the_warehouse(tmp_path):
    import duckdb

    from scp_metrics.publish.disclosure import disclosure_rules
    from scp_metrics.publish.suppression import withhold

    ranking = _ranking([3, 120, 95])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.register("r", ranking)
    con.execute("create table mart_msg_rankings as select * from r")
    con.execute("create table mart_indicator_values as select indicator_id, area_code, "
                "period_type, numerator, denominator from r")
    rules = disclosure_rules(CONFIG, con)
    assert rules.withheld_groups == {("ed_assaults_night", "E06000045", "rolling_12m",
                                      "2009-12-31")}
    drawn = withhold(ranking, rules, contract_for("mart_msg_rankings"))  # a chart's frame
    assert drawn["group_pooled_rate"].isna().all() and drawn["group_mean"].isna().all()
    assert drawn["value"].isna().tolist() == [True, False, False]
    con.close()


def test_the_audit_names_a_withheld_group_figure_for_what_it_is():
    from scp_metrics.publish.disclosure import withheld_groups
    from scp_metrics.publish.suppression import assess, audit_reason

    ranking = _ranking([3, 120, 95])
    groups = withheld_groups(ranking, RULES)
    found = assess(ranking, RULES.with_withheld(frozenset(), groups),
                   contract_for("mart_msg_rankings"))
    assert audit_reason(found, "numerator", 0) == (
        "Primary: small count (istv: counts 1 to 7 suppressed)")
    assert audit_reason(found, "sd_from_mean", 0) == (
        "Primary: derived from a small count (istv: counts 1 to 7 suppressed)")
    for position in (0, 1):
        assert audit_reason(found, "group_pooled_rate", position).startswith(
            "Secondary: group figure withheld so that no member's suppressed count can be "
            "recovered")
    assert audit_reason(found, "sd_from_mean", 1).startswith("Secondary: group figure")
