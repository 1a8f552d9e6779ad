"""Issue 19: every KPI in one table, with RAG judged from the plan's targets (hand-worked)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scp_metrics.config.actions import Action
from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.config.targets import RagThresholds, Target
from scp_metrics.settings import DEFAULT_CONFIG_DIR
from scp_metrics.targets.action_status import action_status
from scp_metrics.targets.kpi_status import (
    NO_RETURN,
    judge_partner_target,
    kpi_status,
    partner_tracking,
)

REGISTER = read_kpi_register(DEFAULT_CONFIG_DIR)
RAG = RagThresholds()  # green: on or better; amber: up to 5% worse; red beyond
NW = Target(id="nw", title="NW +15%", indicator="neighbourhood_watch_schemes", polarity="higher",
            basis="count", baseline_period="2008/09", change_pct=15.0, target_period="2009/10")
CP = Target(id="cp", title="CP 10,000 hours", indicator="community_payback_hours",
            polarity="higher", basis="count", target_value=10_000, target_period="2009/10")


def values(kpi: str, figures: dict[str, float]) -> pd.DataFrame:
    starts = {"2008/09 Q4": "2009-01-01", "2009/10 Q1": "2009-04-01", "2009/10 Q2": "2009-07-01",
              "2009/10 Q3": "2009-10-01"}
    return pd.DataFrame({"kpi_id": kpi, "agency": "A", "period_label": list(figures),
                         "period_start": [pd.Timestamp(starts[k]) for k in figures],
                         "period_end": [pd.Timestamp(starts[k]) + pd.offsets.QuarterEnd(0)
                                        for k in figures],
                         "value": list(figures.values()), "ci95_lower": None,
                         "ci95_upper": None, "ci_method": None})


@pytest.mark.parametrize(("q3", "rag"), [(224, "green"), (220, "amber"), (200, "red")])
def test_a_level_target_is_judged_on_the_straight_line_to_the_year_end(q3, rag):
    # baseline 200 (last 2008/09 return) +15% = 230; at the end of Q3: 200 + 30 * 3/4 = 222.5.
    # 220 is (222.5 - 220) / 222.5 = 1.1% worse (amber); 200 is 10.1% worse (red).
    j = judge_partner_target(REGISTER.get("neighbourhood_watch_schemes"), NW,
                             values("nw", {"2008/09 Q4": 200, "2009/10 Q3": q3}), RAG)
    assert (j.target_value, j.expected_value) == (pytest.approx(230.0), pytest.approx(222.5))
    assert (j.actual, j.rag) == (q3, rag)


def test_hours_add_up_over_the_year_against_the_target_pro_rata():
    # 4,800 + 5,100 + 5,100 = 15,000 hours against 10,000 * 3/4 = 7,500: green.
    j = judge_partner_target(REGISTER.get("community_payback_hours"), CP, values(
        "cp", {"2009/10 Q1": 4800, "2009/10 Q2": 5100, "2009/10 Q3": 5100}), RAG)
    assert (j.actual, j.expected_value, j.rag) == (15_000.0, 7_500.0, "green")
    # 2,000 a quarter: 6,000 against 7,500 is 20% short: red; a missing quarter is named.
    j = judge_partner_target(REGISTER.get("community_payback_hours"), CP,
                             values("cp", {"2009/10 Q1": 2000, "2009/10 Q3": 4000}), RAG)
    assert (j.actual, j.rag) == (6_000.0, "red")
    assert "no return for Q2" in j.note


TRACKING_COLUMNS = ["target_id", "indicator_id", "area_code", "as_of", "rag", "target_value",
                    "milestone_value", "trajectory_value", "trajectory_straight", "actual_value",
                    "worse_pct", "baseline_value", "baseline_source", "unit", "target_period",
                    "assessed_period", "note"]


def tracking(*targets: Target) -> pd.DataFrame:
    """mart_target_tracking's rows for ``targets`` as tracking_table leaves a partner KPI's
    (no series in mart_indicator_values: nothing judged)."""
    return pd.DataFrame([{**dict.fromkeys(TRACKING_COLUMNS), "target_id": t.id,
                          "indicator_id": t.indicator, "area_code": "E06000045",
                          "as_of": dt.date(2010, 3, 31), "target_period": t.target_period,
                          "note": "no data"} for t in targets], columns=TRACKING_COLUMNS)


def test_partner_targets_are_judged_in_the_tracking_rows():
    nw_next = Target(id="nw_next", title="NW +25%", indicator="neighbourhood_watch_schemes",
                     polarity="higher", basis="count", baseline_period="2009/10",
                     change_pct=25.0, target_period="2010/11")
    returns = pd.concat([
        values("neighbourhood_watch_schemes", {"2008/09 Q4": 200, "2009/10 Q3": 224}),
        values("community_payback_hours", {"2009/10 Q1": 4800, "2009/10 Q2": 5100,
                                           "2009/10 Q3": 5100})])
    out = partner_tracking(tracking(NW, CP, nw_next), REGISTER, returns, [NW, CP, nw_next],
                           RAG).set_index("target_id")
    nw = out.loc["nw"]
    # 224 against 200 + 30 * 3/4 = 222.5 now, 230 at the end of 2009/10: green, 0.67% better.
    assert nw["rag"] == "green"
    assert [nw["actual_value"], nw["trajectory_value"], nw["milestone_value"], nw["target_value"],
            nw["baseline_value"]] == pytest.approx([224, 222.5, 230, 230, 200])
    assert nw["worse_pct"] == pytest.approx(-1.5 / 222.5 * 100)
    assert (nw["assessed_period"], nw["as_of"]) == ("2009/10", dt.date(2009, 12, 31))
    cp = out.loc["cp"]
    assert (cp["rag"], cp["actual_value"], cp["trajectory_value"], cp["milestone_value"]) == \
        ("green", 15_000, 7_500, 10_000)
    # +25% on the last 2009/10 return (224): 280, not judged before 2010/11.
    nxt = out.loc["nw_next"]
    assert nxt["target_value"] == pytest.approx(280) and nxt["baseline_value"] == 224
    assert pd.isna(nxt["rag"])
    assert "judged from 2010/11 on" in nxt["note"]
    # as of November 2009 the Q3 return (to December) is not there yet: Q2 judged, no return.
    early = partner_tracking(tracking(CP), REGISTER, returns, [CP], RAG,
                             as_of=pd.Timestamp("2009-11-30")).set_index("target_id")
    assert early.loc["cp", "actual_value"] == 9_900 and early.loc["cp", "trajectory_value"] == \
        5_000 and early.loc["cp", "as_of"] == dt.date(2009, 9, 30)


def test_every_kpi_is_listed_with_its_owner_and_no_return_where_none_came():
    returns = values("community_payback_hours", {"2009/10 Q3": 5100})
    judged = partner_tracking(tracking(CP), REGISTER, returns, [CP], RAG)
    out = kpi_status(REGISTER, returns, pd.DataFrame(columns=[
        "indicator_id", "period_type", "period_start", "period_end", "value", "ci95_lower",
        "ci95_upper", "ci_method"]), judged, [CP])
    assert len(out) == 17 and out["ni"].notna().sum() == 13  # 13 Appendix 3 + 4 local measures
    by = out.set_index("kpi_id")
    assert by.loc["NI111", "owner"] == "Wessex YOT (Steve Crocker)"
    assert by.loc["NI111", "return_status"] == NO_RETURN
    assert by.loc["NI15", "return_status"] == "no data"
    # 5,100 hours in Q3 alone (Q1, Q2 missing) against 7,500: 32% short, red, as the tracking
    # judged it.
    cp = by.loc["community_payback_hours"]
    assert (cp["rag"], cp["actual_judged"], cp["expected_value"]) == ("red", 5_100, 7_500)
    assert "no return for Q1, Q2" in cp["rag_note"]
    assert int(by["designated"].sum()) == 8


def action(i: str, due: dt.date | None, kind: str = "by", resource: str = "funded",
           kpis: tuple[str, ...] = ()) -> Action:
    return Action(action_id=f"1/general/{i}", priority="1", section="general", objective="o",
                  number=i, action=f"action {i}", lead_agency="SCC", responsible_group="PMG",
                  outcome="", measure="", timing="", timing_kind=kind, due=due, resource="",
                  resource_status=resource, linked_kpis=kpis, placeholder=False, note="")


def test_the_action_register_flags_overdue_unfunded_and_contradictory_actions():
    actions = [action("1", dt.date(2010, 6, 30)), action("2", dt.date(2010, 6, 30)),
               action("3", None, "ongoing", "tba"), action("4", None, "ongoing", kpis=("NI21",)),
               action("5", dt.date(2010, 12, 31))]
    rows = pd.DataFrame({
        "action_id": ["1/general/1", "1/general/2", "1/general/3", "1/general/4",
                      "1/general/1"],
        "period_start": pd.to_datetime(["2010-07-01", "2010-07-01", "2010-07-01", "2010-07-01",
                                        "2010-04-01"]),
        "status": ["On track", "Complete", "At risk", "On track", "Not started"],
        "rag": [None] * 5, "status_date": [None] * 5, "note": [None] * 5})
    out = action_status(actions, rows, {"NI21": "red"}).set_index("action_id")
    assert str(out.loc["1/general/1", "as_of"]) == "2010-09-30"  # end of the latest quarter
    assert out["overdue"].to_dict() == {"1/general/1": True, "1/general/2": False,
                                        "1/general/3": False, "1/general/4": False,
                                        "1/general/5": False}
    assert out.loc["1/general/1", "days_overdue"] == 92  # 30 June to 30 September
    assert list(out.index[out["unfunded"]]) == ["1/general/3"]
    assert list(out.index[out["contradiction"]]) == ["1/general/4"]
    assert out.loc["1/general/5", "status"] == "no_return"
