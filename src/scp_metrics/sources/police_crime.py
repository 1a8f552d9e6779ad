"""Force record-level recorded crime: one row per crime, one file per quarter (own area)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, FrameCheck, Source, field


class RawPoliceRecordedCrime(Extract):
    """Force record-level recorded crime extract, one row per crime (own area only)."""

    crime_reference: Series[str] = field(
        ["Crime Reference", "Crime Ref", "CrimeRef"], "str",
        "Force crime reference, unique within the force.", unique=True, str_length={"min_value": 1},
    )
    recorded_date: Series[pd.Timestamp] = field(
        ["Recorded Date", "Date Recorded"], "date",
        "Date the crime was recorded; the file's quarter is by recorded date.",
    )
    offence_date: Series[pd.Timestamp] = field(
        ["Offence Date", "Committed Date"], "date",
        "Date the offence was committed (on or before the recorded date).",
    )
    offence_time: Series[str] = field(
        ["Offence Time", "Committed Time"], "time",
        "Time of the offence, HH:MM; missing when unknown.", nullable=True,
        str_matches=r"^([01]\d|2[0-3]):[0-5]\d$",
    )
    offence_code: Series[str] = field(
        ["HO Offence Code", "Home Office Offence Code", "Offence Code"], "str",
        "Home Office offence classification code (e.g. 8G, 105A).",
    )
    offence_description: Series[str] = field(
        ["HO Offence Description", "Offence Description"], "str", "Description of the offence code.",
    )
    ward_code: Series[str] = field(["Ward Code"], "str", "Electoral ward code.", nullable=True)
    ward_name: Series[str] = field(["Ward Name", "Ward"], "str", "Electoral ward name.", nullable=True)
    lsoa_code: Series[str] = field(
        ["LSOA Code", "LSOA"], "str", "Lower Super Output Area code.", nullable=True,
        str_matches=r"^[EW]01\d{6}$",
    )
    beat: Series[str] = field(["Beat"], "str", "Police beat.", nullable=True)
    domestic_abuse: Series[bool] = field(
        ["Domestic Abuse Flag", "Domestic Abuse"], "flag", "Flagged as domestic abuse (Y/N)."
    )
    alcohol_related: Series[bool] = field(
        ["Alcohol Related Flag", "Alcohol Related"], "flag", "Flagged as alcohol-related (Y/N)."
    )
    hate_crime: Series[bool] = field(
        ["Hate Crime Flag", "Hate Crime"], "flag", "Flagged as a hate crime (Y/N)."
    )
    city_centre: Series[bool] = field(
        ["City Centre Flag", "City Centre"], "flag", "Location in the city-centre policing area."
    )
    night_time_economy: Series[bool] = field(
        ["NTE Flag", "Night Time Economy Flag"], "flag",
        "City centre during night-time economy hours (Y/N).",
    )

    @pa.dataframe_check(description="offence date is on or before the recorded date")
    def offence_not_after_recorded(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["offence_date"] <= df["recorded_date"]) | df["offence_date"].isna()


SOURCE = Source(
    "police_crime", "Police recorded crime (record level)", RawPoliceRecordedCrime,
    signature=("crime_reference", "offence_code", "recorded_date"),
    period_rule="quarter", period_column="recorded_date", personal_data_guard=True,
    month_column="recorded_date", natural_key=("crime_reference",),
    frame_checks={"offence_not_after_recorded": FrameCheck(("offence_date", "recorded_date"),
                                                           "offence_date")},
)
