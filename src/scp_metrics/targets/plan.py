"""The target catalogue (``config/targets.toml``), RAG status and the stretch-target reward.

A target is data: indicator, area, baseline, target (relative or absolute), the financial year it
applies to, polarity, stretch flag and reward, and the plan sentence it comes from. Targets the
plan leaves blank have ``status = "unset"`` and carry no number.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("level", "year_on_year", "survey", "rank")
FALLBACK_ORDER = ("poisson_glm", "seasonal_share", "carry_forward", "pro_rata")


def _fy(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


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
            what = f"{self.target_value:g}"
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

    def get(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no target {target_id!r} in config/targets.toml")


def load_targets(config_dir: Path) -> TargetCatalogue:
    """Read ``config/targets.toml``; unknown keys and kinds are refused with the target's id."""
    with open(Path(config_dir) / "targets.toml", "rb") as fh:
        data = tomllib.load(fh)
    known = set(Target.__dataclass_fields__)
    targets = []
    for item in data.get("target", []):
        extra = set(item) - known
        if extra:
            raise ValueError(f"target {item.get('id')!r}: unknown keys {sorted(extra)}")
        t = Target(**item)
        if t.kind not in KINDS or t.polarity not in ("lower", "higher"):
            raise ValueError(f"target {t.id!r}: kind must be one of {KINDS}, polarity "
                             "'lower' or 'higher'")
        if t.is_set and t.change_pct is None and t.target_value is None:
            raise ValueError(f"target {t.id!r} is set but has neither change_pct nor target_value")
        targets.append(t)
    ids = [t.id for t in targets]
    if len(ids) != len(set(ids)):
        raise ValueError("config/targets.toml: target ids must be unique")
    order = tuple(data.get("projection", {}).get("fallback_order", FALLBACK_ORDER))
    return TargetCatalogue(targets, RagThresholds(**data.get("rag", {})),
                           RewardRule(**data.get("reward_rule", {})), order)


def worse_pct(actual: float, reference: float, polarity: str) -> float:
    """How far ``actual`` is on the wrong side of ``reference``, in % of it (negative = better)."""
    if reference == 0 or not (math.isfinite(actual) and math.isfinite(reference)):
        return float("nan")
    diff = (actual - reference) if polarity == "lower" else (reference - actual)
    return 100.0 * diff / abs(reference)


def rag(actual: float | None, trajectory: float | None, polarity: str,
        thresholds: RagThresholds = RagThresholds()) -> str | None:
    """Green on or better than trajectory, Amber up to the amber threshold worse, else Red."""
    if actual is None or trajectory is None:
        return None
    worse = worse_pct(actual, trajectory, polarity)
    if math.isnan(worse):
        return None
    if worse <= thresholds.green_max_worse_pct + 1e-12:
        return "green"
    return "amber" if worse <= thresholds.amber_max_worse_pct + 1e-12 else "red"


def stretch_pct_achieved(actual: float, without_stretch: float, stretch_target: float) -> float:
    """% of a stretch achieved.

    (actual − projection without stretch) ÷ (stretch target − projection without stretch) × 100.
    """
    gap = stretch_target - without_stretch
    if gap == 0:
        return float("nan")
    return 100.0 * (actual - without_stretch) / gap


def reward_implied(pct_achieved: float, reward_max: float | None,
                   rule: RewardRule = RewardRule()) -> float | None:
    """Reward for a % of stretch achieved: 0 below ``min_pct``, then pro rata, capped at 100%."""
    if reward_max is None or pct_achieved is None or math.isnan(pct_achieved):
        return None
    if pct_achieved < rule.min_pct:
        return 0.0
    return float(reward_max) * min(pct_achieved, rule.max_pct) / 100.0


def without_stretch_value(target: Target, yearly: dict[int, float]) -> tuple[float | None, str]:
    """The configured "projection without stretch" for the target year, and how it was made.

    ``without_stretch`` methods: ``{method = "value", value = X}``; ``{method = "change_pct",
    change_pct = p}`` (on the baseline); ``{method = "baseline"}`` (no change);
    ``{method = "trend", years = n}``: log-linear trend of the ``n`` financial years ending with
    the baseline year carried to the target year. ``yearly`` maps financial years
    to outturns (same basis as the target).
    """
    spec = dict(target.without_stretch or {"method": "baseline"})
    method = spec.get("method", "baseline")
    base_fy, goal_fy = target.baseline_fy, target.target_fy
    baseline = target.baseline_value if target.baseline_value is not None \
        else (yearly.get(base_fy) if base_fy is not None else None)
    if method == "value":
        return float(spec["value"]), "stated figure"
    if baseline is None:
        return None, f"no {target.baseline_period} outturn"
    if method == "baseline":
        return float(baseline), f"no change from {target.baseline_period}"
    if method == "change_pct":
        return baseline * (1 + spec["change_pct"] / 100), f"{spec['change_pct']:+g}% on baseline"
    if method == "trend":
        if base_fy is None or goal_fy is None:
            return None, "a trend needs both the baseline and the target financial year"
        n = max(2, int(spec.get("years", 3)))
        years = [base_fy - k for k in range(n - 1, -1, -1)]
        if any(yearly.get(y) is None or yearly[y] <= 0 for y in years):
            return None, f"trend needs outturns for {_fy(years[0])}..{_fy(years[-1])}"
        logs = [math.log(yearly[y]) for y in years]
        xbar, ybar = sum(years) / len(years), sum(logs) / len(logs)
        slope = (sum((x - xbar) * (y - ybar) for x, y in zip(years, logs, strict=True))
                 / sum((x - xbar) ** 2 for x in years))
        value = math.exp(ybar + slope * (goal_fy - xbar))
        return value, (f"log-linear trend of the {_fy(years[0])}..{_fy(years[-1])} outturns "
                       f"({100 * (math.exp(slope) - 1):+.1f}% a year) carried to {_fy(goal_fy)}: "
                       f"{value:,.1f}")
    raise ValueError(f"target {target.id!r}: unknown without_stretch method {method!r}")
