"""Financial quarters and months covered by the sample (April 2003 to December 2009)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from scp_metrics.periods import Quarter as FinancialQuarter
from scp_metrics.periods import financial_year_label, financial_year_start

__all__ = ["FIRST_FY", "LAST", "Month", "Quarter", "months", "quarters"]

FIRST_FY = 2003
LAST = (2009, 3)  # financial year 2009/10, Q3 (October-December 2009)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def fy(self) -> int:
        """Start year of the financial year containing this month."""
        return financial_year_start(self.start)

    @property
    def index(self) -> int:
        """Months since April 2003 (0 = April 2003)."""
        return (self.year - FIRST_FY) * 12 + self.month - 4


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial quarter: ``fy`` is the start year (2009 = 2009/10), ``q`` is 1-4."""

    fy: int
    q: int

    @property
    def label(self) -> str:
        """File-name label, e.g. ``2009-10_Q3``."""
        return FinancialQuarter(self.fy, self.q).file_tag

    @property
    def fy_label(self) -> str:
        """Home Office style financial year, e.g. ``2009/10``."""
        return financial_year_label(self.fy)

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = 4 + 3 * (self.q - 1)
        out = []
        for k in range(3):
            m = first + k
            out.append(Month(self.fy + (m - 1) // 12, (m - 1) % 12 + 1))
        return (out[0], out[1], out[2])

    @property
    def start(self) -> date:
        return FinancialQuarter(self.fy, self.q).start

    @property
    def end(self) -> date:
        return FinancialQuarter(self.fy, self.q).end


def quarters(first_fy: int = FIRST_FY) -> list[Quarter]:
    """Financial quarters from ``first_fy`` Q1 to 2009/10 Q3 inclusive."""
    out = []
    for fy in range(first_fy, LAST[0] + 1):
        for q in range(1, 5):
            if (fy, q) <= LAST:
                out.append(Quarter(fy, q))
    return out


def months(first_fy: int = FIRST_FY) -> list[Month]:
    """Calendar months from April ``first_fy`` to December 2009."""
    return [m for qt in quarters(first_fy) for m in qt.months]
