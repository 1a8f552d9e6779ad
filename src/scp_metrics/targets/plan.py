"""RAG status against a trajectory, the % of a stretch target achieved and the reward it implies.

The targets themselves are data (``config/targets.toml``, :mod:`scp_metrics.config.targets`,
whose names are importable from here too).
"""

from __future__ import annotations

import math

from scp_metrics.config.targets import (
    FALLBACK_ORDER,
    KINDS,
    RagThresholds,
    RewardRule,
    Target,
    TargetCatalogue,
    load_targets,
    parse_fy,
)
from scp_metrics.periods import financial_year_label

__all__ = ["FALLBACK_ORDER", "KINDS", "RagThresholds", "RewardRule", "Target", "TargetCatalogue",
           "load_targets", "parse_fy", "rag", "reward_implied", "stretch_pct_achieved",
           "without_stretch_value", "worse_pct"]

DEFAULT_RAG = RagThresholds()
DEFAULT_REWARD_RULE = RewardRule()

def worse_pct(actual: float, reference: float, polarity: str) -> float:
    """How far ``actual`` is on the wrong side of ``reference``, in % of it (negative = better)."""
    if reference == 0 or not (math.isfinite(actual) and math.isfinite(reference)):
        return float("nan")
    diff = (actual - reference) if polarity == "lower" else (reference - actual)
    return 100.0 * diff / abs(reference)


def rag(actual: float | None, trajectory: float | None, polarity: str,
        thresholds: RagThresholds = DEFAULT_RAG) -> str | None:
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
                   rule: RewardRule = DEFAULT_REWARD_RULE) -> float | None:
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
            span = f"{financial_year_label(years[0])}..{financial_year_label(years[-1])}"
            return None, f"trend needs outturns for {span}"
        logs = [math.log(yearly[y]) for y in years]
        xbar, ybar = sum(years) / len(years), sum(logs) / len(logs)
        slope = (sum((x - xbar) * (y - ybar) for x, y in zip(years, logs, strict=True))
                 / sum((x - xbar) ** 2 for x in years))
        value = math.exp(ybar + slope * (goal_fy - xbar))
        span = f"{financial_year_label(years[0])}..{financial_year_label(years[-1])}"
        return value, (f"log-linear trend of the {span} outturns "
                       f"({100 * (math.exp(slope) - 1):+.1f}% a year) carried to "
                       f"{financial_year_label(goal_fy)}: {value:,.1f}")
    raise ValueError(f"target {target.id!r}: unknown without_stretch method {method!r}")
