"""Financial-year periods: April–March years, quarters Q1 = Apr–Jun … Q4 = Jan–Mar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

FY_START_MONTH = 4
"""The financial year starts in April."""

_QUARTER_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_/](\d{2})[-_ ]?Q([1-4])(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial quarter: ``fy_start`` is the calendar year in which the financial year starts."""

    fy_start: int
    number: int

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        year = self.fy_start + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        nxt = self.next().start
        return date.fromordinal(nxt.toordinal() - 1)

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.fy_start)} Q{self.number}"

    @property
    def file_tag(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d}_Q{self.number}"

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.fy_start + 1, 1)
        return Quarter(self.fy_start, self.number + 1)

    @classmethod
    def containing(cls, day: date) -> Quarter:
        fy = financial_year_start(day)
        months_in = (day.month - 4) % 12
        return cls(fy, months_in // 3 + 1)


def financial_year_start(day: date) -> int:
    """Calendar year in which the financial year containing ``day`` starts."""
    return day.year if day.month >= FY_START_MONTH else day.year - 1


def financial_year_label(fy_start: int) -> str:
    """``2009`` → ``"2009/10"``."""
    return f"{fy_start}/{(fy_start + 1) % 100:02d}"


def parse_financial_year(label: str) -> int:
    """``"2009/10"``, ``"2009-10"`` or ``"2009/2010"`` → ``2009``."""
    match = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", str(label))
    if not match:
        raise ValueError(f"not a financial year: {label!r}")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end % 100:
        raise ValueError(f"not a financial year: {label!r}")
    return start


def quarter_from_name(name: str) -> Quarter | None:
    """The quarter a file name declares (``…_2009-10_Q3.csv``), if any."""
    match = _QUARTER_IN_NAME.search(name)
    if not match:
        return None
    start, end, number = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if (start + 1) % 100 != end:
        return None
    return Quarter(start, number)


def a_year_later(starts: pd.Series, ends: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The same period one year later, for each period ``starts[i]`` … ``ends[i]`` (datetime64):
    the start a year later (29 February → 28 February), the end the day before the day after
    it a year later (so a month's last day stays its last day: 28 February 2009 → 28 February
    2010, 29 February 2008 → 28 February 2009, 30 April → 30 April). The rule behind every
    "same period last year": a period's value last year is that of the period whose year-later
    period it is.

    >>> s, e = a_year_later(pd.Series(pd.to_datetime(["2008-02-01"])),
    ...                     pd.Series(pd.to_datetime(["2008-02-29"])))
    >>> s.dt.date.tolist(), e.dt.date.tolist()
    ([datetime.date(2009, 2, 1)], [datetime.date(2009, 2, 28)])
    """
    day = pd.Timedelta(days=1)
    return starts + pd.DateOffset(years=1), ends + day + pd.DateOffset(years=1) - day


def same_period_last_year(start: date, end: date) -> tuple[date, date]:
    """The period whose year-later period (:func:`a_year_later`) is ``start`` … ``end``.

    >>> same_period_last_year(date(2009, 4, 1), date(2009, 12, 31))
    (datetime.date(2008, 4, 1), datetime.date(2008, 12, 31))
    >>> same_period_last_year(date(2009, 3, 1), date(2009, 3, 31))
    (datetime.date(2008, 3, 1), datetime.date(2008, 3, 31))
    """
    day = pd.Timedelta(days=1)
    earlier_start = pd.Timestamp(start) - pd.DateOffset(years=1)
    earlier_end = pd.Timestamp(end) + day - pd.DateOffset(years=1) - day
    return earlier_start.date(), earlier_end.date()
