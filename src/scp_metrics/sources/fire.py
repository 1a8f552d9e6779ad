"""Fire and rescue incidents, one row per incident, one file per quarter."""

from __future__ import annotations

import pandas as pd
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawFireIncidents(Extract):
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


SOURCE = Source(
    "fire", "Fire and rescue incidents", RawFireIncidents,
    signature=("incident_number", "incident_type", "motive"),
    period_rule="quarter", period_column="incident_date", month_column="incident_date",
    natural_key=("incident_number",), personal_data_guard=True,
)
