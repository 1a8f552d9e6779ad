"""Home Office police recorded crime open data, Community Safety Partnership level, by quarter."""

from __future__ import annotations

from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawHomeOfficeCspCrime(Extract):
    """Home Office police recorded crime open data table, Community Safety Partnership level."""

    financial_year: Series[str] = field(
        ["Financial Year"], "str", "Financial year, e.g. 2009/10.", str_matches=r"^\d{4}/\d{2}$"
    )
    financial_quarter: Series[int] = field(
        ["Financial Quarter"], "int", "Financial quarter 1–4 (Q1 = April–June).", isin=[1, 2, 3, 4]
    )
    force_name: Series[str] = field(["Force Name", "Police Force"], "str", "Police force.")
    csp_name: Series[str] = field(
        ["CSP Name", "Community Safety Partnership"], "str",
        "CSP name as the Home Office spells it (mapped to an ONS code by config/area_name_lookup.csv).",
    )
    offence_description: Series[str] = field(["Offence Description"], "str", "Offence description.")
    offence_group: Series[str] = field(["Offence Group"], "str", "Offence group (case varies by edition).")
    offence_subgroup: Series[str] = field(
        ["Offence Subgroup"], "str", "Offence subgroup.", nullable=True
    )
    offence_code: Series[str] = field(["Offence Code"], "str", "Home Office offence code.")
    number_of_offences: Series[int] = field(
        ["Number of Offences", "Offence Count"], "int",
        "Offences recorded in the quarter (newer editions: 'Offence Count').", ge=0,
    )


SOURCE = Source(
    "ho_csp_crime", "Home Office CSP recorded crime table", RawHomeOfficeCspCrime,
    signature=("csp_name", "offence_code", "number_of_offences"),
    period_rule="financial_quarter",
    natural_key=("financial_year", "financial_quarter", "csp_name", "offence_code"),
    coverage_column="csp_name",
)
