"""Facts for the year-end projection report, read from the marts.

Every number the report prints comes through here, so the tests can compare the report with
the marts. A fact that cannot be found is ``None`` and the narrative says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from scp_metrics.config import catalogue
from scp_metrics.settings import Settings


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
    period_label: str


class Facts:
    """Reads what the report needs for one area as of one month."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings, as_of: str):
        self.con = con
        self.settings = settings
        self.area = settings.home_area
        self.as_of_end = (pd.Timestamp(as_of + "-01") + pd.offsets.MonthEnd(0)).date()
        self.indicators = {i.id: i for i in catalogue.read_indicators(settings.config_dir)}
        self.tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()}

    def has(self, table: str) -> bool:
        return table in self.tables

    def area_name(self) -> str:
        rows = self.con.execute("select area_name from ref_areas where area_code = ?",
                                [self.area]).fetchall()
        return rows[0][0] if rows else self.area

    def ytd_change(self, indicator_id: str) -> Change | None:
        """Financial year to date ending at the as-of month, with last year's same months."""
        rows = self.con.execute(
            "select * from mart_indicator_values where indicator_id = ? and area_code = ? "
            "and period_type = 'fytd' and period_end = ?",
            [indicator_id, self.area, self.as_of_end]).df()
        if rows.empty:
            return None
        row = rows.iloc[0]
        last = self.con.execute(
            "select numerator from mart_indicator_values where indicator_id = ? and area_code = ? "
            "and period_type = 'fytd' and period_end = ?",
            [indicator_id, self.area, (pd.Timestamp(self.as_of_end) - pd.DateOffset(years=1)
                                       + pd.offsets.MonthEnd(0)).date()]).fetchall()
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
        rows = self.con.execute(
            "select * from mart_indicator_values where indicator_id = ? and area_code = ? "
            "and period_type = 'survey'", [indicator_id, self.area]).df()
        return None if rows.empty else rows.iloc[0]

    def survey_peer_mean(self, indicator_id: str) -> float | None:
        rows = self.con.execute(
            "select avg(value) from mart_indicator_values where indicator_id = ? "
            "and period_type = 'survey'", [indicator_id]).fetchall()
        return _num(rows[0][0]) if rows else None

    def rank(self, indicator_id: str) -> Rank | None:
        """Position in the MSG on the rolling 12 months to the as-of month (fytd as fallback)."""
        if not self.has("mart_msg_rankings"):
            return None
        cols = {r[0] for r in self.con.execute(
            "select column_name from information_schema.columns where table_name = 'mart_msg_rankings'"
        ).fetchall()}
        change = "rank_change" if "rank_change" in cols else None
        for period_type in ("rolling_12m", "fytd"):
            sel = ", ".join(["rank", "n_areas"] + ([change] if change else []))
            rows = self.con.execute(
                f"select {sel} from mart_msg_rankings where indicator_id = ? and area_code = ? "
                "and period_type = ? and period_end = ?",
                [indicator_id, self.area, period_type, self.as_of_end]).fetchall()
            if rows and rows[0][0] is not None:
                gained = rows[0][2] if change and len(rows[0]) > 2 else None
                # rank_change = last year's rank minus this year's (positive: places gained)
                last = None if gained is None or pd.isna(gained) else int(rows[0][0]) + int(gained)
                label = ("rolling 12 months" if period_type == "rolling_12m"
                         else "financial year to date")
                return Rank(indicator_id, int(rows[0][0]), int(rows[0][1]),
                            None if last is None or pd.isna(last) else int(last), label)
        return None

    def targets(self) -> pd.DataFrame:
        if not self.has("mart_target_tracking"):
            return pd.DataFrame()
        frame = self.con.execute(
            "select * from mart_target_tracking where area_code = ? order by target_id",
            [self.area]).df()
        if not frame.empty and "title" not in frame:
            from scp_metrics.targets.plan import load_targets

            titles = {t.id: t.title for t in load_targets(self.settings.config_dir).targets}
            frame["title"] = frame["target_id"].map(titles).fillna(frame["target_id"])
        if "as_of" in frame and not frame.empty:
            wanted = pd.Timestamp(self.as_of_end)
            as_of = pd.to_datetime(frame["as_of"])
            match = frame[(as_of.dt.year == wanted.year) & (as_of.dt.month == wanted.month)]
            frame = match if not match.empty else frame
        return frame

    def data_quality(self) -> pd.DataFrame:
        if not self.has("mart_data_quality"):
            return pd.DataFrame()
        frame = self.con.execute("select * from mart_data_quality").df()
        if "severity" in frame:
            frame = frame[frame["severity"].astype(str).str.lower() != "ok"]
        return frame

    def series_breaks(self) -> pd.DataFrame:
        for table in ("ref_series_breaks", "mart_recording_breaks"):
            if self.has(table):
                return self.con.execute(f"select * from {table}").df()
        return pd.DataFrame()

    def lineage(self) -> str:
        rows = self.con.execute(
            "select count(*), max(loaded_at), max(batch_id) from load_batches "
            "where status in ('loaded', 'partly superseded')").fetchall()
        count, loaded_at, last = rows[0]
        return (f"{count} files loaded (last batch {last}, {loaded_at:%Y-%m-%d %H:%M})"
                if count else "no files loaded")


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if out != out else out
