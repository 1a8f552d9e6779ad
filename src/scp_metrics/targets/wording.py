"""How a probability and a projection's standing read wherever they reach a person (the
report, ``scp-metrics project``, the workbook, the charts); the marts keep the numbers.

A probability of meeting a target comes from a calibrated predictive distribution built on a
few hundred earlier errors at most (:mod:`scp_metrics.targets.calibration`): it cannot support
certainty, so it is never shown as 0% or 100% but as "<1%" or ">99%".
"""

from __future__ import annotations

import math

from scp_metrics.config.units import UNITS

__all__ = ["PROBABILITY_NUMBER_FORMAT", "probability_text"]

PROBABILITY_NUMBER_FORMAT: str = UNITS["probability"].number_format or "0%"
"""The same rule as an Excel number format, for a probability stored as a number (0-1)."""


def probability_text(p: object, missing: str = "—") -> str:
    """``p`` (0-1) as a whole percentage, "<1%" below 0.5% and ">99%" from 99.5% on.

    >>> [probability_text(x) for x in (0.0, 0.004, 0.2, 0.994, 0.995, 1.0, None)]
    ['<1%', '<1%', '20%', '99%', '>99%', '>99%', '—']
    """
    if p is None or not isinstance(p, int | float) or math.isnan(float(p)):
        return missing
    pct = 100.0 * float(p)
    if pct < 0.5:
        return "<1%"
    if pct >= 99.5:
        return ">99%"
    return f"{math.floor(pct + 0.5):.0f}%"
