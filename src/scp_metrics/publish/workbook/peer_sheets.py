"""Workbook sheets of the peer group (issue 16, item 2): "Peers" reads ``mart_peer_group`` (the
delivered Most Similar Group, else the proxy group (open data)) and names the group it shows;
"Peer_group" lists the members, how near each is and where the group comes from.

A warehouse without ``mart_peer_group`` (built by an earlier version) keeps the earlier sheet,
:func:`scp_metrics.publish.workbook.tables.peers`.
"""

from __future__ import annotations

from scp_metrics.publish.workbook import tables
from scp_metrics.publish.workbook.model import SheetContext, SheetTable, mart_table

__all__ = ["peer_group", "peers"]

_EVERY = ("Every area's values, every period type, are in mart_indicator_values.csv beside this "
          "workbook.")


def peers(ctx: SheetContext) -> SheetTable | None:
    """The partnership and its peer group: financial years, rolling 12 months and surveys, or
    quarters where the data has no whole year."""
    if "mart_peer_group" not in ctx.tables:
        return tables.peers(ctx)
    group = ctx.reader.frame("workbook_peer_group")
    if group.empty:
        return tables.peers(ctx)
    label = str(group["group_label"].iloc[0])
    table = mart_table(ctx, "workbook_peer_group_values", "mart_indicator_values",
                       f"Values of the partnership and its {label} ({len(group)} areas): "
                       "financial years, rolling 12 months and surveys, or quarters where the "
                       "data has no whole year.", notes=[_EVERY])
    return table


def peer_group(ctx: SheetContext) -> SheetTable | None:
    """The members of the partnership's peer group (None without ``mart_peer_group``)."""
    if "mart_peer_group" not in ctx.tables:
        return None
    table = mart_table(ctx, "workbook_peer_group", "mart_peer_group",
                       "The partnership's peer group: a delivered Most Similar Group, else the "
                       "proxy group (open data) of the 15 areas nearest on ONS size, density and "
                       "age structure (docs/proxy-peer-group.md).")
    return None if table is None or table.frame.empty else table
