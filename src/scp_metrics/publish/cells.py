"""One rule for text that leaves the warehouse in a spreadsheet or CSV cell.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by Excel, LibreOffice and Google Sheets (OWASP,
"CSV Injection"). Every string written to a CSV or a workbook goes through
:func:`neutralise`, which prefixes such text with a single quote so that it is
shown, never evaluated. Numbers are never passed here: they are written as
numbers.
"""
from __future__ import annotations

import pandas as pd

from scp_metrics.escaping import FORMULA_STARTS, neutralise

__all__ = ["FORMULA_STARTS", "neutralise", "neutralise_frame"]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns hold neutralised strings."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralise)
    return out
