"""How each Place Survey indicator is scored (``family = "survey"`` entries of
``config/indicators.toml``: ``survey_columns``, ``hit_answers``, ``scores``, ``high_threshold``,
``dont_know``, fieldwork dates, the headline label and the national figure)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["DONT_KNOW_CHOICES", "SurveySpec", "read_survey_specs"]

DONT_KNOW_CHOICES = ("include_in_base", "exclude")


@dataclass(frozen=True)
class SurveySpec:
    """How one survey indicator is scored (from its ``config/indicators.toml`` entry)."""

    id: str
    unit: str
    headline_indicator: str
    columns: tuple[str, ...]
    hit_answers: tuple[str, ...] = ()
    scores: tuple[tuple[str, int], ...] = ()
    """Points per answer (NI 17); empty for a single-question indicator."""
    high_threshold: int | None = None
    dont_know: str = "include_in_base"
    fieldwork_start: date = date(2008, 9, 1)
    fieldwork_end: date = date(2008, 12, 31)
    national_pct: float | None = None
    """The national figure the plan compares with (NI 21: 26%, NI 41: 29%), if any."""


def read_survey_specs(config_dir: Path) -> list[SurveySpec]:
    """The ``family = "survey"`` indicators of ``indicators.toml`` with their scoring keys.

    Raises
    ------
    ValueError
        If ``dont_know`` is not one of :data:`DONT_KNOW_CHOICES`, or an indicator has neither
        ``hit_answers`` (one column) nor ``scores`` with ``high_threshold``.
    """
    with open(Path(config_dir) / "indicators.toml", "rb") as fh:
        items = tomllib.load(fh).get("indicator", [])
    specs = []
    for item in items:
        if item.get("family") != "survey":
            continue
        dont_know = item.get("dont_know", "include_in_base")
        if dont_know not in DONT_KNOW_CHOICES:
            raise ValueError(f"indicators.toml: {item['id']}: dont_know must be one of "
                             f"{', '.join(DONT_KNOW_CHOICES)}, not {dont_know!r}")
        columns = tuple(item.get("survey_columns", []))
        scores = tuple((str(k), int(v)) for k, v in item.get("scores", {}).items())
        hits = tuple(item.get("hit_answers", []))
        if scores and item.get("high_threshold") is None:
            raise ValueError(f"indicators.toml: {item['id']}: scores need high_threshold")
        if not scores and not (hits and len(columns) == 1):
            raise ValueError(f"indicators.toml: {item['id']}: a survey indicator needs "
                             "hit_answers with one survey column, or scores and high_threshold")
        specs.append(SurveySpec(
            id=item["id"], unit=item.get("unit", "%"),
            headline_indicator=item.get("headline_indicator", item["id"]),
            columns=columns, hit_answers=hits, scores=scores,
            high_threshold=item.get("high_threshold"), dont_know=dont_know,
            fieldwork_start=item.get("fieldwork_start", SurveySpec.fieldwork_start),
            fieldwork_end=item.get("fieldwork_end", SurveySpec.fieldwork_end),
            national_pct=item.get("national_pct"),
        ))
    return specs
