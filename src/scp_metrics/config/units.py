"""The units a figure can be in, each with its display precision and Excel number format.

One vocabulary for the whole package: an indicator's ``unit`` in ``config/indicators.toml`` must
be one of :data:`INDICATOR_UNITS`, and every numeric column of a published mart declares one of
:data:`UNITS` in its contract (:mod:`scp_metrics.warehouse.contracts`). Outputs (CSV, workbook,
charts, report) take precision and number format from here, never from a column's name.

>>> UNITS["rate per 1,000"].number_format
'#,##0.00'
>>> unit_named("rank (1 = best)").name
'rank'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INDICATOR_UNITS", "UNITS", "Unit", "unit_named"]


@dataclass(frozen=True)
class Unit:
    """A unit: its name, how many decimals to show and the Excel number format that shows them.

    ``precision`` is None (and ``number_format`` None or a date format) for what is not a
    number to round: text, flags, dates.
    """

    name: str
    precision: int | None
    number_format: str | None
    description: str


def _units(*units: Unit) -> dict[str, Unit]:
    return {u.name: u for u in units}


UNITS: dict[str, Unit] = _units(
    Unit("count", 0, "#,##0", "a number of events, people or rows"),
    Unit("mean count", 1, "#,##0.0", "an average number of events (e.g. a month's mean)"),
    Unit("rate per 1,000", 2, "#,##0.00", "events per 1,000 residents"),
    Unit("rate per 10,000", 2, "#,##0.00", "events per 10,000 residents"),
    Unit("rate per 100,000", 1, "#,##0.0", "events per 100,000 residents"),
    Unit("%", 1, "0.0", "a percentage (0-100)"),
    Unit("% per year", 1, "0.0", "an annual rate of change, in %"),
    Unit("rank", 0, "0", "a position, 1 = best"),
    Unit("probability", 2, '[<0.005]"<1%";[>=0.995]">99%";0%',
         "a probability (0-1), shown as a whole % and never as 0% or 100%"),
    Unit("z", 2, "0.00", "a standardised score: a z statistic, standard deviations or sigmas"),
    Unit("p-value", 4, "0.0000", "a p-value (0-1)"),
    Unit("ratio", 2, "0.00", "a dimensionless ratio (dispersion, calibration factor)"),
    Unit("£", 0, "#,##0", "pounds sterling"),
    Unit("year", 0, "0", "a calendar year (e.g. the ONS mid-year)"),
    Unit("months", 0, "0", "a number of months"),
    Unit("multiplier", 0, "#,##0", "the residents a rate is per (1,000, 10,000)"),
    Unit("id", 0, "0", "a number that names something (a load batch, a group)"),
    Unit("date", None, "yyyy-mm-dd", "a calendar date"),
    Unit("text", None, None, "words, codes and names"),
    Unit("flag", None, None, "true or false"),
)

#: Other spellings of a unit, as marts write them in a row's ``unit`` column.
ALIASES: dict[str, str] = {"rank (1 = best)": "rank"}

#: The units an indicator may be expressed in (``unit`` in ``config/indicators.toml``).
INDICATOR_UNITS: tuple[str, ...] = ("rate per 1,000", "rate per 10,000", "rate per 100,000",
                                    "%", "count")


def unit_named(name: str) -> Unit:
    """The unit called ``name`` (or one of its :data:`ALIASES`).

    Raises
    ------
    KeyError
        Naming the unknown unit and the known ones.
    """
    key = ALIASES.get(name, name)
    if key not in UNITS:
        raise KeyError(f"unknown unit {name!r} (known: {', '.join(UNITS)})")
    return UNITS[key]
