"""An indicator's series for one area as the targets need it: monthly counts (and populations),
financial-year outturns, survey readings and series breaks."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scp_metrics.targets.projections import fiscal_year

__all__ = ["IndicatorData", "indicator_data"]


@dataclass
class IndicatorData:
    measure: str
    multiplier: float
    unit: str
    months: pd.DataFrame  # period (Period), numerator, denominator, population_year
    years: pd.DataFrame   # fy, numerator, value
    survey: pd.DataFrame  # period_end, value, ci95_lower, ci95_upper
    breaks: tuple = ()    # series-break dates (ref_series_breaks)

    @property
    def counts(self) -> pd.Series:
        return pd.Series(self.months["numerator"].to_numpy(dtype=float),
                         index=pd.PeriodIndex(self.months["period"], freq="M"))


def indicator_data(rows: pd.DataFrame, reference: tuple[str, float, str] | None,
                   breaks: tuple = ()) -> IndicatorData | None:
    """The series from ``mart_indicator_values`` rows of one indicator and area.

    Parameters
    ----------
    rows : DataFrame
        Its ``month``, ``financial_year`` and ``survey`` rows (``period_type, period_start,
        period_end, numerator, denominator, value, ci95_lower, ci95_upper, population_year``),
        in period order.
    reference : tuple or None
        ``(measure, multiplier, unit)`` from the catalogue (None: a count).
    breaks : tuple
        Series-break dates of the indicator in the area.

    Returns
    -------
    IndicatorData, or None when there are no rows.
    """
    if rows.empty:
        return None
    measure, multiplier, unit = reference if reference else ("count", 1, "count")
    months = rows[rows["period_type"] == "month"].copy()
    months["period"] = pd.to_datetime(months["period_start"]).dt.to_period("M")
    years = rows[rows["period_type"] == "financial_year"].copy()
    years["fy"] = [fiscal_year(pd.Timestamp(d).to_period("M")) for d in years["period_start"]]
    survey = rows[rows["period_type"] == "survey"].copy()
    return IndicatorData(measure, float(multiplier or 1), unit, months.reset_index(drop=True),
                         years.reset_index(drop=True), survey.reset_index(drop=True), breaks)
