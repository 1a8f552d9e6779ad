"""Workbook sheets of issue 19: ``KPIs`` (every KPI of the register with its owner, latest
figure, target and RAG), ``KPI_returns`` (every partner return figure) and ``Action_plan`` (the
full action plan register with each action's latest status and flags). Formats, units and
suppression come from the marts' contracts (:func:`~scp_metrics.publish.workbook.model.mart_table`)."""

from __future__ import annotations

from dataclasses import replace

from scp_metrics.config.plans import plan_of_month
from scp_metrics.publish.workbook.model import SheetContext, SheetTable, mart_table

__all__ = ["action_plan", "kpi_returns", "kpis"]


def _rag_words(table: SheetTable | None, column: str) -> SheetTable | None:
    """``rag`` as Green / Amber / Red (coloured by the writer), "Not judged" where there is none."""
    if table is None or column not in table.frame.columns:
        return table
    frame = table.frame.copy()
    frame[column] = frame[column].map(lambda v: v.capitalize() if isinstance(v, str)
                                      else "Not judged")
    return replace(table, frame=frame, rag_column=column)


def kpis(ctx: SheetContext) -> SheetTable | None:
    notes = []
    if ctx.as_of is not None:
        plan, year = plan_of_month(ctx.settings.config_dir, ctx.as_of)
        if plan is None:
            notes.append(f"No plan covers {year}: this is the register in the configuration, "
                         "an earlier plan's, with that plan's owners; no KPI is held to it this "
                         "year.")
        elif plan.area and plan.area != ctx.home:
            notes.append(f"The plan covering {year} is another area's: this register and its "
                         "owners are not this partnership's.")
    return _rag_words(mart_table(
        ctx, "kpi_status", "mart_kpi_status",
        "Every indicator the partnership is held to (the plan's Appendix 3 and its local "
        "measures), its owner, latest figure with its 95% interval, target and RAG; 'no return "
        "received' where the lead agency has sent nothing.", notes=notes), "rag")


def kpi_returns(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "kpi_values", "mart_kpi_values",
                      "Every figure of the partner returns, by KPI, quarter and agency, with its "
                      "interval and how it was obtained.")


def action_plan(ctx: SheetContext) -> SheetTable | None:
    return mart_table(ctx, "kpi_actions", "mart_action_status",
                      "The plan's action plan: every action with its lead, group, outcome, "
                      "measure, timing, resource, linked KPIs, latest status and the flags a "
                      "board should see (overdue, unfunded, on track with a red KPI); overdue "
                      "first within each priority.")
