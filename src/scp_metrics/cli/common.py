"""What every command shares: the consoles, one-sentence errors, tables."""

from __future__ import annotations

import sys

import pandas as pd
from rich.console import Console
from rich.table import Table

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


def print_frame(frame: pd.DataFrame, fmt: str = "table") -> None:
    """Print a frame as a table (or CSV to stdout with ``fmt='csv'``)."""
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
        return
    table = Table(show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col])
                         else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[_fmt(v) for v in row])
    console.print(table)
