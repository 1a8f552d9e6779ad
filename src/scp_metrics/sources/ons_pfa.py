"""ONS police force area tables P1 (counts) and P3 (rates, populations), year ending."""

from __future__ import annotations

import pandas as pd
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawOnsPfaTable(Extract):
    """ONS 'Police Force Area data tables' (tables P1 counts and P3 rates with populations),
    reshaped by :mod:`scp_metrics.ingest.layouts` to one row per area and measure."""

    table_id: Series[str] = field(
        ["PFA Table"], "str", "ONS table: P1 (number of offences) or P3 (rates per 1,000, "
        "with the populations used).", isin=["P1", "P3"],
    )
    area_code: Series[str] = field(
        ["Area Code"], "str", "ONS code of the police force area, region or country.",
        str_matches=r"^[EWKN]\d{8}$",
    )
    area_name: Series[str] = field(["Area Name"], "str", "Area name (footnote marks removed).")
    measure: Series[str] = field(
        ["Measure"], "str",
        "Column heading without footnote marks, e.g. 'Total recorded crime (excluding fraud)'.",
    )
    value: Series[float] = field(
        ["Value"], "float", "Count (P1) or rate / population (P3); empty where ONS shows '..'.",
        nullable=True,
    )
    year_ending: Series[pd.Timestamp] = field(
        ["Year Ending"], "date", "Last day of the 12 months the table covers."
    )


SOURCE = Source(
    "ons_pfa", "ONS police force area tables (P1 counts, P3 rates and populations)",
    RawOnsPfaTable, signature=("table_id", "area_code", "measure", "value"),
    period_rule="year", period_column="year_ending",
    natural_key=("table_id", "area_code", "measure", "year_ending"), coverage_column="area_code",
)
