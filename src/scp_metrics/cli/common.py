"""What every command shares: the consoles, one-sentence errors, tables."""

from __future__ import annotations

import sys

import pandas as pd
from rich.console import Console
from rich.table import Table

from scp_metrics.escaping import neutralise

console = Console(highlight=False)
if not console.is_terminal or console.width < 160:
    console = Console(highlight=False, width=180)
err = Console(stderr=True, highlight=False, width=180)


class UserError(Exception):
    """A problem the user can fix; printed as one sentence."""


def say(message: str) -> None:
    console.print(message, markup=False)


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def write_csv(frame: pd.DataFrame, **options: object) -> None:
    """``frame`` as CSV on stdout (``options`` for ``DataFrame.to_csv``); text that a
    spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) gets a
    leading single quote (:func:`scp_metrics.escaping.neutralise`); numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.to_csv(sys.stdout, index=False, **options)  # type: ignore[call-overload]


def print_frame(frame: pd.DataFrame, fmt: str = "table") -> None:
    """Print a frame as a table (or CSV to stdout with ``fmt='csv'``, :func:`write_csv`)."""
    if fmt == "csv":
        write_csv(frame)
        return
    table = Table(show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col])
                         else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[_fmt(v) for v in row])
    console.print(table)
