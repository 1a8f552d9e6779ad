"""The partnership's plans, one file each (``config/plans/*.toml``): the one loader.

A plan file holds what a plan says and nothing else does: ``[plan]`` (id, title, partnership,
the financial years it reports on, its source), ``[[priority]]`` (the plan's "we said" and "we
intend to" words, quoted by the report), ``[[comparator]]`` (the national figures it cites) and
``[[target]]`` (validated by :func:`scp_metrics.config.targets.load_targets`, which also reads
the method settings of ``config/targets.toml``). The report's templates, the KPI register and
target tracking read plans only through here.

A refresh reports against the plan whose years cover its data (:func:`plan_for_year`); where
none does, the outputs say "no target set for 2018/19", which is a different statement from a
target the plan leaves blank (``status = "unset"``).

The loader is strict: an unknown section or key, a missing key, a year that is not a financial
year ("2010/11"), two plans with the same id or two plans covering the same year are refused
with a :class:`PlanError` naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scp_metrics.config.kpis import FILE_NAME as KPI_FILE
from scp_metrics.config.kpis import read_kpi_register

__all__ = ["FOLDER", "Comparator", "Plan", "PlanError", "Priority", "fy_label", "load_plans",
           "plan_for_year", "plan_of_month"]

FOLDER = "plans"
_FY = re.compile(r"^(\d{4})/(\d{2})$")
_SECTIONS = {"plan", "priority", "comparator", "target"}
_PLAN_KEYS = {"id", "title", "partnership", "years", "source", "area", "actions"}
_PRIORITY_KEYS = {"key", "title", "we_said", "we_intend", "indicators", "movements", "returns"}
_COMPARATOR_KEYS = {"indicator", "value", "unit", "period", "label"}


class PlanError(ValueError):
    """A plan file that cannot be used (the message names the file and the key)."""


def fy_label(year: int) -> str:
    """2018 → '2018/19'."""
    return f"{year}/{(year + 1) % 100:02d}"


def _fy(text: object, where: str) -> int:
    match = _FY.match(str(text).strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise PlanError(f"{where}: {text!r} is not a financial year written like 2010/11")
    return int(match.group(1))


@dataclass(frozen=True)
class Priority:
    key: str
    title: str
    we_said: str = ""
    we_intend: str = ""
    indicators: tuple[str, ...] = ()
    """The indicators the report's "we did" leads with (change, MSG position, their targets)."""
    movements: tuple[str, ...] = ()
    """Further indicators whose year-to-date movement the report lists."""
    returns: tuple[str, ...] = ()
    """KPIs of config/kpi_register.toml delivered by partner returns whose figures the "we did"
    states (latest quarter against a year earlier; hours: the year to date), and whose targets
    the priority reports."""


@dataclass(frozen=True)
class Comparator:
    indicator: str
    value: float
    unit: str
    period: str = ""
    label: str = "national average"


@dataclass(frozen=True)
class Plan:
    """One plan file. ``years`` are the start years of the financial years it reports on;
    ``targets`` are the raw ``[[target]]`` tables (validated by ``load_targets``)."""

    id: str
    title: str
    partnership: str
    years: tuple[int, ...]
    file: str
    source: str = ""
    priorities: tuple[Priority, ...] = ()
    comparators: tuple[Comparator, ...] = ()
    targets: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    area: str = ""
    """The ONS code of the partnership's area ("": not named)."""
    actions: str = ""
    """The plan's action register, a file in config/ ("": the plan has none loaded)."""

    @property
    def years_label(self) -> str:
        return (fy_label(self.years[0]) if len(self.years) == 1
                else f"{fy_label(self.years[0])} to {fy_label(self.years[-1])}")

    def covers(self, year: int) -> bool:
        return year in self.years

    def priority(self, key: str) -> Priority | None:
        return next((p for p in self.priorities if p.key == key), None)

    def comparator(self, indicator: str) -> Comparator | None:
        return next((c for c in self.comparators if c.indicator == indicator), None)


def _keys(table: dict, allowed: set[str], required: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise PlanError(f"{where}: unknown key(s) {', '.join(extra)}")
    missing = sorted(required - set(table))
    if missing:
        raise PlanError(f"{where}: missing key(s) {', '.join(missing)}")


def _check_returns(priorities: list[Priority], config_dir: Path, name: str) -> None:
    """Each priority's ``returns`` names a partner-return KPI of ``config/kpi_register.toml``."""
    listed = [(i, k) for i, p in enumerate(priorities, start=1) for k in p.returns]
    if not listed:
        return
    register = config_dir / KPI_FILE
    partner = set()
    if register.is_file():
        partner = {k.id for k in read_kpi_register(config_dir) if k.delivered_by == "partner_return"}
    for i, kpi_id in listed:
        if kpi_id not in partner:
            raise PlanError(f"{name} [[priority]] {i}: returns {kpi_id!r} is not a partner-return "
                            f"KPI of config/{KPI_FILE}")


def _read(path: Path) -> Plan:
    name = f"{FOLDER}/{path.name}"
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{name}: not valid TOML ({exc})") from None
    extra = sorted(set(data) - _SECTIONS)
    if extra:
        raise PlanError(f"{name}: unknown section(s) {', '.join(extra)}")
    head = data.get("plan")
    if not isinstance(head, dict):
        raise PlanError(f"{name}: no [plan] table (id, title, partnership, years)")
    _keys(head, _PLAN_KEYS, {"id", "title", "years"}, f"{name} [plan]")
    years = head["years"]
    if not isinstance(years, list) or not years:
        raise PlanError(f"{name} [plan]: years must be a list such as [\"2010/11\"]")
    starts = tuple(sorted(_fy(y, f"{name} [plan] years") for y in years))
    priorities = []
    for i, item in enumerate(data.get("priority", []), start=1):
        _keys(item, _PRIORITY_KEYS, {"key", "title"}, f"{name} [[priority]] {i}")
        for listed in ("indicators", "movements", "returns"):
            if not isinstance(item.get(listed, []), list) or not all(
                    isinstance(v, str) for v in item.get(listed, [])):
                raise PlanError(f"{name} [[priority]] {i}: {listed} must be a list of indicator ids")
        priorities.append(Priority(**{**item, "indicators": tuple(item.get("indicators", ())),
                                      "movements": tuple(item.get("movements", ())),
                                      "returns": tuple(item.get("returns", ()))}))
    _check_returns(priorities, path.parent.parent, name)
    comparators = []
    for i, item in enumerate(data.get("comparator", []), start=1):
        _keys(item, _COMPARATOR_KEYS, {"indicator", "value", "unit"}, f"{name} [[comparator]] {i}")
        if not isinstance(item["value"], int | float):
            raise PlanError(f"{name} [[comparator]] {i}: value must be a number")
        comparators.append(Comparator(**{**item, "value": float(item["value"])}))
    actions = str(head.get("actions", ""))
    if actions and not (path.parent.parent / actions).is_file():
        raise PlanError(f"{name} [plan]: actions {actions!r} is not a file in the configuration "
                        "folder; name the action register (e.g. action_plan.csv) or leave it out")
    return Plan(id=str(head["id"]), title=str(head["title"]), area=str(head.get("area", "")),
                actions=actions,
                partnership=str(head.get("partnership", "")), years=starts, file=name,
                source=str(head.get("source", "")), priorities=tuple(priorities),
                comparators=tuple(comparators), targets=tuple(data.get("target", [])))


def load_plans(config_dir: Path) -> list[Plan]:
    """Every ``config/plans/*.toml``, by first year (none: an empty list).

    Raises
    ------
    PlanError
        A file that breaks the rules above, two plans with one id, or a year two plans cover.
    """
    folder = Path(config_dir) / FOLDER
    plans = [_read(p) for p in sorted(folder.glob("*.toml"))] if folder.is_dir() else []
    seen: dict[str, str] = {}
    covered: dict[int, str] = {}
    for plan in plans:
        if plan.id in seen:
            raise PlanError(f"{plan.file}: plan id {plan.id!r} is also {seen[plan.id]}'s")
        seen[plan.id] = plan.file
        for year in plan.years:
            if year in covered:
                raise PlanError(f"{plan.file}: {fy_label(year)} is also covered by "
                                f"{covered[year]}; a year belongs to one plan")
            covered[year] = plan.file
    return sorted(plans, key=lambda p: p.years[0])


def plan_for_year(plans: list[Plan], year: int) -> Plan | None:
    """The plan whose years include the financial year starting in ``year`` (None: none)."""
    return next((p for p in plans if p.covers(year)), None)


def plan_of_month(config_dir: Path, as_of: str) -> tuple[Plan | None, str]:
    """The plan covering the financial year of month ``as_of`` ("2019-02" → 2018/19; None when
    none does, or the plan files cannot be read) and that year's label."""
    year, month = (int(part) for part in str(as_of)[:7].split("-"))
    year = year if month >= 4 else year - 1
    try:
        return plan_for_year(load_plans(config_dir), year), fy_label(year)
    except PlanError:
        return None, fy_label(year)
