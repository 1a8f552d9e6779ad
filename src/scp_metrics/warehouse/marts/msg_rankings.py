"""``mart_msg_rankings``: the home area's Most Similar Group ranked on every rate and percentage
indicator (:func:`scp_metrics.rankings.ranks.compute_rankings`), one indicator at a time: an
indicator whose ranking cannot be computed gets one row saying why (``series_status``
``failed``) and the others are ranked as usual."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.rankings.proxy_group import PROXY_GROUP_LABEL
from scp_metrics.rankings.ranks import (
    MART_COLUMNS,
    RANKED_PERIOD_TYPES,
    compute_rankings,
    group_members,
)
from scp_metrics.settings import Settings
from scp_metrics.stats.series_status import FAILED, OK, failure_note
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["COLUMNS", "build_msg_rankings", "rank_each_indicator"]

COLUMNS = [*MART_COLUMNS, "series_status", "note"]


def rank_each_indicator(rows: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame,
                        focus: str) -> pd.DataFrame:
    """:func:`compute_rankings` of each indicator alone (the same rows as all at once: an
    indicator's ranks, last year's included, depend on its own rows only), in indicator order;
    an indicator that raises gets one row with ``series_status`` ``failed`` and the reason."""
    parts, failed = [], []
    for indicator in sorted(set(indicators["indicator_id"])):
        mine = indicators[indicators["indicator_id"] == indicator]
        try:
            ranked = compute_rankings(rows[rows["indicator_id"] == indicator], mine, members,
                                      group_id=focus, focus_area=focus)
        except Exception as exc:  # noqa: BLE001 - one indicator never stops the mart
            first = mine.iloc[0]
            failed.append({"group_id": focus, "focus_area": focus, "indicator_id": indicator,
                           "measure": first.get("measure"), "polarity": first.get("polarity"),
                           "unit": first.get("unit"), "multiplier": first.get("multiplier"),
                           "area_code": focus, "is_focus": True,
                           "n_members": len(members), "series_status": FAILED,
                           "note": failure_note("ranking", exc)})
            continue
        if not ranked.empty:
            parts.append(ranked.assign(series_status=OK, note=None))
    if failed:
        parts.append(pd.DataFrame(failed, columns=COLUMNS))
    if not parts:
        return contract_for("mart_msg_rankings").empty()
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    order = {p: i for i, p in enumerate(RANKED_PERIOD_TYPES)}
    out = out.assign(_order=out["period_type"].map(order)).sort_values(
        ["indicator_id", "_order"], kind="stable", na_position="last")
    return out[COLUMNS].reset_index(drop=True)


#: The proxy group (open data) also ranks quarters: it exists for police.uk data, whose loaded
#: months often make no whole year (issue 16, item 2).
PROXY_RANKED_PERIOD_TYPES = (*RANKED_PERIOD_TYPES, "quarter")


def build_msg_rankings(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_msg_rankings``: the home area's group, every rate and percentage indicator.

    Reads ``mart_peer_group`` (the delivered group whose ``group_id`` is
    ``settings.home_area``, else the proxy group, which ranks quarters too),
    ``ref_indicators`` and the ``rolling_12m``, ``financial_year``, ``fytd`` and ``survey``
    rows of ``mart_indicator_values``, and applies
    :func:`~scp_metrics.rankings.ranks.compute_rankings` to each indicator. Empty (with its
    columns) when the warehouse holds no group for the home area.
    """
    membership = query(con, "reads/peer_group/membership")
    names = query(con, "reads/common/configured_area_names")
    try:
        members = group_members(membership, settings.home_area, names)
    except LookupError:
        return contract_for("mart_msg_rankings").empty()
    proxy = bool(query_rows(con, "reads/peer_group/is_proxy", label=PROXY_GROUP_LABEL)[0][0])
    indicators = query(con, "reads/msg_rankings/indicators")
    types = PROXY_RANKED_PERIOD_TYPES if proxy else RANKED_PERIOD_TYPES
    rows = query(con, "reads/msg_rankings/values", period_types=list(types),
                 area_codes=members["area_code"].tolist())
    focus = settings.home_area.strip().upper()
    return rank_each_indicator(rows, indicators, members, focus)
