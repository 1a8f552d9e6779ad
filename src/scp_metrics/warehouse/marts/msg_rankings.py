"""``mart_msg_rankings``: the home area's Most Similar Group ranked on every rate and percentage
indicator (:func:`scp_metrics.rankings.ranks.compute_rankings`): an indicator whose ranking
cannot be computed gets one row saying why (``series_status`` ``failed``) and the others are
ranked as usual.

Only the periods whose input changed are ranked again (:mod:`scp_metrics.warehouse.incremental`,
a series being one indicator's period): a period's rows depend on its members' values and on
those of the same period a year earlier (``rank_change``), so both are hashed; a new quarter
ranks its few new periods and keeps the thousands of others. A change of the group, the
indicators or the code of :data:`CODE_MODULES` ranks every period again, and so does a failed
indicator (its one row has no period to reuse by)."""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.memo import code_version
from scp_metrics.periods import a_year_later
from scp_metrics.rankings.proxy_group import PROXY_GROUP_LABEL
from scp_metrics.rankings.ranks import (
    MART_COLUMNS,
    RANKED_PERIOD_TYPES,
    compute_rankings,
    group_members,
)
from scp_metrics.settings import Settings
from scp_metrics.stats.series_status import FAILED, OK, failure_note
from scp_metrics.warehouse import incremental
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["CODE_MODULES", "COLUMNS", "SERIES_KEYS", "build_msg_rankings",
           "rank_each_indicator"]

COLUMNS = [*MART_COLUMNS, "series_status", "note"]
MART = "mart_msg_rankings"
#: One series of the mart: an indicator's period.
SERIES_KEYS = ["indicator_id", "period_type", "period_start", "period_end"]
#: Modules whose code the rows depend on (a change ranks every period again).
CODE_MODULES = ("scp_metrics.rankings.ranks", "scp_metrics.rankings.funnel",
                "scp_metrics.rankings.funnel_adjusted", "scp_metrics.stats.overdispersion",
                "scp_metrics.stats.intervals", "scp_metrics.stats.proportions",
                "scp_metrics.periods", "scp_metrics.warehouse.contracts.marts",
                "scp_metrics.warehouse.marts.msg_rankings", "scp_metrics.warehouse.incremental")


def rank_each_indicator(rows: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame,
                        focus: str) -> pd.DataFrame:
    """:func:`compute_rankings` of each indicator alone (the same rows as all at once: an
    indicator's ranks, last year's included, depend on its own rows only), in indicator order;
    an indicator that raises gets one row with ``series_status`` ``failed`` and the reason.

    Every indicator is ranked in one call first (pandas' fixed costs once, not per indicator:
    0.5 s of a new quarter's 1 s at medium); only when that raises is each ranked alone."""
    try:
        together = compute_rankings(rows, indicators, members, group_id=focus, focus_area=focus)
    except Exception:  # noqa: BLE001 - find the indicator(s) that fail, one at a time
        together = None
    if together is not None:
        if together.empty:
            return contract_for("mart_msg_rankings").empty()
        return _in_mart_order(together.assign(series_status=OK, note=None))
    parts, failed = [], []
    own_rows = dict(tuple(rows.groupby("indicator_id", sort=False)))  # rows keep their order
    for indicator in sorted(set(indicators["indicator_id"])):
        if indicator not in own_rows:  # nothing to rank (compute_rankings would return no row)
            continue
        mine = indicators[indicators["indicator_id"] == indicator]
        try:
            ranked = compute_rankings(own_rows[indicator], mine, members,
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
    return _in_mart_order(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])


def _in_mart_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` by indicator, then period type as :data:`RANKED_PERIOD_TYPES` lists them
    (others, and a failed indicator's row, last), rows otherwise in their order."""
    order = {p: i for i, p in enumerate(RANKED_PERIOD_TYPES)}
    out = frame.assign(_order=frame["period_type"].map(order)).sort_values(
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
    salt = incremental.salt_of(MART, code_version(CODE_MODULES), indicators, members, focus, types)
    last_year = rows.copy()
    last_year["period_start"], last_year["period_end"] = a_year_later(
        pd.to_datetime(rows["period_start"]), pd.to_datetime(rows["period_end"]))
    hashes = incremental.series_hashes(
        pd.concat([rows.assign(_next_year=False), last_year.assign(_next_year=True)],
                  ignore_index=True), SERIES_KEYS, salt)
    everything = incremental.ReusePlan(MART, SERIES_KEYS, hashes, hashes["series"], None)
    plan = incremental.plan_reuse(con, MART, SERIES_KEYS, hashes, COLUMNS)
    if plan.reused is not None and (
            rows[SERIES_KEYS].isna().to_numpy().any()
            or query_rows(con, "reads/msg_rankings/failed_rows", failed=FAILED)[0][0]):
        plan = everything
    # the periods to rank and those a year before them (their ranks give rank_change)
    wanted = plan.todo(rows).index.union(plan.todo(last_year).index)
    ranked = rank_each_indicator(rows.loc[wanted], indicators, members, focus)
    if plan.reused is not None and (ranked["series_status"] == FAILED).any():
        plan = everything
        ranked = rank_each_indicator(rows, indicators, members, focus)
    if plan.reused is not None:  # the year-earlier periods were ranked only to be read
        ranked = plan.todo(ranked).reset_index(drop=True)
    out = incremental.finish(con, plan, ranked, contract_for(MART).conform)
    if plan.reused is None:
        return out  # rank_each_indicator's rows and order
    progress = out.attrs.get("progress")
    out = _in_mart_order(out)
    out.attrs["progress"] = progress
    return out
