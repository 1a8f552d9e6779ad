"""One rule for text that leaves the warehouse in a spreadsheet or CSV cell.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by Excel, LibreOffice and Google Sheets (OWASP,
"CSV Injection"). Every string written to a CSV or a workbook goes through
:func:`neutralise`, which prefixes such text with a single quote so that it is
shown, never evaluated. Numbers are never passed here: they are written as
numbers.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The text as a cell should hold it; anything that is not a str unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns hold neutralised strings."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralise)
    return out
