"""ONS mid-year population estimates (all ages), one mid-year per table."""

from __future__ import annotations

from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawPopulation(Extract):
    """ONS mid-year population estimates, sheet MYE2 - Persons (all ages kept)."""

    code: Series[str] = field(["Code"], "str", "ONS geography code.", str_matches=r"^[EWSNK]\d{8}$")
    name: Series[str] = field(["Name"], "str", "Geography name.")
    geography: Series[str] = field(["Geography", "Geography1"], "str", "Geography type.", nullable=True)
    all_ages: Series[int] = field(["All ages", "All Ages"], "int", "Resident population, all ages.", gt=0)


SOURCE = Source(
    "population", "ONS mid-year population estimates", RawPopulation,
    signature=("code", "name", "all_ages"), period_rule="mid_year",
    natural_key=("code", "mid_year"), coverage_column="code",
)
