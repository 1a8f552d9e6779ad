"""The registry of sources: how each extract is recognised, where it lands, what period it covers.

A file's source is recognised by its header row (the columns it carries), never by its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import pandera.pandas as pa

from scp_metrics.sources import schemas

PeriodRule = Literal["quarter", "month", "year", "snapshot"]


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
class Source:
    """One kind of extract."""

    name: str
    title: str
    model: type[pa.DataFrameModel]
    signature: tuple[str, ...]
    """Canonical column names whose headers must all be present to recognise the source."""
    period_rule: PeriodRule
    period_column: str | None
    """Column whose value places a row in its period (``None`` for snapshots)."""
    personal_data_guard: bool = False
    replace_key: tuple[str, ...] = ()
    """Columns that, with ``period_start``, identify the slice a file re-issues (police.uk: the
    force, so one force's re-issued month does not replace another force's same month)."""

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


SOURCES: tuple[Source, ...] = (
    Source("police_crime", "Police recorded crime (record level)", schemas.RawPoliceRecordedCrime,
           ("crime_reference", "offence_code", "recorded_date"), "quarter", "recorded_date",
           personal_data_guard=True),
    Source("ho_csp_crime", "Home Office CSP recorded crime table", schemas.RawHomeOfficeCspCrime,
           ("csp_name", "offence_code", "number_of_offences"), "quarter", "quarter_start"),
    Source("istv", "ISTV ED assault attendances", schemas.RawIstvAssaults,
           ("arrival_datetime", "assault_datetime"), "quarter", "reporting_period_start",
           personal_data_guard=True),
    Source("fire", "Fire and rescue incidents", schemas.RawFireIncidents,
           ("incident_number", "incident_type", "motive"), "quarter", "incident_date"),
    Source("marac", "MARAC cases", schemas.RawMaracCases,
           ("case_heard_date", "victim_reference", "repeat_flag"), "quarter", "case_heard_date",
           personal_data_guard=True),
    Source("place_survey", "Place Survey respondents", schemas.RawPlaceSurveyRespondents,
           ("respondent_id", "weight", "q_ni21"), "snapshot", None),
    Source("place_survey_headline", "Place Survey headline percentages",
           schemas.RawPlaceSurveyHeadline, ("authority_code", "indicator", "percentage"),
           "snapshot", None),
    Source("population", "ONS mid-year population estimates", schemas.RawPopulation,
           ("code", "name", "all_ages"), "year", "mid_year"),
    Source("msg_membership", "Most Similar Group membership", schemas.RawMsgMembership,
           ("group_id", "area_code", "area_name"), "snapshot", None),
    Source("police_uk_street", "data.police.uk street-level crime and ASB (force, month)",
           schemas.RawPoliceUkStreet, ("month", "falls_within", "lsoa_name", "crime_type"),
           "month", "month", replace_key=("falls_within",)),
    Source("ons_pfa", "ONS police force area tables (P1 counts, P3 rates and populations)",
           schemas.RawOnsPfaTable, ("table_id", "area_code", "measure", "value"), "year",
           "year_ending"),
    Source("nhs_ae", "NHS England A&E attendances by provider and month",
           schemas.RawNhsAeAttendances, ("org_code", "attendances", "breaches"), "month",
           "period"),
)

SOURCES_BY_NAME = {s.name: s for s in SOURCES}


def normalise_header(text: object) -> str:
    """Header text compared case- and space-insensitively (a BOM stripped)."""
    return " ".join(str(text).replace("\ufeff", "").strip().lower().split())


def match_columns(source: Source, headers: list[str]) -> dict[str, int]:
    """Map canonical column name → position in ``headers`` for the columns found."""
    positions = {normalise_header(h): i for i, h in enumerate(headers) if h is not None}
    found: dict[str, int] = {}
    for col in source.columns:
        for alias in col.headers:
            key = normalise_header(alias)
            if key in positions:
                found[col.name] = positions[key]
                break
    return found


def detect_source(headers: list[str]) -> Source | None:
    """The source whose signature columns all appear in ``headers`` (best coverage wins)."""
    best: tuple[float, Source] | None = None
    for source in SOURCES:
        found = match_columns(source, headers)
        if all(name in found for name in source.signature):
            score = len(found) / len(source.columns)
            if best is None or score > best[0]:
                best = (score, source)
    return best[1] if best else None
