"""The target catalogue: the plan's targets as data (``config/plans/*.toml``, one file per plan,
:mod:`scp_metrics.config.plans`) and the method settings of ``config/targets.toml``: the RAG
thresholds, the stretch-target reward rule and the projection fallback order.

A target is data: indicator, area, baseline, target (relative or absolute), the financial year it
applies to, polarity, stretch flag and reward, and the plan sentence it comes from. Targets the
plan leaves blank have ``status = "unset"`` and carry no number. :func:`load_targets` refuses an
unknown key, kind, status, basis, polarity, profile or projection method, naming the file and the
key. The rules that use it (RAG, % of stretch achieved, reward) are in
:mod:`scp_metrics.targets.plan`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scp_metrics.config.plans import Plan, fy_label, load_plans

__all__ = ["FALLBACK_ORDER", "KINDS", "POLARITIES", "PROJECTION_METHODS", "RagThresholds",
           "RewardRule", "Target", "TargetCatalogue", "load_targets", "parse_fy"]

FILE = "targets.toml"
KINDS = ("level", "year_on_year", "survey", "rank")
STATUSES = ("set", "unset")
BASES = ("value", "count")
POLARITIES = ("lower", "higher")
PROFILES = ("seasonal", "straight")
#: Year-end projection methods (:mod:`scp_metrics.targets.projections`), in the order tried.
PROJECTION_METHODS: tuple[str, ...] = ("pro_rata", "seasonal_share", "carry_forward",
                                       "poisson_glm", "ets")
FALLBACK_ORDER = ("poisson_glm", "seasonal_share", "carry_forward", "pro_rata")
WITHOUT_STRETCH_METHODS = ("value", "change_pct", "baseline", "trend")


def parse_fy(label: str | None) -> int | None:
    """Start year of a financial year label ('2008/09' -> 2008); a plain year ('2008') as is."""
    if label is None:
        return None
    text = str(label).strip()
    return int(text.split("/")[0]) if text else None


@dataclass(frozen=True)
class RagThresholds:
    green_max_worse_pct: float = 0.0
    amber_max_worse_pct: float = 5.0
    trajectory_profile: str = "seasonal"
    profile_years: int = 3


@dataclass(frozen=True)
class RewardRule:
    min_pct: float = 60.0
    max_pct: float = 100.0


@dataclass(frozen=True)
class Target:
    id: str
    title: str
    indicator: str
    polarity: str
    area: str = "home"
    kind: str = "level"
    status: str = "set"
    basis: str = "value"
    baseline_period: str | None = None
    baseline_value: float | None = None
    change_pct: float | None = None
    target_value: float | None = None
    target_period: str | None = None
    stretch: bool = False
    reward_max_gbp: float | None = None
    reward_deadline: str | None = None
    without_stretch: dict = field(default_factory=dict)
    plan_quote: str = ""
    plan_ref: str = ""
    assumptions: str = ""
    plan_id: str = ""
    """The plan file's ``[plan] id`` (set by the loader, not a key of the file)."""

    @property
    def is_set(self) -> bool:
        return self.status == "set"

    @property
    def baseline_fy(self) -> int | None:
        return parse_fy(self.baseline_period)

    @property
    def target_fy(self) -> int | None:
        return parse_fy(self.target_period)

    @property
    def baseline_from_data(self) -> bool:
        return self.baseline_value is None

    def area_code(self, home_area: str) -> str:
        return home_area if self.area == "home" else self.area

    def target_for(self, baseline: float | None) -> float | None:
        """The target in the indicator's unit (or count), given the baseline value."""
        if not self.is_set:
            return None
        if self.target_value is not None:
            return float(self.target_value)
        if self.change_pct is None or baseline is None or not math.isfinite(baseline):
            return None
        return baseline * (1.0 + self.change_pct / 100.0)

    def describe(self) -> str:
        if not self.is_set:
            return "unset in the plan"
        if self.target_value is not None:
            value = float(self.target_value)
            what = f"{value:,.0f}" if value.is_integer() else f"{value:,g}"
        elif self.kind == "year_on_year":
            what = "below the year before"
        else:
            what = f"{self.change_pct:+g}% on {self.baseline_period}"
        return f"{what} by {self.target_period}"


@dataclass(frozen=True)
class TargetCatalogue:
    targets: list[Target]
    rag: RagThresholds
    reward_rule: RewardRule
    fallback_order: tuple[str, ...]
    plan: Plan | None = None
    """The plan reported against (``load_targets(year=...)``; None otherwise)."""
    uncovered_year: int | None = None
    """The financial year no plan covers (``load_targets(year=...)``): no target is set for it."""

    @property
    def no_target_sentence(self) -> str | None:
        """'no target set for 2018/19' when no plan covers the year asked for."""
        if self.uncovered_year is None:
            return None
        return f"no target set for {fy_label(self.uncovered_year)}"

    def get(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no target {target_id!r} in config/plans/*.toml")


def _refuse(where: str, message: str, file: str = FILE) -> ValueError:
    return ValueError(f"{file}: {where}: {message}")


def _one_of(where: str, key: str, value: Any, allowed: tuple[str, ...],
            file: str = FILE) -> None:
    if value not in allowed:
        raise _refuse(where, f"{key} must be one of {', '.join(allowed)}, not {value!r}", file)


def _table(data: dict, section: str, cls: type) -> Any:
    """``[section]`` as ``cls`` (its fields the only keys allowed)."""
    table = data.get(section, {})
    known = {f.name for f in fields(cls)}
    extra = sorted(set(table) - known)
    if extra:
        raise _refuse(f"[{section}]", f"unknown key(s) {', '.join(extra)}")
    return cls(**table)


def _targets(items: list[dict], file: str, plan_id: str) -> list[Target]:
    """``[[target]]`` tables of ``file`` as validated targets of plan ``plan_id``."""
    known = {f.name for f in fields(Target)} - {"plan_id"}
    targets = []
    for item in items:
        where = f"target {item.get('id')!r}"
        unknown = sorted(set(item) - known)
        if unknown:
            raise _refuse(where, f"unknown key(s) {', '.join(unknown)}", file)
        t = Target(**item, plan_id=plan_id)
        _one_of(where, "kind", t.kind, KINDS, file)
        _one_of(where, "status", t.status, STATUSES, file)
        _one_of(where, "basis", t.basis, BASES, file)
        _one_of(where, "polarity", t.polarity, POLARITIES, file)
        if t.without_stretch:
            _one_of(where, "without_stretch.method", t.without_stretch.get("method", "baseline"),
                    WITHOUT_STRETCH_METHODS, file)
        if t.is_set and t.change_pct is None and t.target_value is None:
            raise _refuse(where, "set but has neither change_pct nor target_value", file)
        targets.append(t)
    return targets


def load_targets(config_dir: Path, year: int | None = None) -> TargetCatalogue:
    """The targets (``config/plans/*.toml``, :mod:`scp_metrics.config.plans`) with the method
    settings of ``config/targets.toml``.

    ``year`` (the start of a financial year: 2018 for 2018/19) keeps the targets of the plan
    whose years cover it; when no plan does, the catalogue has no targets and
    ``uncovered_year`` says which year lacks one ("no target set for 2018/19"). Without
    ``year``, every plan's targets. ``[[target]]`` tables left in ``targets.toml`` (a config
    folder from before plans had their own files) are read as one plan covering every year.

    Raises
    ------
    ValueError
        Naming the file, the target (or section) and the key: an unknown key, an unknown kind,
        status, basis, polarity, RAG profile or projection method, a set target with neither
        ``change_pct`` nor ``target_value``, or a target id used twice
        (:class:`~scp_metrics.config.plans.PlanError` for a plan's own rules).
    """
    path = Path(config_dir) / FILE
    data: dict[str, Any] = {}
    if path.is_file():
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    extra = sorted(set(data) - {"rag", "projection", "reward_rule", "target"})
    if extra:
        raise ValueError(f"{FILE}: unknown section(s) {', '.join(extra)}")
    plans = load_plans(config_dir)
    chosen = plans if year is None else [p for p in plans if p.covers(year)]
    targets = _targets(data.get("target", []), FILE, "")
    for plan in chosen:
        targets += _targets(list(plan.targets), plan.file, plan.id)
    ids = [t.id for t in targets]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"{FILE}: target ids must be unique ({', '.join(twice)} repeated)")
    rag = _table(data, "rag", RagThresholds)
    _one_of("[rag]", "trajectory_profile", rag.trajectory_profile, PROFILES)
    projection = data.get("projection", {})
    extra = sorted(set(projection) - {"fallback_order"})
    if extra:
        raise _refuse("[projection]", f"unknown key(s) {', '.join(extra)}")
    order = tuple(projection.get("fallback_order", FALLBACK_ORDER))
    for method in order:
        _one_of("[projection]", "fallback_order", method, PROJECTION_METHODS)
    legacy = bool(data.get("target"))
    covering = chosen[0] if year is not None and chosen else None
    uncovered = year if year is not None and covering is None and not legacy else None
    return TargetCatalogue(targets, rag, _table(data, "reward_rule", RewardRule), order,
                           plan=covering, uncovered_year=uncovered)
