"""Place Survey indicators (NI 17, NI 21, NI 41) as ``mart_indicator_values`` rows.

The Place Survey (autumn 2008, postal, biennial by design, then discontinued) is not counted in
SQL: its percentages are **weighted**, and their intervals use the Kish effective sample size.
Two sources:

* the home area's respondent-level answers (``raw_place_survey``): the weighted percentage with
  a Wilson interval on the Kish effective sample size
  (:func:`scp_metrics.stats.intervals.weighted_proportion_ci`), ``ci_method`` "Wilson (Kish n_eff)",
  ``source`` "respondent level";
* the published headline table for every council (``raw_place_survey_headline``): the published
  percentage ± its published 95% half-width, ``source`` "published headline".

An area with respondent-level answers gets only the respondent-level row (no duplicate from the
headline table). Each row has ``period_type`` "survey" and the configured fieldwork window
(``fieldwork_start`` … ``fieldwork_end``) as its period, the same for every area, so areas line
up. ``numerator`` / ``denominator`` are the *unweighted* respondents counted and in the base
(the headline table publishes only the base, so its numerator is null); ``value`` is weighted.

Scoring and the don't-know choice are configuration (``config/indicators.toml``, keys
``survey_columns``, ``hit_answers``, ``scores``, ``high_threshold``, ``dont_know``), recorded in
``docs/assumptions.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scp_metrics.config.survey import DONT_KNOW_CHOICES, SurveySpec
from scp_metrics.indicators.values import MART_COLUMNS
from scp_metrics.stats.proportions import weighted_proportion_ci

__all__ = [
    "DONT_KNOW",
    "DONT_KNOW_CHOICES",
    "SurveySpec",
    "headline_values",
    "survey_values",
    "respondent_flags",
    "respondent_values",
]

DONT_KNOW = "Don't know"
PERIOD_TYPE = "survey"
RESPONDENT_SOURCE = "respondent level"
HEADLINE_SOURCE = "published headline"
RESPONDENT_CI_METHOD = "Wilson (Kish n_eff)"
HEADLINE_CI_METHOD = "published (± half-width)"


def respondent_flags(frame: pd.DataFrame, spec: SurveySpec) -> tuple[np.ndarray, np.ndarray]:
    """Per respondent: counted (hit) and in the base, as boolean arrays.

    A blank answer is treated as "Don't know". With ``dont_know = "include_in_base"`` every
    respondent is in the base (for a scored indicator a don't-know strand scores 0); with
    ``"exclude"`` a respondent who answered don't know (on any strand of a scored indicator)
    leaves the base.
    """
    answers = frame[list(spec.columns)].astype(object).where(frame[list(spec.columns)].notna(),
                                                             DONT_KNOW)
    unknown = answers.eq(DONT_KNOW).any(axis=1).to_numpy()
    if spec.scores:
        points = dict(spec.scores)
        total = answers.apply(lambda col: col.map(points)).fillna(0).sum(axis=1).to_numpy()
        assert spec.high_threshold is not None
        hit = total >= spec.high_threshold
    else:
        hit = answers.iloc[:, 0].isin(spec.hit_answers).to_numpy()
    in_base = ~unknown if spec.dont_know == "exclude" else np.ones(len(frame), dtype=bool)
    return hit & in_base, in_base


def respondent_values(frame: pd.DataFrame, specs: list[SurveySpec], area_code: str) -> pd.DataFrame:
    """Weighted % with a Wilson interval on the Kish effective sample size, per indicator.

    ``frame`` has a ``weight`` column and the specs' answer columns. Returns one row per
    indicator: ``indicator_id, area_code, numerator`` (unweighted respondents counted),
    ``denominator`` (unweighted base), ``value, ci95_lower, ci95_upper`` (%), ``n_eff``.
    """
    rows = []
    weights = frame["weight"].to_numpy(dtype=float)
    for spec in specs:
        hit, base = respondent_flags(frame, spec)
        p, lo, hi, n_eff = weighted_proportion_ci(hit[base].astype(float), weights[base])
        rows.append({"indicator_id": spec.id, "area_code": area_code,
                     "numerator": int(hit.sum()), "denominator": int(base.sum()),
                     "value": 100.0 * p, "ci95_lower": 100.0 * lo, "ci95_upper": 100.0 * hi,
                     "n_eff": n_eff})
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "numerator", "denominator",
                                       "value", "ci95_lower", "ci95_upper", "n_eff"])


def headline_values(headline: pd.DataFrame, specs: list[SurveySpec]) -> pd.DataFrame:
    """Published percentage ± published half-width (clipped to 0–100) per area and indicator."""
    by_label = {s.headline_indicator: s.id for s in specs}
    frame = headline[headline["indicator"].isin(list(by_label))].copy()
    half = pd.to_numeric(frame["ci_half_width"], errors="coerce")
    pct = pd.to_numeric(frame["percentage"], errors="coerce")
    return pd.DataFrame({
        "indicator_id": frame["indicator"].map(by_label),
        "area_code": frame["authority_code"],
        "authority_name": frame["authority_name"],
        "numerator": pd.array([pd.NA] * len(frame), dtype="Int64"),
        "denominator": pd.array(pd.to_numeric(frame["unweighted_base"], errors="coerce"),
                                dtype="Int64"),
        "value": pct,
        "ci95_lower": (pct - half).clip(lower=0.0),
        "ci95_upper": (pct + half).clip(upper=100.0),
    }).reset_index(drop=True)


def compare_with_national(frame: pd.DataFrame, specs: dict[str, SurveySpec]) -> None:
    """A single survey wave has no earlier value, so its verdict compares it with the national
    figure the plan quotes, the PHE benchmark way: significant when the national value lies
    outside the area's 95% interval; ``change_p_value`` is the two-sided normal p-value of
    z = (value − national) ÷ (half-width ÷ 1.96).

    Writes ``change_p_value`` and ``change_verdict`` in place.

    References
    ----------
    Public Health England, *Technical Guide: Confidence Intervals* (2018), comparisons with a
    benchmark value.
    """
    from scipy.stats import norm

    for i, row in frame.iterrows():
        spec = specs.get(row["indicator_id"])
        national = spec.national_pct if spec else None
        lower, upper, value = row.get("ci95_lower"), row.get("ci95_upper"), row.get("value")
        if national is None or pd.isna(lower) or pd.isna(upper) or pd.isna(value):
            continue
        se = (float(upper) - float(lower)) / (2 * 1.959963984540054)
        z = (float(value) - national) / se if se > 0 else np.nan
        frame.at[i, "change_p_value"] = 2 * norm.sf(abs(z)) if z == z else np.nan
        if national < lower:
            verdict = f"significantly higher than national ({national:g}%)"
        elif national > upper:
            verdict = f"significantly lower than national ({national:g}%)"
        else:
            verdict = f"not significantly different from national ({national:g}%)"
        frame.at[i, "change_verdict"] = verdict


def survey_values(respondents: pd.DataFrame, headline: pd.DataFrame, names: pd.DataFrame,
                  specs: list[SurveySpec], home_area: str) -> pd.DataFrame:
    """Survey rows for ``mart_indicator_values`` (same columns, ``period_type`` "survey").

    Parameters
    ----------
    respondents : DataFrame
        The home area's respondent-level answers (``raw_place_survey``: ``weight`` and the
        answer columns), in file order.
    headline : DataFrame
        The published headline table for every council (``raw_place_survey_headline``).
    names : DataFrame
        ``area_code, area_name`` of the configured areas (headline names fill the others).
    specs : list of SurveySpec
        How each indicator is scored (:func:`scp_metrics.config.survey.read_survey_specs`).
    home_area : str
        The area the respondent-level answers are for.
    """
    parts = []
    if specs and not respondents.empty:
        own = respondent_values(respondents, specs, home_area).drop(columns="n_eff")
        own["source"], own["ci_method"] = RESPONDENT_SOURCE, RESPONDENT_CI_METHOD
        parts.append(own)
    if specs and not headline.empty:
        published = headline_values(headline, specs)
        if parts:  # prefer respondent level: no second row for an area that has one
            have = set(zip(parts[0]["indicator_id"], parts[0]["area_code"], strict=True))
            keep = [(i, a) not in have for i, a in zip(published["indicator_id"],
                                                        published["area_code"], strict=True)]
            published = published[keep]
        published = published.assign(source=HEADLINE_SOURCE, ci_method=HEADLINE_CI_METHOD)
        parts.append(published)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MART_COLUMNS})
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.merge(names, on="area_code", how="left")
    if "authority_name" in frame:
        frame["area_name"] = frame["area_name"].fillna(frame["authority_name"])
    by_id = {s.id: s for s in specs}
    frame["period_type"] = PERIOD_TYPE
    frame["period_start"] = frame["indicator_id"].map(lambda i: by_id[i].fieldwork_start)
    frame["period_end"] = frame["indicator_id"].map(lambda i: by_id[i].fieldwork_end)
    frame["unit"] = frame["indicator_id"].map(lambda i: by_id[i].unit)
    frame["numerator"] = pd.array(frame["numerator"], dtype="Int64")
    frame["denominator"] = pd.array(frame["denominator"], dtype="Int64")
    frame["population_year"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    for col in ("value_same_period_last_year", "change_pct", "change_p_value"):
        frame[col] = np.nan
    frame["change_verdict"] = pd.Series([None] * len(frame), dtype=object)
    compare_with_national(frame, by_id)
    for col in MART_COLUMNS:  # columns another part of the mart may add later
        if col not in frame:
            frame[col] = None
    frame = frame.sort_values(["indicator_id", "area_code"]).reset_index(drop=True)
    return frame[MART_COLUMNS]
