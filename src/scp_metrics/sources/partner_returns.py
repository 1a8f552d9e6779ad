"""Partner returns: one figure per KPI, quarter and agency, sent by the agency that leads it.

The template (``docs/templates/partner_return.csv``; ``docs/partner-returns.md``) is one row per
indicator, financial year, quarter and agency: the figure (``value``), or its ``numerator`` and
``denominator`` (the interval is then computed), an optional published interval (carried through
as given and labelled), and a note. For NI 39 the return may instead give one row per age band
(``age_band`` as the standard population labels it, the band's admissions as ``numerator`` and
its population as ``denominator``): the directly standardised rate and its Dobson interval are
computed (``stats.dsr``) on the ``standard`` named (``esp1976`` by default, or ``esp2013``).

Each row names its own quarter (``financial_year``, ``financial_quarter``). A re-sent return
replaces the rows of the same indicator, agency and quarter; two files of one run with the same
indicator, quarter, agency and age band are both refused. An indicator id that is not in
``config/kpi_register.toml`` is refused naming the file, row and column
(:mod:`scp_metrics.ingest.checks`).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, FrameCheck, Source, field

#: The columns that identify one figure of a return.
KEY = ("indicator", "financial_year", "financial_quarter", "agency", "age_band")
STANDARDS = ("esp1976", "esp2013")


class RawPartnerReturns(Extract):
    """A partner agency's quarterly KPI return (aggregate figures, no personal data)."""

    indicator: Series[str] = field(
        ["Indicator", "Indicator ID", "KPI"], "str",
        "KPI id as config/kpi_register.toml names it (NI19, NI111, community_payback_hours ...).",
    )
    financial_year: Series[str] = field(
        ["Financial Year"], "str", "Financial year of the figure, e.g. 2009/10.",
        str_matches=r"^\d{4}/\d{2}$",
    )
    financial_quarter: Series[int] = field(
        ["Financial Quarter", "Quarter"], "int",
        "Quarter the figure is for (1 = April-June); for a 12-month measure, the quarter its "
        "12 months end in.", isin=[1, 2, 3, 4],
    )
    agency: Series[str] = field(["Agency"], "str", "The agency sending the figure.")
    numerator: Series[float] = field(
        ["Numerator"], "float", "Events counted (an age band's events for NI 39 by band).",
        nullable=True, ge=0,
    )
    denominator: Series[float] = field(
        ["Denominator"], "float", "Population or base (an age band's population for NI 39).",
        nullable=True, gt=0,
    )
    value: Series[float] = field(
        ["Value"], "float", "The figure in the KPI's unit (may be left empty when numerator "
        "and denominator are given).", nullable=True,
    )
    published_lower: Series[float] = field(
        ["Published Lower", "Lower"], "float", "Lower limit of an interval the agency "
        "publishes (carried through as given).", nullable=True,
    )
    published_upper: Series[float] = field(
        ["Published Upper", "Upper"], "float", "Upper limit of the published interval.",
        nullable=True,
    )
    age_band: Series[str] = field(
        ["Age Band"], "str", "NI 39 by age band only: the standard population's band "
        "('0-4', ..., '85+').", nullable=True, str_matches=r"^\d{1,2}(-\d{1,2}|\+)$",
    )
    standard: Series[str] = field(
        ["Standard Population", "Standard"], "str", "NI 39 by age band only: esp1976 "
        "(default, as the NI handbook) or esp2013.", nullable=True, isin=list(STANDARDS),
    )
    note: Series[str] = field(["Note"], "str", "The agency's note on the figure.",
                              nullable=True)

    @pa.dataframe_check(description="a value, or a numerator, is given")
    def value_or_numerator(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].notna() | df["numerator"].notna()

    @pa.dataframe_check(description="a published interval has both limits, lower <= upper")
    def interval_complete(cls, df: pd.DataFrame) -> Series[bool]:
        lower, upper = df["published_lower"], df["published_upper"]
        return (lower.isna() & upper.isna()) | (lower.notna() & upper.notna() & (lower <= upper))

    @pa.dataframe_check(description="one row per indicator, year, quarter, agency and age band")
    def one_row_per_key(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(list(KEY), keep=False)

    @pa.dataframe_check(description="an age band row gives its numerator and denominator")
    def age_band_counts(cls, df: pd.DataFrame) -> Series[bool]:
        return df["age_band"].isna() | (df["numerator"].notna() & df["denominator"].notna())


SOURCE = Source(
    "partner_returns", "Partner KPI returns", RawPartnerReturns,
    signature=("indicator", "agency"),
    period_rule="financial_quarter",
    replace_key=("indicator", "agency"),
    natural_key=KEY,
    frame_checks={
        "value_or_numerator": FrameCheck(("indicator", "value", "numerator"), "value"),
        "interval_complete": FrameCheck(("published_lower", "published_upper"),
                                        "published_upper"),
        "one_row_per_key": FrameCheck(KEY, "indicator"),
        "age_band_counts": FrameCheck(("age_band", "numerator", "denominator"), "denominator"),
    },
)
