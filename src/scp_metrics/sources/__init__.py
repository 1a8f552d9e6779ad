"""The registry of sources: every extract the pipeline knows, and how a file's source is found.

Each extract has its own module here (its Pandera model, the data dictionary; its period rule;
its replace key): see :mod:`scp_metrics.sources.source`. A file's source is recognised by its
header row (the columns it carries), never by its name.
"""

from __future__ import annotations

from scp_metrics.sources import (
    action_status,
    fire,
    ho_csp_crime,
    istv,
    marac,
    msg_membership,
    nhs_ae,
    ons_pfa,
    partner_returns,
    place_survey,
    place_survey_headline,
    police_crime,
    police_uk_street,
    population,
)
from scp_metrics.sources.source import Column, FrameCheck, PeriodRule, Source

__all__ = ["SOURCES", "SOURCES_BY_NAME", "Column", "FrameCheck", "PeriodRule", "Source",
           "identify", "is_header", "match_columns", "normalise_header"]

SOURCES: tuple[Source, ...] = tuple(module.SOURCE for module in (
    police_crime, ho_csp_crime, istv, fire, marac, place_survey, place_survey_headline,
    population, msg_membership, police_uk_street, ons_pfa, nhs_ae, partner_returns,
    action_status))

SOURCES_BY_NAME = {s.name: s for s in SOURCES}

#: Share of a source's columns a header row must carry to be taken for that source's header.
HEADER_COVERAGE = 0.5


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


def _ranked(headers: list[str]) -> list[tuple[float, Source, dict[str, int]]]:
    """Sources sharing a signature column with ``headers``, best coverage first."""
    ranked = []
    for source in SOURCES:
        found = match_columns(source, headers)
        if any(name in found for name in source.signature):
            ranked.append((len(found) / len(source.columns), source, found))
    return sorted(ranked, key=lambda t: -t[0])


def is_header(cells: list[str]) -> bool:
    """Whether a row of cells reads as some source's header row (the readers' header test)."""
    return any(score >= HEADER_COVERAGE for score, _, _ in _ranked(cells))


def identify(headers: list[str]) -> tuple[Source, dict[str, int]] | None:
    """The source a header row belongs to and where its columns are, if recognisable."""
    ranked = _ranked(headers)
    if not ranked or ranked[0][0] < HEADER_COVERAGE:
        return None
    _, source, found = ranked[0]
    return source, found

