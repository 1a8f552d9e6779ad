"""Place Survey 2008 headline results (NI 17, 21, 41) for the 15 areas, as an XLSX."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .catalogue import load_areas
from .seeds import rng_for
from .survey import ni_scores, respondents
from .writers import write_bytes, xlsx_bytes

__all__ = ["HEADER", "headline_rows", "write_headline"]

HEADER = ["Authority Code", "Authority Name", "Indicator", "Percentage",
          "Confidence Interval (+/-)", "Unweighted Base"]  # fmt: skip
# National references (England, 2008): NI 21 26%, NI 41 29%; NI 17 about 20%.
_PEER_CENTRE = {"NI 17": (20.0, 4.0), "NI 21": (26.0, 2.5), "NI 41": (29.0, 5.5)}
_BOUNDS = {"NI 17": (10.0, 30.0), "NI 21": (19.0, 33.0), "NI 41": (18.0, 42.0)}


def headline_rows(seed: int, config_dir: Path) -> list[list[object]]:
    """One row per area and indicator; Southampton's equal its respondent-level figures."""
    own = ni_scores(respondents(seed))
    rng = rng_for(seed, "place-survey-headline")
    rows: list[list[object]] = []
    for area in load_areas(config_dir):
        base_all = int(rng.integers(1000, 1301))
        deff = float(rng.uniform(1.2, 1.45))
        for indicator in ("NI 17", "NI 21", "NI 41"):
            if area.code == "E06000045":
                fig = own[indicator]
                pct, half, base = fig["pct"], fig["ci95_half_width"], fig["base"]
            else:
                centre, spread = _PEER_CENTRE[indicator]
                pct = float(np.clip(rng.normal(centre, spread), *_BOUNDS[indicator]))
                base = base_all if indicator != "NI 41" else int(base_all * rng.uniform(0.9, 0.95))
                p = pct / 100
                half = 100 * 1.96 * float(np.sqrt(p * (1 - p) * deff / base))
            rows.append([area.code, area.name, indicator, round(pct, 1), round(half, 1), base])
    return rows


def write_headline(out_dir: Path, seed: int, progress: Callable[[str], None] | None,
                   config_dir: Path) -> Path:
    """Write ``place_survey/place_survey_2008_headline.xlsx`` (title rows above the header)."""
    if progress:
        progress("place_survey headline")
    titles = [["Place Survey 2008: headline results for National Indicators 17, 21 and 41"], []]
    data = xlsx_bytes("Headline", titles, HEADER, headline_rows(seed, config_dir))
    return write_bytes(out_dir / "place_survey" / "place_survey_2008_headline.xlsx", data)
