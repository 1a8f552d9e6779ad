"""``mart_peer_group``: the home area's peer group, delivered or built from open data.

A delivered Most Similar Group (``stg_msg_membership`` rows whose ``group_id`` is the home
area's code) always wins: its members are listed with ``group_label`` :data:`DELIVERED_LABEL`.
Without one, the group is the proxy group of
:func:`scp_metrics.rankings.proxy_group.nearest_neighbours` on ``config/area_features.csv``
(ONS size, density and age structure; ``docs/proxy-peer-group.md``), the candidates being the
areas of the home area's country that have indicator values in the warehouse (an area without
data could only be an unranked member): the 15 nearest, labelled
:data:`~scp_metrics.rankings.proxy_group.PROXY_GROUP_LABEL`. With neither, the mart is empty and
``note`` of :func:`peer_group_note` says why.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from scp_metrics.config.area_features import read_area_features
from scp_metrics.rankings.proxy_group import PROXY_GROUP_LABEL, nearest_neighbours
from scp_metrics.settings import Settings
from scp_metrics.warehouse.contracts import contract_for
from scp_metrics.warehouse.queries import query

__all__ = ["COLUMNS", "DELIVERED_LABEL", "PROXY_NEIGHBOURS", "build_peer_group", "proxy_group"]

DELIVERED_LABEL = "Most Similar Group (delivered)"
PROXY_NEIGHBOURS = 15
COLUMNS = ["group_id", "group_label", "area_code", "area_name", "is_focus", "rank", "distance",
           "population", "density_per_sq_km", "note"]


def proxy_group(features: pd.DataFrame, home: str, candidates: set[str]) -> tuple[pd.DataFrame, str]:
    """The proxy group of ``home`` among ``candidates`` (plus itself) and a note; an empty frame
    and the reason when it cannot be built."""
    if features.empty:
        return pd.DataFrame(columns=COLUMNS), ("no proxy group: config/area_features.csv is "
                                               "missing (scp-metrics plan peer-features)")
    if home not in set(features["area_code"]):
        return pd.DataFrame(columns=COLUMNS), (f"no proxy group: {home} is not in "
                                               "config/area_features.csv")
    pool = sorted(c for c in candidates if c != home and c[:1] == home[:1]
                  and c in set(features["area_code"]))
    if not pool:
        return pd.DataFrame(columns=COLUMNS), (f"no proxy group: no other area of {home}'s "
                                               "country has data in the warehouse")
    n = min(PROXY_NEIGHBOURS, len(pool))
    group = nearest_neighbours(features, home, n=n, pool=pool)
    group = group.merge(features[["area_code", "population", "density_per_sq_km"]],
                        on="area_code", how="left")
    note = (f"{PROXY_GROUP_LABEL}: the {n} areas nearest to {home} on ONS size, density and age "
            f"structure among the {len(pool)} areas of its country with data "
            "(docs/proxy-peer-group.md)")
    return group.assign(is_focus=group["area_code"] == home, note=note)[COLUMNS], note


def build_peer_group(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """``mart_peer_group``: one row per member of the home area's group, the area first."""
    home = settings.home_area.strip().upper()
    delivered = query(con, "reads/peer_group/delivered", home=home)
    if not delivered.empty:
        names = query(con, "reads/common/configured_area_names")
        codes = delivered["area_code"].astype(str).str.strip().str.upper()
        frame = pd.DataFrame({"area_code": codes, "area_name": delivered["area_name"]})
        if home not in set(codes):
            match = names.loc[names["area_code"] == home, "area_name"]
            frame = pd.concat([pd.DataFrame({"area_code": [home], "area_name": [
                match.iloc[0] if not match.empty else None]}), frame])
        frame = frame.drop_duplicates("area_code")
        focus = frame["area_code"] == home
        frame = pd.concat([frame[focus], frame[~focus]], ignore_index=True)
        out = frame.assign(group_id=home, group_label=DELIVERED_LABEL,
                           is_focus=frame["area_code"] == home, rank=None, distance=None,
                           population=None, density_per_sq_km=None,
                           note="delivered Most Similar Group file")
        return out[COLUMNS]
    candidates = set(query(con, "reads/peer_group/areas_with_values")["area_code"])
    group, note = proxy_group(read_area_features(settings.config_dir), home, candidates)
    if group.empty:
        empty = contract_for("mart_peer_group").empty()
        empty.attrs["progress"] = f"mart_peer_group: {note}"
        return empty
    return group
