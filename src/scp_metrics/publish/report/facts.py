"""Facts for the year-end projection report, read from the marts.

Every number the report prints comes through here, so the tests can compare the report with
the marts. A fact that cannot be found is ``None`` and the narrative says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.publish.disclosure import disclosure_rules
from scp_metrics.publish.reader import Connection, MartReader, as_reader
from scp_metrics.publish.suppression import SuppressionRules, is_withheld
from scp_metrics.settings import Settings
from scp_metrics.stats.intervals import optional_float as _num


@dataclass(frozen=True)
class Change:
    """An indicator's year-to-date against the same months a year earlier."""

    indicator_id: str
    title: str
    unit: str
    measure: str
    period_start: date
    period_end: date
    numerator: int
    numerator_last_year: int | None
    value: float
    value_last_year: float | None
    ci95_lower: float
    ci95_upper: float
    change_pct: float | None
    verdict: str | None


@dataclass(frozen=True)
class Rank:
    indicator_id: str
    rank: int
    n_areas: int
    rank_last_year: int | None
    period_type: str
    """rolling_12m, fytd or survey: the period the position is for."""
    period_end: date


class Facts:
    """Reads what the report needs for one area as of one month, through the publish reader."""

    def __init__(self, source: MartReader | Connection, settings: Settings, as_of: str):
        self.reader = as_reader(source)
        self.settings = settings
        self.area = settings.home_area
        self.as_of_end = (pd.Timestamp(as_of + "-01") + pd.offsets.MonthEnd(0)).date()
        self.indicators = {i.id: i for i in catalogue.read_indicators(settings.config_dir)}
        self.rules: SuppressionRules = disclosure_rules(settings.config_dir, self.reader)
        self.tables = set(self.reader.tables())
        self.own = (self.reader.frame("report_as_of", area_code=self.area)
                    if self.has("mart_indicator_as_of") else pd.DataFrame())

    def has(self, table: str) -> bool:
        return table in self.tables

    def area_name(self) -> str:
        return self.reader.area_name(self.area) or self.area

    def as_of_of(self, indicator_id: str) -> date:
        """The indicator's own latest complete month (``mart_indicator_as_of``), else the
        report's as-of month."""
        if not self.own.empty:
            mine = self.own[self.own["indicator_id"] == indicator_id]
            if len(mine):
                return pd.Timestamp(mine["as_of"].iloc[0]).date()
        return self.as_of_end

    def data_to(self) -> str:
        """Each source's latest month, as the outputs state it: "police data to Dec 2009, ED
        data to Jan 2010" (the report's as-of month without ``mart_indicator_as_of``)."""
        if self.own.empty:
            return f"{pd.Timestamp(self.as_of_end):%b %Y}"
        latest = self.own.sort_values("as_of").groupby("data_source", sort=False).tail(1)
        return ", ".join(latest.sort_values(["as_of", "data_source"], ascending=[False, True])
                         ["label"].astype(str))

    def ytd_change(self, indicator_id: str) -> Change | None:
        """Financial year to date ending at the indicator's own as-of month, with last year's
        same months. None when disclosure control withholds the series' year-to-date figures."""
        if is_withheld(self.rules, indicator_id, self.area, "fytd"):
            return None
        end = self.as_of_of(indicator_id)
        rows = self.reader.frame("report_fytd", indicator_id=indicator_id, area_code=self.area,
                                 period_end=end)
        if rows.empty:
            return None
        row = rows.iloc[0]
        last = self.reader.rows(
            "report_fytd_numerator", indicator_id=indicator_id, area_code=self.area,
            period_end=(pd.Timestamp(end) - pd.DateOffset(years=1)
                        + pd.offsets.MonthEnd(0)).date())
        ind = self.indicators.get(indicator_id)
        return Change(
            indicator_id=indicator_id, title=ind.title if ind else indicator_id,
            unit=str(row["unit"]), measure=ind.measure if ind else "rate",
            period_start=pd.Timestamp(row["period_start"]).date(),
            period_end=pd.Timestamp(row["period_end"]).date(),
            numerator=int(row["numerator"]),
            numerator_last_year=int(last[0][0]) if last else None,
            value=float(row["value"]),
            value_last_year=_num(row.get("value_same_period_last_year")),
            ci95_lower=float(row["ci95_lower"]), ci95_upper=float(row["ci95_upper"]),
            change_pct=_num(row.get("change_pct")),
            verdict=None if pd.isna(row.get("change_verdict")) else str(row.get("change_verdict")),
        )

    def survey(self, indicator_id: str) -> pd.Series | None:
        rows = self.reader.frame("report_survey", indicator_id=indicator_id, area_code=self.area)
        return None if rows.empty else rows.iloc[0]

    def rank(self, indicator_id: str) -> Rank | None:
        """Position in the MSG: the rolling 12 months to the indicator's own as-of month
        (financial year to date as fallback); a survey indicator's latest survey on or before
        the report's month."""
        if not self.has("mart_msg_rankings"):
            return None
        end = self.as_of_of(indicator_id)
        for period_type in ("rolling_12m", "fytd"):
            rows = self.reader.rows("report_rank", indicator_id=indicator_id, area_code=self.area,
                                    period_type=period_type, period_end=end)
            if rows and rows[0][0] is not None:
                rank, n_areas, gained = rows[0]
                return Rank(indicator_id, int(rank), int(n_areas), _last(rank, gained),
                            period_type, end)
        rows = self.reader.rows("report_rank_latest", indicator_id=indicator_id,
                                area_code=self.area, period_type="survey",
                                period_end=self.as_of_end)
        if rows:
            rank, n_areas, gained, period_end = rows[0]
            return Rank(indicator_id, int(rank), int(n_areas), _last(rank, gained), "survey",
                        pd.Timestamp(period_end).date())
        return None

    def targets(self) -> pd.DataFrame:
        if not self.has("mart_target_tracking"):
            return pd.DataFrame()
        frame = self.reader.frame("report_targets", area_code=self.area)
        if not frame.empty and "title" not in frame:
            from scp_metrics.targets.plan import load_targets

            titles = {t.id: t.title for t in load_targets(self.settings.config_dir).targets}
            frame["title"] = frame["target_id"].map(titles).fillna(frame["target_id"])
        return frame  # one row per target, each as of its indicator's own month

    def data_quality(self) -> pd.DataFrame:
        if not self.has("mart_data_quality"):
            return pd.DataFrame()
        frame = self.reader.frame("report_data_quality")
        if "severity" in frame:
            frame = frame[frame["severity"].astype(str).str.lower() != "ok"]
        return frame

    def series_breaks(self) -> pd.DataFrame:
        for table, query in (("ref_series_breaks", "report_series_breaks"),
                             ("mart_recording_breaks", "report_recording_breaks")):
            if self.has(table):
                return self.reader.frame(query)
        return pd.DataFrame()

    def lineage(self) -> dict[str, object]:
        """How many files are live in the load ledger, the last batch and when it loaded."""
        count, loaded_at, last = self.reader.rows("report_lineage")[0]
        return {"files": int(count or 0), "loaded_at": loaded_at, "last_batch": last}


def _last(rank: object, gained: object) -> int | None:
    """Last year's rank: rank_change is last year's rank minus this year's (positive: gained)."""
    if gained is None or pd.isna(gained):  # type: ignore[arg-type]
        return None
    return int(rank) + int(gained)  # type: ignore[call-overload]

