"""What a source is: its data dictionary (a Pandera model), how a file of it is recognised, how
its rows are placed in periods and which slice a re-issued file replaces.

Each extract has its own module in this package (``police_crime.py``, ``fire.py``, …) holding
its ``DataFrameModel`` and its :class:`Source`; :mod:`scp_metrics.sources` is the registry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

import pandera.pandas as pa

PeriodRule = Literal["quarter", "financial_quarter", "month", "year", "mid_year", "snapshot"]
"""How a file's rows are placed in periods (``period_start``), each rule carried out by
:mod:`scp_metrics.ingest.periods`:

* ``quarter``: the file covers one financial quarter, named in the file name
  (``…_2009-10_Q3…``) or else the quarter most of its ``period_column`` dates fall in; every
  date must lie inside it;
* ``financial_quarter``: each row names its own quarter (``Financial Year``, ``Financial
  Quarter``);
* ``month``: each row's own month (``YYYY-MM`` text or a date in ``period_column``);
* ``year``: each row covers the 12 months ending on its ``period_column`` date;
* ``mid_year``: the mid-year named in the title rows or sheet name (``Mid-2008``);
* ``snapshot``: no period; a new file replaces the whole source.
"""


def field(headers: list[str], parse: str, description: str, **checks: Any) -> Any:
    """A schema field with its accepted headers and parser recorded in metadata.

    ``headers``: the header texts it may arrive under (first is canonical, compared case- and
    space-insensitively); ``parse``: how its text is read (``str``, ``int``, ``float``,
    ``date``, ``datetime``, ``time``, ``flag``); ``checks``: Pandera's (``nullable``,
    ``unique``, ``isin``, ``str_matches``, …)."""
    nullable = checks.pop("nullable", False)
    return pa.Field(
        description=description,
        nullable=nullable,
        metadata={"headers": headers, "parse": parse},
        **checks,
    )


class Extract(pa.DataFrameModel):
    """Base of every source's model: lenient about extra columns, no coercion (the engine
    parses text itself and says which cell did not parse)."""

    class Config:
        strict = "filter"
        coerce = False


@dataclass(frozen=True)
class Column:
    name: str
    headers: tuple[str, ...]
    parse: str
    nullable: bool
    description: str

    @property
    def sql_type(self) -> str:
        return {
            "int": "BIGINT",
            "float": "DOUBLE",
            "date": "DATE",
            "datetime": "TIMESTAMP",
            "flag": "BOOLEAN",
        }.get(self.parse, "VARCHAR")


@dataclass(frozen=True)
class FrameCheck:
    """Where a dataframe-level check of a model looks: the columns it ``reads`` (it is run on
    their distinct combinations, each repeated twice when it repeats, so a check must follow
    from a row's values and whether they repeat) and the column a failure is ``reported`` on
    (the one an analyst should look at)."""

    reads: tuple[str, ...]
    reported: str


ROW_HASH = "*row"
"""In a :attr:`Source.natural_key`: a hash of every column of the row."""


@dataclass(frozen=True, eq=False)
class Source:
    """One kind of extract (one instance per source: compared and hashed by identity)."""

    name: str
    title: str
    model: type[pa.DataFrameModel]
    signature: tuple[str, ...]
    """Canonical column names whose headers must all be present to recognise the source."""
    period_rule: PeriodRule
    period_column: str | None = None
    """Column whose value places a row in its period (``quarter``, ``month``, ``year``)."""
    personal_data_guard: bool = False
    """Record-level extracts that must arrive anonymised (:mod:`scp_metrics.ingest.guard`)."""
    replace_key: tuple[str, ...] = ()
    """Columns that, with ``period_start``, identify the slice a file re-issues (police.uk: the
    force, so one force's re-issued month does not replace another force's same month)."""
    month_column: str | None = None
    """For a ``quarter`` source: the date (or time) column whose month each row belongs to. A
    quarter may then arrive month by month: a file covers its quarter's months up to the last
    month it has a row in, a re-issue replaces only those months (a January-only file does not
    shrink a full quarter loaded before; a full quarter replaces an earlier January-only
    file), and the months after it count as not delivered yet (``int_months_covered``)."""
    natural_key: tuple[str, ...] = ()
    """The columns that identify one row of the source across files, enforced like a UNIQUE
    constraint between the files of one run (``scp_metrics.warehouse.load``): two deliveries of
    one run whose rows share a key are both refused. :data:`ROW_HASH` stands for a hash of the
    whole row (ISTV: identical attendances at one site and time are one); ``period_start``
    with the ``replace_key`` keys a source by slice (police.uk: its ASB rows have no Crime ID and
    identical rows are real incidents, so two files of one force's month overlap)."""
    coverage_column: str | None = None
    """The column naming the area a row is about (HO CSP table: the CSP; population: the code),
    so that a re-issue covering fewer areas than the rows it replaces is caught (with the
    months: ``month_column`` or ``period_start``) and needs ``--accept-shrink``."""
    frame_checks: Mapping[str, FrameCheck] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}))
    """Every dataframe-level check of ``model``, by name."""

    @property
    def table(self) -> str:
        return f"raw_{self.name}"

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        schema = self.model.to_schema()
        out = []
        for name, col in schema.columns.items():
            meta = (col.metadata or {}) if hasattr(col, "metadata") else {}
            out.append(
                Column(
                    name=name,
                    headers=tuple(meta.get("headers", [name])),
                    parse=meta.get("parse", "str"),
                    nullable=bool(col.nullable),
                    description=col.description or "",
                )
            )
        return tuple(out)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def extra_columns(self) -> tuple[tuple[str, str], ...]:
        """Columns the period rule adds to the raw table beside the model's (name, SQL type)."""
        return (("mid_year", "INTEGER"),) if self.period_rule == "mid_year" else ()
