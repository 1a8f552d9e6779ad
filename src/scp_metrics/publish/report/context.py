"""What a report section is, and what its facts function is given.

A section is a Jinja2 template in ``publish/report/templates/`` plus a function that reads the
section's facts (plain values: text, numbers, small frames as lists of dicts) through the
publish reader. The function returns the template's variables, or ``None`` to leave the
section out (no data for it). All wording lives in the templates; the functions return facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scp_metrics.publish.reader import MartReader
from scp_metrics.publish.report.facts import Facts
from scp_metrics.settings import Settings


@dataclass
class ReportContext:
    """Everything a section's facts function may read: the facts of the home area as of the
    report's month (``facts``, with ``facts.reader`` for any other query), the charts the
    report embeds and the folder it is written to."""

    facts: Facts
    as_of: str
    charts: list[Path] = field(default_factory=list)
    out_dir: Path | None = None

    @property
    def reader(self) -> MartReader:
        return self.facts.reader

    @property
    def settings(self) -> Settings:
        return self.facts.settings

    @property
    def area(self) -> str:
        return self.facts.area


SectionFacts = Callable[[ReportContext], Mapping[str, Any] | None]


@dataclass(frozen=True)
class ReportSection:
    """One section of the report, in :data:`scp_metrics.publish.report.sections.SECTIONS` order.

    key : the section's HTML id (``verdict``), unique.
    title : its heading (the contents list shows it too).
    template : a file in ``publish/report/templates/``; it is given ``section`` (this object)
        and every variable ``facts`` returns.
    facts : ``facts(ctx) -> dict | None``; ``None`` leaves the section out.
    """

    key: str
    title: str
    template: str
    facts: SectionFacts
