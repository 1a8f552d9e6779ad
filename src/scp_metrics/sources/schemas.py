"""Pandera schemas: the data dictionary of every source extract.

One ``DataFrameModel`` per source. Each field says what it means (``description=``), which
headers it may arrive under (``metadata["headers"]``, first is canonical) and how the raw text is
parsed (``metadata["parse"]``: ``str``, ``int``, ``float``, ``date``, ``datetime``, ``time``,
``flag``). Readers parse the text, then the model validates the typed frame lazily so that one
run reports every bad row. Checks that depend on the file (its quarter) are added at run time by
:mod:`scp_metrics.ingest.validation`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series


def field(headers: list[str], parse: str, description: str, **checks: Any) -> Any:
    """A schema field with its accepted headers and parser recorded in metadata."""
    nullable = checks.pop("nullable", False)
    return pa.Field(
        description=description,
        nullable=nullable,
        metadata={"headers": headers, "parse": parse},
        **checks,
    )


class _Extract(pa.DataFrameModel):
    class Config:
        strict = "filter"
        coerce = False


YES_NO = ["Y", "N"]


class RawPoliceRecordedCrime(_Extract):
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


class RawHomeOfficeCspCrime(_Extract):
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


class RawIstvAssaults(_Extract):
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


class RawFireIncidents(_Extract):
    """Fire and rescue incidents (Incident Recording System from April 2009)."""

    incident_number: Series[str] = field(
        ["Incident Number", "Incident No"], "str", "Incident reference.", unique=True
    )
    incident_date: Series[pd.Timestamp] = field(["Incident Date"], "date", "Date of the incident.")
    incident_time: Series[str] = field(
        ["Incident Time"], "time", "Time of call, HH:MM.", nullable=True,
        str_matches=r"^([01]\d|2[0-3]):[0-5]\d$",
    )
    incident_type: Series[str] = field(
        ["Incident Type"], "str", "Primary / secondary / chimney fire, false alarm, special service.",
        isin=["Primary Fire", "Secondary Fire", "Chimney Fire", "False Alarm", "Special Service"],
    )
    motive: Series[str] = field(
        ["Motive"], "str", "Deliberate (incl. suspected, from IRS), accidental or not known.",
        isin=["Deliberate", "Accidental", "Not known"], nullable=True,
    )
    property_type: Series[str] = field(["Property Type"], "str", "Property involved.", nullable=True)
    ward_name: Series[str] = field(["Ward Name", "Ward"], "str", "Ward of the incident.", nullable=True)


class RawMaracCases(_Extract):
    """MARAC cases heard (pseudonymised)."""

    case_heard_date: Series[pd.Timestamp] = field(
        ["Case Heard Date", "Date Heard"], "date", "Date the MARAC heard the case."
    )
    victim_reference: Series[str] = field(
        ["Victim Reference", "Victim Ref"], "str", "Pseudonymised victim reference.",
        str_matches=r"^V\d{6}$",
    )
    risk_level: Series[str] = field(["Risk Level"], "str", "Assessed risk level.", nullable=True)
    referring_agency: Series[str] = field(
        ["Referring Agency"], "str", "Agency that referred the case.", nullable=True
    )
    repeat_flag: Series[bool] = field(
        ["Repeat Flag", "Repeat"], "flag", "Victim heard at MARAC in the previous 12 months."
    )


_STRAND = ["A very big problem", "A fairly big problem", "Not a very big problem",
           "Not a problem at all", "Don't know"]
_AGREE = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree",
          "Strongly disagree", "Don't know"]


def _strand(header: str, what: str) -> Any:
    return field([header], "str", f"How much of a problem is {what} (Place Survey ASB strand).",
                 isin=_STRAND, nullable=True)


class RawPlaceSurveyRespondents(_Extract):
    """Place Survey 2008 respondent-level answers with weights (own area)."""

    respondent_id: Series[str] = field(["Respondent ID"], "str", "Respondent identifier.", unique=True)
    ward_name: Series[str] = field(["Ward Name"], "str", "Respondent's ward.", nullable=True)
    weight: Series[float] = field(
        ["Weight"], "float", "Respondent weight to the area's population profile.", gt=0
    )
    q_ni21: Series[str] = field(
        ["Q_NI21"], "str", "Agree the police and council deal with local ASB and crime concerns.",
        isin=_AGREE, nullable=True,
    )
    q_asb_noisy_neighbours: Series[str] = _strand("Q_ASB_NOISY_NEIGHBOURS", "noisy neighbours or loud parties")
    q_asb_teenagers: Series[str] = _strand("Q_ASB_TEENAGERS", "teenagers hanging around the streets")
    q_asb_rubbish: Series[str] = _strand("Q_ASB_RUBBISH", "rubbish or litter lying around")
    q_asb_vandalism: Series[str] = _strand("Q_ASB_VANDALISM", "vandalism, graffiti and damage")
    q_asb_drugs: Series[str] = _strand("Q_ASB_DRUGS", "people using or dealing drugs")
    q_asb_drunk_rowdy: Series[str] = _strand("Q_ASB_DRUNK_ROWDY", "people being drunk or rowdy")
    q_asb_abandoned_cars: Series[str] = _strand("Q_ASB_ABANDONED_CARS", "abandoned or burnt-out cars")
    fieldwork_date: Series[pd.Timestamp] = field(
        ["Fieldwork Date"], "date", "Date the questionnaire was returned.", nullable=True
    )


class RawPlaceSurveyHeadline(_Extract):
    """Published Place Survey 2008 headline percentages, every council."""

    authority_code: Series[str] = field(
        ["Authority Code", "Area Code"], "str", "ONS code of the council.", str_matches=r"^[EW]0\d{7}$"
    )
    authority_name: Series[str] = field(["Authority Name", "Area Name"], "str", "Council name.")
    indicator: Series[str] = field(
        ["Indicator"], "str", "National Indicator (NI 17, NI 21, NI 41).", isin=["NI 17", "NI 21", "NI 41"]
    )
    percentage: Series[float] = field(["Percentage"], "float", "Headline %.", ge=0, le=100)
    ci_half_width: Series[float] = field(
        ["Confidence Interval (+/-)"], "float", "95% CI half-width, percentage points.", ge=0,
        nullable=True,
    )
    unweighted_base: Series[int] = field(
        ["Unweighted Base"], "int", "Respondents answering.", ge=0, nullable=True
    )


class RawPopulation(_Extract):
    """ONS mid-year population estimates, sheet MYE2 - Persons (all ages kept)."""

    code: Series[str] = field(["Code"], "str", "ONS geography code.", str_matches=r"^[EWSNK]\d{8}$")
    name: Series[str] = field(["Name"], "str", "Geography name.")
    geography: Series[str] = field(["Geography", "Geography1"], "str", "Geography type.", nullable=True)
    all_ages: Series[int] = field(["All ages", "All Ages"], "int", "Resident population, all ages.", gt=0)


class RawMsgMembership(_Extract):
    """Most Similar Group membership (each CSP's own, asymmetric group)."""

    group_id: Series[str] = field(
        ["group_id"], "str", "The group (usually the ONS code of the area whose group it is)."
    )
    area_code: Series[str] = field(
        ["area_code"], "str", "ONS code of a member.", str_matches=r"^[EW]0\d{7}$"
    )
    area_name: Series[str] = field(["area_name"], "str", "Member name.")

    @pa.dataframe_check(description="each area appears once per group")
    def unique_member(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["group_id", "area_code"], keep=False)


#: Dataframe-level checks: the column an analyst should look at when one fails, and what it checks.
CHECK_COLUMNS = {
    "offence_not_after_recorded": ("offence_date", "offence date is on or before the recorded date"),
    "assault_before_arrival": ("assault_datetime", "the assault happened before arrival at the ED"),
    "unique_member": ("area_code", "each area appears once per group"),
}


class RawPoliceUkStreet(_Extract):
    """data.police.uk street-level crime and anti-social behaviour: one row per crime or
    incident, one file per force and month (``YYYY-MM-<force>-street.csv``, plain or gzipped).

    Rows are never de-duplicated: anti-social behaviour has no Crime ID and separate incidents
    at one snapped location are exact duplicate rows. The local authority of a row is its LSOA
    name without the trailing `` NNNX`` (placed by ``stg_police_uk``).
    """

    crime_id: Series[str] = field(
        ["Crime ID"], "str",
        "Crime identifier (64 hex characters); empty for anti-social behaviour. Not always "
        "unique: a crime can appear on more than one row (reported, never refused).",
        nullable=True,
    )
    month: Series[str] = field(
        ["Month"], "str", "Month of the crime or incident, YYYY-MM.",
        str_matches=r"^\d{4}-(0[1-9]|1[0-2])$",
    )
    reported_by: Series[str] = field(["Reported by"], "str", "Force that supplied the row.")
    falls_within: Series[str] = field(
        ["Falls within"], "str", "Force whose area the row falls within (the file's force)."
    )
    longitude: Series[float] = field(
        ["Longitude"], "float", "Snapped (anonymised) longitude; empty without a location.",
        nullable=True, ge=-180, le=180,
    )
    latitude: Series[float] = field(
        ["Latitude"], "float", "Snapped (anonymised) latitude; empty without a location.",
        nullable=True, ge=-90, le=90,
    )
    location: Series[str] = field(
        ["Location"], "str", "Snap-point description ('On or near …', 'No Location').",
        nullable=True,
    )
    lsoa_code: Series[str] = field(
        ["LSOA code"], "str", "2011 Lower Super Output Area code; empty without a location.",
        nullable=True, str_matches=r"^[EW]01\d{6}$",
    )
    lsoa_name: Series[str] = field(
        ["LSOA name"], "str",
        "LSOA name, '<local authority> NNNX' (e.g. 'Southampton 023C'); empty without a location.",
        nullable=True,
    )
    crime_type: Series[str] = field(
        ["Crime type"], "str",
        "police.uk crime category (config/police_uk_crime_types.csv), incl. anti-social behaviour.",
    )
    last_outcome_category: Series[str] = field(
        ["Last outcome category"], "str", "Latest outcome at extraction time; empty for ASB.",
        nullable=True,
    )
    context: Series[str] = field(["Context"], "str", "Free-text context (usually empty).",
                                 nullable=True)

    @pa.dataframe_check(description="LSOA code and LSOA name are both present or both empty")
    def lsoa_code_with_name(cls, df: pd.DataFrame) -> Series[bool]:
        return df["lsoa_code"].isna() == df["lsoa_name"].isna()


class RawOnsPfaTable(_Extract):
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


class RawNhsAeAttendances(_Extract):
    """NHS England A&E attendances, 4-hour breaches and emergency admissions by provider,
    department type and month (loaded as context; no indicator uses it yet)."""

    period: Series[pd.Timestamp] = field(["period"], "date", "First day of the month.")
    org_code: Series[str] = field(["org_code"], "str", "ODS code of the provider (RHM = "
                                  "University Hospital Southampton).")
    department_type: Series[str] = field(
        ["type"], "str", "A&E department type: 1 (major), 2 (single specialty), other.",
        isin=["1", "2", "3", "other"],
    )
    attendances: Series[int] = field(["attendances"], "int", "Attendances.", ge=0)
    breaches: Series[int] = field(["breaches"], "int", "Attendances over 4 hours.", ge=0)
    admissions: Series[int] = field(["admissions"], "int", "Emergency admissions via A&E.", ge=0)


CHECK_COLUMNS["lsoa_code_with_name"] = (
    "lsoa_name", "LSOA code and LSOA name are both present or both empty")
