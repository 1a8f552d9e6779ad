"""Issue 19 on the sample: every KPI with its owner, partner returns and action statuses loaded,
figures recounted from the sample's own files (csv module) and config, and the report and
workbook showing them. Uses the session's ``sample_refresh`` only (no new warehouse)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import math
import re
import tomllib

import pytest

from scp_metrics.settings import DEFAULT_CONFIG_DIR

pytestmark = pytest.mark.e2e


def read_csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def marts(sample_refresh):
    from scp_metrics.warehouse import connect

    settings, _ = sample_refresh
    con = connect(settings.warehouse, read_only=True)
    try:
        status = con.execute("select * from mart_kpi_status order by register_order").df()
        actions = con.execute("select * from mart_action_status order by register_order").df()
    finally:
        con.close()
    return settings, status.set_index("kpi_id"), actions.set_index("action_id")


def test_all_thirteen_appendix_3_kpis_and_the_two_local_measures_have_owner_and_value(marts):
    settings, status, _ = marts
    with open(DEFAULT_CONFIG_DIR / "kpi_register.toml", "rb") as fh:
        register = tomllib.load(fh)["kpi"]
    assert sorted(k["ni"] for k in register if "ni" in k) == \
        [15, 17, 19, 20, 21, 30, 32, 38, 39, 40, 110, 111, 115]
    for kpi in register:
        row = status.loc[kpi["id"]]
        assert row["lead_agency"] == kpi["lead_agency"]
        assert row["return_status"] == "received", kpi["id"]
        assert row["value"] == row["value"], kpi["id"]  # not NaN


def test_first_time_entrants_and_the_dsr_recounted_from_the_return(marts):
    settings, status, _ = marts
    rows = read_csv(settings.raw_dir / "partners" / "partner_return_2009-10_Q3.csv")
    fte = next(r for r in rows if r["Indicator"] == "NI111")
    assert status.loc["NI111", "value"] == pytest.approx(
        float(fte["Numerator"]) / float(fte["Denominator"]) * 100_000)
    esp = {r["age_band"]: float(r["population"]) for r in
           read_csv(DEFAULT_CONFIG_DIR / "standard_populations.csv") if r["standard"] == "esp1976"}
    bands = [r for r in rows if r["Indicator"] == "NI39"]
    assert len(bands) == 18
    dsr = 100_000 * sum(float(r["Numerator"]) / float(r["Denominator"]) * esp[r["Age Band"]]
                        for r in bands) / sum(esp.values())
    assert status.loc["NI39", "value"] == pytest.approx(dsr)
    assert status.loc["NI39", "ci95_lower"] < dsr < status.loc["NI39", "ci95_upper"]


def test_ni39_change_on_a_year_earlier_is_tested_from_both_years_age_bands(marts):
    """Both 2008/09 Q3 and 2009/10 Q3 come by age band (1976 ESP): the ratio of the DSRs with
    var(DSR) = Σ wᵢ² xᵢ / nᵢ² (weights normalised), written out here from the return files."""
    import numpy as np
    from scipy.stats import norm

    from scp_metrics.warehouse import connect

    settings, _, _ = marts
    esp = {r["age_band"]: float(r["population"]) for r in
           read_csv(DEFAULT_CONFIG_DIR / "standard_populations.csv") if r["standard"] == "esp1976"}
    total = sum(esp.values())
    rel_var, rate = [], []
    for year in ("2008-09", "2009-10"):
        bands = [r for r in read_csv(settings.raw_dir / "partners" /
                                     f"partner_return_{year}_Q3.csv") if r["Indicator"] == "NI39"]
        assert len(bands) == 18
        w = np.array([esp[r["Age Band"]] / total for r in bands])
        x = np.array([float(r["Numerator"]) for r in bands])
        n = np.array([float(r["Denominator"]) for r in bands])
        d = float((w * x / n).sum())
        rate.append(d)
        rel_var.append(float((w * w * x / (n * n)).sum()) / d**2)
    z = np.log(rate[1] / rate[0]) / np.sqrt(sum(rel_var))
    con = connect(settings.warehouse, read_only=True)
    try:
        row = con.execute("select change_p_value, change_verdict, change_pct from mart_kpi_values "
                          "where kpi_id = 'NI39' and period_label = '2009/10 Q3'").df().iloc[0]
    finally:
        con.close()
    assert row["change_p_value"] == pytest.approx(2 * norm.sf(abs(z)), rel=1e-9)
    assert row["change_pct"] == pytest.approx(100 * (rate[1] / rate[0] - 1))
    assert row["change_verdict"] == ("no significant change" if abs(z) < 1.959964
                                     else "significant rise" if z > 0 else "significant fall")


def test_neighbourhood_watch_and_community_payback_have_a_rag(marts):
    settings, status, _ = marts
    hours = sum(float(r["Value"]) for q in (1, 2, 3) for r in read_csv(
        settings.raw_dir / "partners" / f"partner_return_2009-10_Q{q}.csv")
        if r["Indicator"] == "community_payback_hours")
    assert hours == 15_000  # the plan's "15,000 hours to date"
    cp = status.loc["community_payback_hours"]
    assert (cp["actual_judged"], cp["expected_value"], cp["rag"]) == (15_000, 7_500, "green")
    nw = status.loc["neighbourhood_watch_schemes"]
    # 200 at 2008/09 Q4, +15% = 230 by March 2010; expected at Q3 200 + 30 * 3/4 = 222.5.
    assert nw["expected_value"] == pytest.approx(222.5) and nw["value"] == 224
    assert nw["rag"] == "green"


def test_acceptable_behaviour_contracts_up_14_and_breaches_down_5_as_the_plan_says(
        sample_refresh, marts):
    """The plan's paragraph 31: ABCs agreed up 14%, breaches down 5%. Recounted from the
    sample's return files (12 months to December 2008 and 2009); the exact test's p-value is the
    binomial sum written out here (equal exposures: 171 of the 321 events in the later year
    under p = 1/2, two-sided by symmetry)."""
    from openpyxl import load_workbook

    settings, status, _ = marts
    counts = {}
    for year in ("2008-09", "2009-10"):
        for r in read_csv(settings.raw_dir / "partners" / f"partner_return_{year}_Q3.csv"):
            if r["Indicator"].startswith("acceptable_behaviour_contract"):
                counts[(r["Indicator"], year)] = int(r["Numerator"])
    abc, breaches = "acceptable_behaviour_contracts", "acceptable_behaviour_contract_breaches"
    assert counts == {(abc, "2008-09"): 150, (abc, "2009-10"): 171,
                      (breaches, "2008-09"): 60, (breaches, "2009-10"): 57}
    for kpi_id, value in ((abc, 171), (breaches, 57)):
        row = status.loc[kpi_id]
        assert (row["owner"], row["value"], row["period_label"]) == \
            ("SCC (MAPC)", value, "2009/10 Q3")
        assert row["ci95_lower"] < value < row["ci95_upper"]
    from scp_metrics.warehouse import connect

    con = connect(settings.warehouse, read_only=True)
    try:
        values = con.execute(
            "select kpi_id, change_pct, change_p_value, change_verdict from mart_kpi_values "
            "where period_label = '2009/10 Q3' and kpi_id like 'acceptable%' order by kpi_id"
        ).df().set_index("kpi_id")
    finally:
        con.close()
    assert values.loc[abc, "change_pct"] == pytest.approx(14.0)  # 171 / 150 = 1.14
    assert values.loc[breaches, "change_pct"] == pytest.approx(-5.0)  # 57 / 60 = 0.95
    p_abc = 2 * sum(math.comb(321, k) for k in range(171, 322)) / 2 ** 321
    assert values.loc[abc, "change_p_value"] == pytest.approx(p_abc, rel=1e-9)
    assert 0.25 < p_abc < 0.27 and values.loc[abc, "change_verdict"] == "no significant change"
    folder = settings.outputs_dir / "2009-12"
    page = html.unescape(re.sub(r"<[^>]+>", " ",
                                (folder / "year_end_projection_report_2009-12.html").read_text()))
    text = " ".join(page.split())
    assert ("Young people agreeing to Acceptable Behaviour Contracts rose by 14.0% between "
            "2008/09 Q3 and 2009/10 Q3 (from 150 to 171)") in text
    assert ("Breaches of Acceptable Behaviour Contracts fell by 5.0% between 2008/09 Q3 and "
            "2009/10 Q3 (from 60 to 57)") in text
    assert "Young people agreeing to Acceptable Behaviour Contracts SCC (MAPC) 2009/10 Q3 171" \
        in text
    book = load_workbook(folder / "scp_metrics_tables_2009-12.xlsx", read_only=True)
    rows = list(book["KPIs"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "kpi_id")
    sheet = {r[0]: dict(zip(rows[header], r, strict=True)) for r in rows[header + 1:] if r}
    assert (sheet[abc]["owner"], sheet[abc]["value (unit of the row)"]) == ("SCC (MAPC)", 171)


def test_overdue_actions_recounted_from_the_register_and_the_status_return(marts):
    settings, _, actions = marts
    plan = read_csv(DEFAULT_CONFIG_DIR / "action_plan.csv")
    latest = {r["Action ID"]: r["Status"] for r in read_csv(
        settings.raw_dir / "action_status" / "action_status_2010-11_Q2.csv")}
    end = dt.date(2010, 9, 30)
    expected = sorted(a["action_id"] for a in plan if a["timing_kind"] == "by"
                      and dt.date.fromisoformat(a["due"]) < end
                      and latest[a["action_id"]] not in ("Complete", "Dropped"))
    expected += sorted(a["action_id"] for a in plan if a["timing_kind"] == "start"
                       and dt.date.fromisoformat(a["due"]) < end
                       and latest[a["action_id"]] == "Not started")
    assert expected and sorted(actions.index[actions["overdue"]]) == sorted(expected)
    assert len(actions) == len(plan) == 67


def test_the_report_and_workbook_show_every_kpi_owner_and_the_action_plan(sample_refresh):
    from openpyxl import load_workbook

    settings, _ = sample_refresh
    folder = settings.outputs_dir / "2009-12"
    page = html.unescape(re.sub(r"<[^>]+>", " ",
                                (folder / "year_end_projection_report_2009-12.html").read_text()))
    text = " ".join(page.split())
    with open(DEFAULT_CONFIG_DIR / "kpi_register.toml", "rb") as fh:
        register = tomllib.load(fh)["kpi"]
    officers = [k["lead_officer"] for k in register if k["lead_officer"]]
    assert "Key performance indicators and owners" in text
    for officer in officers:
        assert officer in text
    assert "Community Payback hours SCC Probation 2009/10 Q3" in text
    assert "Priority 2a: Reducing violent crime (48 actions)" in text
    assert "Overdue" in text and "On track, but a KPI it serves is red" in text
    book = load_workbook(folder / "scp_metrics_tables_2009-12.xlsx", read_only=True)
    rows = list(book["KPIs"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "kpi_id")
    column = rows[header].index("owner")
    owners = {r[column] for r in rows[header + 1:]}
    assert {f"Police ({officers[0]})", "SCC Probation"} <= owners
    plan_rows = list(book["Action_plan"].iter_rows(values_only=True))
    first = next(i for i, r in enumerate(plan_rows) if r and r[0] == "action_id")
    assert len(plan_rows) - first - 1 == 67


def test_partner_targets_are_judged_once_the_same_in_the_workbook_and_the_report(sample_refresh):
    """The Targets sheet and the report's verdict rows (Facts.targets) both read
    mart_target_tracking, which judges the partner KPIs' targets: Neighbourhood Watch and
    Community Payback 2009/10 are Green in both, with the year to date recounted from the
    sample's return files."""
    from openpyxl import load_workbook

    from scp_metrics.publish.report.facts import Facts
    from scp_metrics.warehouse import connect

    settings, _ = sample_refresh
    returns = {q: read_csv(settings.raw_dir / "partners" / f"partner_return_2009-10_Q{q}.csv")
               for q in (1, 2, 3)}
    hours = sum(float(r["Value"]) for rows in returns.values() for r in rows
                if r["Indicator"] == "community_payback_hours")
    watches = [float(r["Value"]) for r in returns[3]
               if r["Indicator"] == "neighbourhood_watch_schemes"]
    assert (hours, watches) == (15_000, [224])
    expected = {"neighbourhood_watch_2009_10": watches[0], "community_payback_hours_2009_10": hours}
    con = connect(settings.warehouse, read_only=True)
    try:
        report = Facts(con, settings, "2009-12").targets().set_index("target_id")
    finally:
        con.close()
    for target_id, actual in expected.items():
        assert (report.loc[target_id, "rag"], report.loc[target_id, "actual_value"]) == \
            ("green", actual)
    book = load_workbook(settings.outputs_dir / "2009-12" / "scp_metrics_tables_2009-12.xlsx",
                         read_only=True)
    rows = list(book["Targets"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Target")
    names = rows[header]
    sheet = {r[0]: dict(zip(names, r, strict=True)) for r in rows[header + 1:] if r and r[0]}
    for title, actual in (("Neighbourhood Watch schemes up 15% in 2009/10", watches[0]),
                          ("Community Payback: at least 10,000 hours in 2009/10", hours)):
        assert (sheet[title]["RAG"], sheet[title]["Year to date"]) == ("Green", actual)


def test_the_published_kpi_and_action_csvs_are_in_the_plans_order(sample_refresh):
    """mart_kpi_status.csv lists the KPIs as config/kpi_register.toml does (NI15 before NI110,
    the local measures last), not alphabetically; mart_action_status.csv the actions by
    priority, then as config/action_plan.csv lists them (2a/nte/2 before 2a/nte/10), as the
    workbook and the report do."""
    settings, _ = sample_refresh
    out = settings.outputs_dir / "2009-12"
    with open(DEFAULT_CONFIG_DIR / "kpi_register.toml", "rb") as fh:
        register = [k["id"] for k in tomllib.load(fh)["kpi"]]
    assert register[:3] == ["NI15", "NI17", "NI19"]
    assert [r["kpi_id"] for r in read_csv(out / "mart_kpi_status.csv")] == register
    plan = read_csv(DEFAULT_CONFIG_DIR / "action_plan.csv")
    expected = [r["action_id"] for r in sorted(plan, key=lambda r: r["priority"])]  # stable
    published = [r["action_id"] for r in read_csv(out / "mart_action_status.csv")]
    assert published == expected
    assert published.index("2a/nte/2") < published.index("2a/nte/10")
