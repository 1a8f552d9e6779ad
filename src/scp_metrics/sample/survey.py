"""Place Survey 2008: Southampton respondent-level answers with weights.

Answers are assigned by cumulative weight along a latent "concern" score, so the weighted
shares land on the plan's figures (NI 21 = 23% with 25% don't know, NI 41 = 45%) for any seed
while strands stay correlated (which is what makes NI 17 meaningful).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .geography import WARDS
from .seeds import rng_for
from .writers import csv_bytes, write_bytes

__all__ = ["ASB_COLUMNS", "COLUMNS", "RESPONDENTS", "ni_scores", "respondents", "write_respondents"]

RESPONDENTS = 1_104
NI21_ANSWERS = ["Strongly agree", "Tend to agree", "Neither agree nor disagree",
                "Tend to disagree", "Strongly disagree"]  # fmt: skip
ASB_ANSWERS = ["A very big problem", "A fairly big problem", "Not a very big problem",
               "Not a problem at all"]  # fmt: skip
DONT_KNOW = "Don't know"
# Strand: (don't-know share of all, shares of the four answers among the rest).
ASB_STRANDS: dict[str, tuple[float, list[float]]] = {
    "Q_ASB_NOISY_NEIGHBOURS": (0.06, [0.07, 0.13, 0.40, 0.40]),
    "Q_ASB_TEENAGERS": (0.08, [0.15, 0.26, 0.37, 0.22]),
    "Q_ASB_RUBBISH": (0.04, [0.13, 0.27, 0.39, 0.21]),
    "Q_ASB_VANDALISM": (0.06, [0.11, 0.23, 0.43, 0.23]),
    "Q_ASB_DRUGS": (0.18, [0.17, 0.24, 0.34, 0.25]),
    "Q_ASB_DRUNK_ROWDY": (0.08, [0.19, 0.26, 0.33, 0.22]),  # NI 41: 45% of those answering
    "Q_ASB_ABANDONED_CARS": (0.06, [0.03, 0.07, 0.32, 0.58]),
}
ASB_COLUMNS = list(ASB_STRANDS)
NI21_SHARES = (0.25, [0.04 / 0.75, 0.19 / 0.75, 0.27 / 0.75, 0.15 / 0.75, 0.10 / 0.75])
COLUMNS = ["Respondent ID", "Ward Name", "Weight", "Q_NI21", *ASB_COLUMNS, "Fieldwork Date"]
_CORRELATION = 0.75
_FIELDWORK = (date(2008, 9, 29), 75)  # first day, length in days


def _assign(
    weights: np.ndarray, order: np.ndarray, shares: list[float], labels: list[str]
) -> np.ndarray:
    """Label respondents taken in ``order`` by where the midpoint of their weight falls."""
    out = np.empty(weights.size, dtype=object)
    cum = np.cumsum(weights[order]) - weights[order] / 2
    bounds = np.cumsum(shares)[:-1] * weights[order].sum()
    out[order] = np.array(labels, dtype=object)[np.searchsorted(bounds, cum)]
    return out


def _answer(
    rng: np.random.Generator,
    weights: np.ndarray,
    score: np.ndarray,
    dont_know: float,
    shares: list[float],
    labels: list[str],
) -> np.ndarray:
    """Don't know at random (by weight), the rest by descending ``score`` into ``labels``."""
    out = _assign(weights, rng.permutation(weights.size), [dont_know, 1 - dont_know],
                  [DONT_KNOW, "answer"])  # fmt: skip
    rest = np.flatnonzero(out == "answer")
    order = rest[np.argsort(-score[rest], kind="stable")]
    sub = _assign(weights[order], np.arange(order.size), shares, labels)
    out[order] = sub
    return out


def _mix(concern: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A strand's score: the shared concern plus the strand's own noise."""
    return _CORRELATION * concern + np.sqrt(1 - _CORRELATION**2) * rng.normal(size=concern.size)


@lru_cache(maxsize=4)
def respondents(seed: int) -> pd.DataFrame:
    """The respondent-level file as written (``Weight`` rounded to 4 dp, used for answers)."""
    rng = rng_for(seed, "place-survey")
    n = RESPONDENTS
    raw = rng.gamma(6.25, 0.16, size=n)
    weights = np.round(raw / raw.mean(), 4)
    concern = rng.normal(size=n)
    frame = pd.DataFrame({"Respondent ID": [f"PS08{100001 + i}" for i in range(n)]})
    frame["Ward Name"] = rng.choice([w.name for w in WARDS], size=n)
    frame["Weight"] = [f"{w:.4f}" for w in weights]
    ni21_score = -_mix(concern, rng)
    frame["Q_NI21"] = _answer(
        rng, weights, ni21_score, NI21_SHARES[0], NI21_SHARES[1], NI21_ANSWERS
    )
    for column, (dk, shares) in ASB_STRANDS.items():
        frame[column] = _answer(rng, weights, _mix(concern, rng), dk, shares, ASB_ANSWERS)
    first, days = _FIELDWORK
    offsets = np.minimum(rng.exponential(18, size=n), days - 1).astype(int)
    fieldwork = sorted(first + timedelta(days=int(d)) for d in offsets)
    frame["Fieldwork Date"] = [d.strftime("%d/%m/%Y") for d in fieldwork]
    return frame[COLUMNS]


def ni_scores(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Weighted NI 17/21/41 (%) with Kish effective base and unweighted base."""
    w = frame["Weight"].astype(float).to_numpy()
    points = {"A very big problem": 3, "A fairly big problem": 2, "Not a very big problem": 1}
    total = sum(frame[c].map(points).fillna(0).to_numpy() for c in ASB_COLUMNS)
    drunk = frame["Q_ASB_DRUNK_ROWDY"].to_numpy()
    answered = drunk != DONT_KNOW
    cases = {
        "NI 17": (total >= 11, np.ones(w.size, dtype=bool)),
        "NI 21": (frame["Q_NI21"].isin(NI21_ANSWERS[:2]).to_numpy(), np.ones(w.size, dtype=bool)),
        "NI 41": (np.isin(drunk, ASB_ANSWERS[:2]), answered),
    }
    out = {}
    for name, (hit, base) in cases.items():
        wb = w[base]
        p = float((wb * hit[base]).sum() / wb.sum())
        n_eff = float(wb.sum() ** 2 / (wb**2).sum())
        half = 1.96 * np.sqrt(p * (1 - p) / n_eff)
        out[name] = {"pct": 100 * p, "ci95_half_width": 100 * half, "base": int(base.sum())}
    return out


def write_respondents(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None = None
) -> Path:
    """Write ``place_survey/place_survey_2008_southampton_respondents.csv``."""
    if progress:
        progress("place_survey respondents")
    path = out_dir / "place_survey" / "place_survey_2008_southampton_respondents.csv"
    return write_bytes(path, csv_bytes(respondents(seed)))
