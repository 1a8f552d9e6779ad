"""``scp-metrics plan``: the partnership plan's files.

* ``plan init --year 2019``: a plan skeleton ``config/plans/2019-20.toml`` from the warehouse:
  one target per indicator with data for the home area, its baseline (the 2018/19 outturn)
  filled in where the data has the whole year, every target ``status = "unset"`` for a person
  to set (the loader accepts it as is; the report says the plan leaves it blank).
* ``plan peer-features --workbook FILE``: ``config/area_features.csv`` (the proxy peer group's
  ONS variables, :mod:`scp_metrics.config.area_features`) from an ONS mid-year workbook.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pandas as pd

from scp_metrics.cli.common import UserError, say
from scp_metrics.config.area_features import COLUMNS, FILE_NAME
from scp_metrics.config.plans import FOLDER, PlanError, fy_label, load_plans
from scp_metrics.rankings.proxy_group import derive_features
from scp_metrics.settings import Settings

__all__ = ["plan_skeleton", "register", "sheet_below_header", "workbook_features"]


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


#: The action register a new plan names when no earlier plan names one (config/action_plan.csv).
DEFAULT_ACTIONS = "action_plan.csv"


def _toml(value: object) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), numbers as is."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(round(float(value), 6)) if isinstance(value, float) else str(value)


def plan_skeleton(year: int, baselines: pd.DataFrame, *, partnership: str, area_name: str,
                  written: date, area_code: str = "", actions: str = "") -> str:
    """The text of a plan file for the financial year starting in ``year``.

    ``area_code`` (the home area) and ``actions`` (the action register in the configuration
    folder, e.g. the previous plan's) are written as the plan's ``area`` and ``actions``, so the
    new plan's action plan is followed up in its years and area (issue 19); either is left out
    when empty.

    ``baselines``: ``indicator_id, title, polarity, unit, measure, baseline_value,
    baseline_numerator, latest_end`` (``publish/sql/plan_baselines.sql``). Indicators whose
    polarity is neither lower nor higher get no target (a neutral measure is not targeted).
    """
    label, base = fy_label(year), fy_label(year - 1)
    lines = [
        f"# Plan skeleton for {label}, written by 'scp-metrics plan init --year {year}' on "
        f"{written:%Y-%m-%d} from the warehouse.",
        "# Every target is status = \"unset\": set change_pct (or target_value) and status = "
        "\"set\" for those the",
        "# partnership adopts, delete the rest, and add the plan's quotes ([[priority]]) and the "
        "national",
        "# comparators it cites ([[comparator]]). Keys: see config/plans/2010-11.toml.",
        "",
        "[plan]",
        f"id = {_toml(f'{year}-{(year + 1) % 100:02d}')}",
        f"title = {_toml(f'{partnership} plan {label}')}",
        f"partnership = {_toml(partnership)}",
        f"years = [{_toml(label)}]",
        f"source = {_toml('skeleton from the data; to be completed from the agreed plan')}",
    ]
    if area_code:
        lines.append(f"area = {_toml(area_code)}")
    if actions:
        lines += ["# the action register followed up in this plan's years and area (copy and "
                  "edit it for the new plan's actions)", f"actions = {_toml(actions)}"]
    for row in baselines.itertuples(index=False):
        if str(row.polarity) not in ("lower", "higher"):
            continue
        target_id = (str(row.indicator_id).replace(":", "_").replace("-", "_")
                     + f"_{year}_{(year + 1) % 100:02d}")
        lines += ["", "[[target]]", f"id = {_toml(target_id)}",
                  f"title = {_toml(f'{row.title}: target for {label} to be set')}",
                  f"indicator = {_toml(row.indicator_id)}", 'area = "home"', 'kind = "level"',
                  'status = "unset"', 'basis = "value"', f"baseline_period = {_toml(base)}"]
        if pd.notna(row.baseline_value):
            lines.append(f"baseline_value = {_toml(float(row.baseline_value))}")
            how = (f"Baseline: the {base} outturn for {area_name} in the warehouse "
                   f"({row.unit}).")
        else:
            latest = pd.Timestamp(row.latest_end)
            how = (f"No complete {base} in the warehouse (data to {latest:%b %Y}): the baseline "
                   f"is computed from the data once {base} is complete.")
        lines += [f"target_period = {_toml(label)}", f"polarity = {_toml(str(row.polarity))}",
                  'plan_quote = ""', f"assumptions = {_toml(how)}"]
    return "\n".join(lines) + "\n"


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.publish.reader import MartReader, plan_baselines

    year = int(args.year)
    if not 1990 <= year <= 2100:
        raise UserError(f"--year {year} is not a plausible financial year start (e.g. 2019)")
    folder = settings.config_dir / FOLDER
    target = folder / f"{year}-{(year + 1) % 100:02d}.toml"
    try:
        plans = load_plans(settings.config_dir)
    except PlanError as exc:
        raise UserError(str(exc)) from None
    clash = next((p for p in plans if p.covers(year)), None)
    if clash is not None:
        raise UserError(f"{clash.file} already covers {fy_label(year)}: edit it, or move it "
                        "aside before writing a new skeleton")
    if target.exists() and not args.force:
        raise UserError(f"{target} exists: pass --force to overwrite it")
    try:
        reader = MartReader.open(settings.warehouse)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    with reader:
        if not reader.has("mart_indicator_values"):
            raise UserError("the warehouse has no mart_indicator_values: run 'scp-metrics "
                            "refresh' first")
        baselines = plan_baselines(reader, settings.home_area, date(year - 1, 4, 1))
        area_name = reader.area_name(settings.home_area) or settings.home_area
    if baselines.empty:
        raise UserError(f"no indicator values for {settings.home_area} in the warehouse: "
                        "nothing to base a plan on")
    partnership = plans[-1].partnership if plans and plans[-1].partnership else \
        f"{area_name} Community Safety Partnership"
    actions = next((p.actions for p in reversed(plans) if p.actions), "")
    if not actions and (settings.config_dir / DEFAULT_ACTIONS).is_file():
        actions = DEFAULT_ACTIONS
    text = plan_skeleton(year, baselines, partnership=partnership, area_name=area_name,
                         written=date.today(), area_code=settings.home_area, actions=actions)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    try:
        load_plans(settings.config_dir)
    except PlanError as exc:  # never leave a skeleton the loader refuses
        target.unlink()
        raise UserError(f"the skeleton was refused ({exc}); nothing written") from None
    filled = int(baselines["baseline_value"].notna().sum())
    say(f"Plan skeleton for {fy_label(year)} written to {target}: "
        f"{text.count('[[target]]')} targets, all unset; {filled} baselines from complete "
        f"{fy_label(year - 1)} outturns, the rest computed from the data when it has the year.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("plan", help="the plan's files (plan skeletons, peer features)")
    plan_sub = p.add_subparsers(dest="plan_command", required=True)
    i = plan_sub.add_parser("init", help="write config/plans/<year>.toml, a plan skeleton with "
                                         "baselines from the warehouse")
    i.add_argument("--year", type=int, required=True,
                   help="start of the plan's financial year (2019 = 2019/20)")
    i.add_argument("--warehouse")
    i.add_argument("--force", action="store_true", help="overwrite an existing skeleton")
    i.set_defaults(func=cmd_init)
    q = plan_sub.add_parser("peer-features",
                            help="write config/area_features.csv from the ONS mid-year workbook")
    q.add_argument("--workbook", required=True, help="ONS mid-year estimates workbook")
    q.add_argument("--year", type=int, help="mid-year of MYE 5 to use (default: the latest)")
    q.add_argument("--out", help="file (default: config/area_features.csv)")
    q.set_defaults(func=cmd_peer_features)
