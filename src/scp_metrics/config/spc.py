"""SPC settings (``config/spc.toml``): the baseline that fixes a chart's limits and the minimum
number of points for limits (:class:`SpcBaseline`; used by :mod:`scp_metrics.stats.spc` and
:mod:`scp_metrics.stats.spc_baseline`).

Unknown keys, non-integers and inconsistent values are refused with an :class:`SpcConfigError`
naming the file and the key. A missing file gives the Making Data Count defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "spc.toml"
_KEYS = ("baseline_points", "minimum_points")

#: MDC / NHSRplotthedots: limits are fixed once a group has 12 points.
BASELINE_POINTS = 12
#: Below this many points a limits group is drawn as a run chart (no process limits).
MINIMUM_POINTS = 12


@dataclass(frozen=True)
class SpcBaseline:
    """How a chart's limits are set.

    Attributes
    ----------
    baseline_points : int or None
        Limits come from the first ``baseline_points`` points of each limits group and are
        extended over the rest; None: from the whole group.
    minimum_points : int
        A group with fewer (non-missing) points has no process limits: a run chart.
    """

    baseline_points: int | None = BASELINE_POINTS
    minimum_points: int = MINIMUM_POINTS

    def __post_init__(self) -> None:
        if self.minimum_points < 2:
            raise ValueError("minimum_points must be at least 2 (one moving range)")
        if self.baseline_points is not None and self.baseline_points < self.minimum_points:
            raise ValueError("baseline_points must be at least minimum_points")


class SpcConfigError(ValueError):
    """``config/spc.toml`` is malformed; the message names the file and the key."""


def read_spc_baseline(config_dir: Path) -> SpcBaseline:
    """Load ``config/spc.toml`` (``baseline_points`` 0 = limits from the whole group)."""
    path = Path(config_dir) / FILE_NAME
    if not path.exists():
        return SpcBaseline()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SpcConfigError(f"{path.name}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise SpcConfigError(f"{path.name}: unknown key {', '.join(unknown)} "
                             f"(known: {', '.join(_KEYS)})")
    values = {}
    for key in _KEYS:
        value = data.get(key, getattr(SpcBaseline(), key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SpcConfigError(f"{path.name}, key {key}: expected a whole number >= 0, "
                                 f"got {value!r}")
        values[key] = value
    try:
        return SpcBaseline(baseline_points=values["baseline_points"] or None,
                           minimum_points=values["minimum_points"])
    except ValueError as exc:
        raise SpcConfigError(f"{path.name}: {exc}") from None
