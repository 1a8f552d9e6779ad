"""ISTV (Cardiff Model) ED assault attendances, one row per attendance, one file per quarter."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from scp_metrics.sources.source import ROW_HASH, Extract, FrameCheck, Source, field


class RawIstvAssaults(Extract):
    """ISTV (Cardiff Model) ED assault attendances, ISB 1594 minimum dataset, anonymised."""

    reporting_period_start: Series[pd.Timestamp] = field(
        ["REPORTING PERIOD START DATE"], "date", "First day of the reporting period."
    )
    reporting_period_end: Series[pd.Timestamp] = field(
        ["REPORTING PERIOD END DATE"], "date", "Last day of the reporting period."
    )
    site_code: Series[str] = field(
        ["SITE CODE (OF TREATMENT)", "SITE CODE"], "str", "ODS site code of the treating ED."
    )
    arrival_datetime: Series[pd.Timestamp] = field(
        ["ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT", "ARRIVAL DATE AND TIME"],
        "datetime", "Arrival at the Emergency Department.",
    )
    assault_datetime: Series[pd.Timestamp] = field(
        ["ASSAULT DATE AND TIME"], "datetime",
        "When the assault happened; missing when the patient could not say.", nullable=True,
    )
    assault_method: Series[str] = field(["ASSAULT METHOD"], "str", "Method of assault.", nullable=True)
    assault_method_other: Series[str] = field(
        ["ASSAULT METHOD OTHER DESCRIPTION"], "str", "Free-text method when 'Other'.", nullable=True
    )
    assault_location_type: Series[str] = field(
        ["ASSAULT LOCATION TYPE"], "str", "Type of place of assault.", nullable=True
    )
    assault_location_description: Series[str] = field(
        ["ASSAULT LOCATION DESCRIPTION"], "str", "Place of assault (venue, street).", nullable=True
    )

    @pa.dataframe_check(description="the assault happened before arrival at the ED")
    def assault_before_arrival(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["assault_datetime"] <= df["arrival_datetime"]) | df["assault_datetime"].isna()


SOURCE = Source(
    "istv", "ISTV ED assault attendances", RawIstvAssaults,
    signature=("arrival_datetime", "assault_datetime"),
    period_rule="quarter", period_column="reporting_period_start", personal_data_guard=True,
    month_column="arrival_datetime", natural_key=("site_code", "arrival_datetime", ROW_HASH),
    frame_checks={"assault_before_arrival": FrameCheck(("assault_datetime", "arrival_datetime"),
                                                       "assault_datetime")},
)
