"""Facts of the partner-return KPIs a plan's priority names (``returns`` in
``config/plans/*.toml``): what the returns show, for the "we did" paragraphs.

From ``mart_kpi_values`` as published (disclosure control applied: a figure resting on a small
count is None), quarters ending by the report's month, the lead agency's series (the first
agency by name, as the target tracking takes it):

* a level or a rate: the latest quarter against the same quarter a year earlier, the relative
  change and the change test's verdict (why it was not tested, as a category the template
  words: ``no_counts``, ``dsr`` (a DSR pair not both from age-band counts on one standard),
  ``not_events``, ``no_previous``);
* hours (:data:`~scp_metrics.targets.kpi_status.ADDITIVE_UNITS`): the financial year to date
  and the same quarters a year earlier.

Numbers only: the wording is ``narrative.j2``'s (``partner``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from scp_metrics.config.kpis import CONTRACT_UNITS, Kpi, read_kpi_register
from scp_metrics.indicators.kpi_statistics import NOT_TESTED
from scp_metrics.periods import Quarter, financial_year_label
from scp_metrics.publish.suppression import withhold
from scp_metrics.stats.intervals import optional_float as _num
from scp_metrics.targets.kpi_status import ADDITIVE_UNITS
from scp_metrics.warehouse.contracts import contract_for

__all__ = ["partner_facts"]



def _untested(kpi: Kpi, row: pd.Series, previous: pd.Series | None) -> str | None:
    if row.get("change_verdict") != NOT_TESTED:
        return None
    if previous is None:
        return "no_previous"
    if _num(row.get("numerator")) is None or _num(previous.get("numerator")) is None:
        return "no_counts"
    return "dsr" if kpi.unit == "dsr_per_100000" else "not_events"


def _year_to_date(rows: pd.DataFrame, latest: Quarter) -> dict[str, Any]:
    """The financial year's quarters to ``latest`` summed, and the same quarters a year
    earlier (None where a quarter is missing or withheld)."""
    def total(fy: int) -> float | None:
        wanted = [pd.Timestamp(Quarter(fy, q).start) for q in range(1, latest.number + 1)]
        got = rows.set_index("start")["value"].reindex(wanted)
        return None if got.isna().any() else float(got.sum())
    ytd, before = total(latest.fy_start), total(latest.fy_start - 1)
    change = 100.0 * (ytd / before - 1.0) if ytd is not None and before else None
    return {"ytd": ytd, "ytd_last_year": before, "ytd_change_pct": change,
            "quarters": latest.number, "year_label": financial_year_label(latest.fy_start),
            "last_year_label": financial_year_label(latest.fy_start - 1)}


def _one(kpi: Kpi, rows: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"id": kpi.id, "title": kpi.title, "unit": CONTRACT_UNITS[kpi.unit],
                           "kpi_unit": kpi.unit, "polarity": kpi.polarity,
                           "additive": kpi.unit in ADDITIVE_UNITS, "received": not rows.empty}
    if rows.empty:
        return out
    rows = rows.sort_values("start")
    row = rows.iloc[-1]
    latest = Quarter.containing(row["start"].date())
    before = Quarter(latest.fy_start - 1, latest.number)
    earlier = rows[rows["start"] == pd.Timestamp(before.start)]
    previous = earlier.iloc[0] if not earlier.empty else None
    value = _num(row["value"])
    prev_value = _num(previous["value"]) if previous is not None else None
    out.update(period=latest.label, agency=str(row["agency"]), value=value,
               previous_period=before.label, previous_value=prev_value,
               change_pct=_num(row.get("change_pct")) if prev_value is not None else None,
               verdict=row.get("change_verdict") if isinstance(row.get("change_verdict"), str)
               else None,
               untested=_untested(kpi, row, previous))
    if out["additive"]:
        out.update(_year_to_date(rows, latest))
    return out


def partner_facts(facts: Any, ids: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """One dict per KPI of ``ids`` (register order kept as listed) for the report's month
    (``facts``: :class:`~scp_metrics.publish.report.facts.Facts`)."""
    if not ids:
        return []
    register = read_kpi_register(facts.settings.config_dir)
    frame = pd.DataFrame()
    if facts.has("mart_kpi_values"):
        frame = facts.reader.frame("kpi_values")
    if not frame.empty:
        frame = withhold(frame, facts.rules, contract_for("mart_kpi_values"))
        frame = frame[pd.to_datetime(frame["period_end"]) <= pd.Timestamp(facts.as_of_end)]
        frame = frame.assign(start=pd.to_datetime(frame["period_start"]))
    out = []
    for kpi_id in ids:
        kpi = register.get(kpi_id)
        rows = frame[frame["kpi_id"] == kpi_id] if not frame.empty else frame
        if not rows.empty:
            rows = rows[rows["agency"] == sorted(rows["agency"].astype(str).unique())[0]]
        out.append(_one(kpi, rows))
    return out
