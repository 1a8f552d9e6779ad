"""``scp-metrics plan``: the partnership plan's files.

* ``plan peer-features --workbook FILE``: ``config/area_features.csv`` (the proxy peer group's
  ONS variables, :mod:`scp_metrics.config.area_features`) from an ONS mid-year workbook.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from scp_metrics.cli.common import UserError, say
from scp_metrics.config.area_features import COLUMNS, FILE_NAME
from scp_metrics.rankings.proxy_group import derive_features
from scp_metrics.settings import Settings

__all__ = ["register", "sheet_below_header", "workbook_features"]


def sheet_below_header(path: Path, sheet: str) -> pd.DataFrame:
    """An ONS sheet from its header row (the first row whose first cell is ``Code``) down."""
    try:
        raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    except ValueError as exc:
        raise UserError(f"{path.name} has no sheet {sheet!r} ({exc}); give the ONS mid-year "
                        "estimates workbook (MYE 5 and MYE2 - Persons)") from None
    firsts = raw.iloc[:, 0].astype(str).str.strip()
    rows = firsts.index[firsts == "Code"]
    if len(rows) == 0:
        raise UserError(f"{path.name}, sheet {sheet!r}: no header row starting 'Code'")
    header = [str(c).strip() if not isinstance(c, float) or c == c else "" for c in
              raw.iloc[rows[0]]]
    body = raw.iloc[rows[0] + 1:].copy()
    body.columns = [h[:-2] if h.endswith(".0") and h[:-2].isdigit() else h for h in header]
    return body[body["Code"].notna()].reset_index(drop=True)


def workbook_features(path: Path, year: int | None = None) -> pd.DataFrame:
    """The features of :func:`derive_features` from the workbook at ``path`` (the year of
    ``MYE 5`` to take: the latest it has unless given)."""
    mye5 = sheet_below_header(path, "MYE 5")
    mye2 = sheet_below_header(path, "MYE2 - Persons")
    years = sorted(int(c.rsplit("mid-", 1)[1]) for c in mye5.columns
                   if str(c).startswith("Estimated Population mid-"))
    if not years:
        raise UserError(f"{path.name}, sheet 'MYE 5': no 'Estimated Population mid-YYYY' column")
    chosen = year or years[-1]
    try:
        return derive_features(mye5, mye2, chosen)
    except ValueError as exc:
        raise UserError(f"{path.name}: {exc}") from None


def cmd_peer_features(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.workbook)
    if not path.is_file():
        raise UserError(f"no workbook {path}: give the ONS mid-year estimates .xls/.xlsx")
    features = workbook_features(path, args.year)
    out = Path(args.out) if args.out else settings.config_dir / FILE_NAME
    features[list(COLUMNS)].to_csv(out, index=False, float_format="%.10g")
    say(f"{len(features)} areas' features written to {out} (from {path.name})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("plan", help="the plan's files (peer features, plan skeletons)")
    plan_sub = p.add_subparsers(dest="plan_command", required=True)
    q = plan_sub.add_parser("peer-features",
                            help="write config/area_features.csv from the ONS mid-year workbook")
    q.add_argument("--workbook", required=True, help="ONS mid-year estimates workbook")
    q.add_argument("--year", type=int, help="mid-year of MYE 5 to use (default: the latest)")
    q.add_argument("--out", help="file (default: config/area_features.csv)")
    q.set_defaults(func=cmd_peer_features)
