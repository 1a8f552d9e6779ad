"""An intruder's attack on published counts: recover a suppressed cell from the published ones.

Every count of ``mart_indicator_values`` (a numerator, and the denominator of a percentage) is a
sum of months: a quarter of its three, a financial year to date of the months from April, a
rolling 12 months and a financial year of twelve. So each published cell is a linear equation
in the months, and a suppressed cell is recoverable exactly when its own equation is a linear
combination of the published ones (same rank with and without it). This catches every
difference the issue names - a quarter minus two months, consecutive year-to-date or rolling
12-month figures, a year minus its quarters - and any longer chain of them.

A count is also published when a value resting on it is: the row's value (a count indicator's
value is its count; a percentage's is numerator / denominator x 100 with the denominator
published), the value of the same period last year in the row a year later, or the month's
point in ``mart_spc``. Those are added as published cells first.

Nothing here imports the implementation: it reads the published CSVs only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SAME_MONTHS = "the same months as a published cell of another period type"


@dataclass(frozen=True)
class Recovered:
    indicator_id: str
    area_code: str
    column: str
    period_type: str
    period_start: str
    period_end: str
    how: str
    shown: str
    """What the cell was published as (``"<8"``, ``"[c]"``)."""

    @property
    def restated(self) -> bool:
        """Whether the cell covers exactly the months of a published cell of another period
        type (the year to date or rolling 12 months to March is the financial year): its
        count is published there, so withholding it protected nothing and recovering it
        discloses nothing withheld for being small."""
        return self.how == SAME_MONTHS


def _number(text: object) -> float | None:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def is_suppressed(text: object) -> bool:
    """A published count cell that is not a number (``"<8"``, ``"[c]"``); blank is missing."""
    return isinstance(text, str) and text.strip() != "" and _number(text) is None


def _months(row: pd.Series) -> list[pd.Period]:
    start = pd.Period(row["period_start"], "M")
    end = pd.Period(row["period_end"], "M")
    return list(pd.period_range(start, end, freq="M"))


def _known_from_values(series: pd.DataFrame, spc: pd.DataFrame | None) -> dict[int, float]:
    """Row label → numerator, for suppressed numerators a published value gives back."""
    out: dict[int, float] = {}
    unit = str(series["unit"].iloc[0])
    by_key = {(r.period_type, r.period_start, r.period_end): i for i, r in series.iterrows()}

    def year_later(day: str) -> str:
        return str((pd.Timestamp(day) + pd.DateOffset(years=1)).date())

    def count_of(i: int, value: float | None) -> float | None:
        if value is None:
            return None
        if unit == "count":
            return value
        den = _number(series.at[i, "denominator"])
        if unit == "%" and den is not None:
            return value * den / 100.0
        return None

    for i, row in series.iterrows():
        if not is_suppressed(row["numerator"]):
            continue
        got = count_of(i, _number(row.get("value")))
        later = by_key.get((row["period_type"], year_later(row["period_start"]),
                            year_later(row["period_end"])))
        if got is None and later is not None:
            got = count_of(i, _number(series.at[later, "value_same_period_last_year"]))
        if got is None and spc is not None and row["period_type"] == "month":
            point = spc[spc["period_start"] == row["period_start"]]
            if not point.empty:
                got = count_of(i, _number(point["value"].iloc[0]))
        if got is not None:
            out[i] = got
    return out


def attack_series(series: pd.DataFrame, column: str,
                  spc: pd.DataFrame | None = None) -> list[tuple[int, str]]:
    """Rows of one series (one indicator, one area; ``mart_indicator_values`` as published,
    every column text) whose suppressed ``column`` can be recovered, with how."""
    rows = series[series["period_type"].isin(["month", "quarter", "fytd", "rolling_12m",
                                              "financial_year"])]
    if rows.empty:
        return []
    from_values = _known_from_values(rows, spc) if column == "numerator" else {}
    months = sorted({m for _, r in rows.iterrows() for m in _months(r)})
    col_of = {m: n for n, m in enumerate(months)}
    published, suppressed = [], []
    for i, row in rows.iterrows():
        vector = np.zeros(len(months))
        for m in _months(row):
            vector[col_of[m]] = 1.0
        if is_suppressed(row[column]):
            suppressed.append((i, vector))
            if i in from_values:
                published.append(vector)
        elif _number(row[column]) is not None:
            published.append(vector)
    out = []
    base = np.array(published) if published else np.zeros((0, len(months)))
    rank = np.linalg.matrix_rank(base) if len(published) else 0
    for i, vector in suppressed:
        if i in from_values:
            out.append((i, "a published value resting on it"))
        elif any(np.array_equal(vector, p) for p in published):
            out.append((i, SAME_MONTHS))
        elif np.linalg.matrix_rank(np.vstack([base, vector])) == rank:
            out.append((i, "sums and differences of published counts of other period types"))
    return out


def attack(values: pd.DataFrame, spc: pd.DataFrame | None = None) -> list[Recovered]:
    """Every suppressed count of published ``mart_indicator_values`` (text columns) that the
    other published numbers give back."""
    out = []
    for (indicator_id, area_code), series in values.groupby(["indicator_id", "area_code"],
                                                             sort=True):
        if not series["numerator"].map(is_suppressed).any() and not \
                series["denominator"].map(is_suppressed).any():
            continue
        points = None
        if spc is not None:
            points = spc[(spc["indicator_id"] == indicator_id) & (spc["area_code"] == area_code)]
        columns = ["numerator"] + (["denominator"] if series["unit"].iloc[0] == "%" else [])
        for column in columns:
            for i, how in attack_series(series, column, points):
                out.append(Recovered(indicator_id, area_code, column,
                                     series.at[i, "period_type"], series.at[i, "period_start"],
                                     series.at[i, "period_end"], how, series.at[i, column]))
    return out
