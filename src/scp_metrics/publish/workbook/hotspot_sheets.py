"""Workbook sheets of the hot spots (issue 16, item 6): "Hot_spots" (concentration and
persistence by crime group, ``mart_hotspot_summary``) and "Hot_spot_LSOAs" (every LSOA of the
home area with crime in the window, ``mart_hotspot_lsoas``). Small counts are suppressed by
their contracts, as on every sheet."""

from __future__ import annotations

from scp_metrics.publish.workbook.model import SheetContext, SheetTable, mart_table

__all__ = ["hotspot_lsoas", "hotspot_summary"]


def _rows(table: SheetTable | None) -> SheetTable | None:
    return None if table is None or table.frame.empty else table


def hotspot_summary(ctx: SheetContext) -> SheetTable | None:
    return _rows(mart_table(
        ctx, "hotspot_summary", "mart_hotspot_summary",
        "How concentrated the partnership's police.uk crime is in its LSOAs (the share in the "
        "top 5% and 10%) and how persistent the hot spots are month on month, per crime type, "
        "over the 12 months to the latest month.", area_code=ctx.home))


def hotspot_lsoas(ctx: SheetContext) -> SheetTable | None:
    return _rows(mart_table(
        ctx, "hotspot_lsoas", "mart_hotspot_lsoas",
        "Every LSOA of the partnership with police.uk crime in the window, per crime type: "
        "count, share of the area's count, rank (1 = the most), top 5% / 10% and months in the "
        "monthly top 10%."))
