"""The report's sections, in order: :data:`SECTIONS`.

Each :class:`~scp_metrics.publish.report.context.ReportSection` is a Jinja2 template in
``publish/report/templates/`` and a function giving the template its facts from the reader.
The page (``templates/report.html.j2``) shows them in this order with a contents list; the PDF is
the same HTML.

Adding a section (e.g. the KPI register) takes one line here and two new files:

1. ``publish/report/templates/kpi_register.html.j2``: its wording and layout. It is given
   ``section`` (``section.title``, ``section.key``) and the variables the function returns; the
   filters ``figure(unit)``, ``ordinal``, ``month``, ``pct``, ``probability`` format numbers
   (:mod:`scp_metrics.publish.report.templating`), and ``{% import "narrative.j2" as say %}``
   gives the shared sentences. Tables use ``{% include "table.html.j2" %}`` with ``table`` set
   to ``{"columns": [...], "rows": [[...], ...]}``.
2. a module of your own, e.g. ``publish/report/plan_sections.py``, with
   ``def kpi_register(ctx: ReportContext) -> dict | None`` reading its facts through
   ``ctx.reader`` (queries in ``publish/sql/*.sql``, added with ``reader.frame(name, ...)``);
   ``None`` leaves the section out.
3. here: ``ReportSection("kpi-register", "KPI register", "kpi_register.html.j2",
   plan_sections.kpi_register),`` at the place in :data:`SECTIONS` where it should appear.
"""

from __future__ import annotations

from scp_metrics.publish.report import content, hotspot_section, kpi_section, police_uk_section
from scp_metrics.publish.report.context import ReportSection

SECTIONS: list[ReportSection] = [
    ReportSection("verdict", "Verdict: will we meet our targets?", "verdict.html.j2",
                  content.verdict),
    ReportSection("priorities", "How did we do? Our priorities", "priorities.html.j2",
                  content.priorities),
    ReportSection("kpis", "Key performance indicators and owners", "kpis.html.j2", kpi_section.kpis),
    ReportSection("action-plan", "Action plan", "actions.html.j2", kpi_section.actions),
    ReportSection("police-uk", "Police.uk indicators (open data)", "police_uk.html.j2",
                  police_uk_section.police_uk),
    ReportSection("hotspots", "Hot spots (police.uk, by LSOA)", "hotspots.html.j2",
                  hotspot_section.hotspots),
    ReportSection("charts", "Charts", "charts.html.j2", content.charts),
    ReportSection("data-quality", "Data quality", "quality.html.j2", content.quality),
    ReportSection("methods", "Methods", "methods.html.j2", content.methods),
]
