"""Constructors of mart contract columns, shared by every contract module (``marts.py``,
``kpi_marts.py``): a text, date, flag, number or per-row column in one call."""

from __future__ import annotations

import pandera.pandas as pa

from scp_metrics.warehouse.contracts.model import (
    PER_ROW,
    ColumnContract,
    Kind,
    RowUnits,
    Suppression,
)

__all__ = ["date", "flag", "number", "per_row", "text"]


def text(name: str, description: str, *, nullable: bool = True,
         isin: tuple[str, ...] = ()) -> ColumnContract:
    checks = (pa.Check.isin(list(isin)),) if isin else ()
    return ColumnContract(name, "text", "text", description, nullable=nullable, checks=checks)


def date(name: str, description: str, *, nullable: bool = True) -> ColumnContract:
    return ColumnContract(name, "date", "date", description, nullable=nullable)


def flag(name: str, description: str, *, nullable: bool = True) -> ColumnContract:
    return ColumnContract(name, "flag", "flag", description, nullable=nullable)


def number(name: str, unit: str, description: str, *, kind: Kind = "float",
           nullable: bool = True, suppression: Suppression | None = None,
           checks: tuple[pa.Check, ...] = ()) -> ColumnContract:
    return ColumnContract(name, kind, unit, description, nullable=nullable,
                          suppression=suppression, checks=checks)


def per_row(name: str, units: RowUnits, description: str, *,
            suppression: Suppression | None = None) -> ColumnContract:
    return ColumnContract(name, "float", PER_ROW, description, suppression=suppression,
                          row_units=units)
