"""The partner returns' figures (``mart_kpi_values``): one value per KPI, quarter and agency, with
its interval and how it was obtained.

Pure: the loaded rows of ``raw_partner_returns`` in, one row per (KPI, quarter, agency) out. The
rule for each figure, in order:

1. the return gives a value **and** a published interval: both carried through as given, the
   interval labelled ``published by <agency> (as given)``;
2. the return gives NI 39 by age band (``age_band`` rows: the band's events as numerator, its
   population as denominator): the directly standardised rate per 100,000 on the standard named
   (``esp1976`` unless the rows say ``esp2013``) with Dobson limits (:func:`scp_metrics.stats.dsr.dsr`);
   every band of the standard must be there, else no value and the note says which are missing;
3. numerator and denominator, for a KPI whose unit has an interval: the rate per the unit's
   multiplier with Byars / exact Poisson limits (:func:`scp_metrics.stats.intervals.rate_ci`), or
   the percentage with Wilson limits (:func:`scp_metrics.stats.proportions.wilson_ci`); a count
   KPI (NI 40) from its numerator with Poisson limits;
4. numerator and denominator for a ratio KPI (re-offences per offender, actual / predicted):
   their ratio, no interval;
5. otherwise the value as given, no interval.

A value the return states beside a figure computed from its counts is kept as
``returned_value`` so the two can be compared. A DSR computed from age bands also carries its
variance (:data:`DSR_VARIANCE`, :func:`scp_metrics.stats.dsr.dsr_variance`) for the change test
of :mod:`scp_metrics.indicators.kpi_statistics`, which drops the column: it is not published.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from scp_metrics.config.kpis import CONTRACT_UNITS, KpiRegister, Unit
from scp_metrics.config.standard_populations import StandardPopulation
from scp_metrics.periods import Quarter
from scp_metrics.stats.dsr import dsr, dsr_variance
from scp_metrics.stats.intervals import optional_float as _num
from scp_metrics.stats.intervals import rate_ci
from scp_metrics.stats.proportions import wilson_ci

__all__ = ["DEFAULT_STANDARD", "DSR_VARIANCE", "VALUE_COLUMNS", "CONTRACT_UNITS", "return_values"]

DEFAULT_STANDARD = "esp1976"


VALUE_COLUMNS = ["kpi_id", "period_label", "period_start", "period_end", "agency", "numerator",
                 "denominator", "value", "ci95_lower", "ci95_upper", "ci_method", "unit",
                 "kpi_unit", "returned_value", "age_bands", "standard", "note"]
#: The variance of a DSR computed from age bands (its unit squared); in return_values' frame,
#: not in the mart.
DSR_VARIANCE = "dsr_variance"



def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _dsr_figure(bands: pd.DataFrame, standards: Mapping[str, StandardPopulation],
                multiplier: int) -> dict[str, Any]:
    names = {s for s in (_text(v) for v in bands["standard"]) if s}
    name = names.pop() if len(names) == 1 else DEFAULT_STANDARD
    out: dict[str, Any] = {"standard": name, "age_bands": len(bands)}
    if len(names) > 0:
        return {**out, "note": "age bands name more than one standard population: no DSR"}
    standard = standards.get(name)
    if standard is None:
        return {**out, "note": f"standard population {name} is not in "
                               "config/standard_populations.csv: no DSR"}
    given = {str(b).strip(): (_num(n), _num(d)) for b, n, d in
             zip(bands["age_band"], bands["numerator"], bands["denominator"], strict=True)}
    unknown = sorted(set(given) - set(standard.age_bands))
    missing = [b for b in standard.age_bands if b not in given]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"band(s) {', '.join(unknown)} are not {name}'s")
        if missing:
            parts.append(f"band(s) {', '.join(missing)} of {name} are missing")
        return {**out, "note": "; ".join(parts) + ": no DSR"}
    counts = np.array([given[b][0] for b in standard.age_bands], dtype=float)
    pops = np.array([given[b][1] for b in standard.age_bands], dtype=float)
    weights = np.array(standard.population, dtype=float)
    result = dsr(counts, pops, weights, multiplier=multiplier)
    note = None if not math.isnan(result.value) else \
        f"fewer than 10 events in all ({result.total_count:g}): a DSR is not reported"
    variance = None if note else dsr_variance(counts, pops, weights, multiplier=multiplier)
    return {**out, "numerator": result.total_count, "denominator": result.total_pop,
            "value": result.value, "ci95_lower": result.lower, "ci95_upper": result.upper,
            "ci_method": f"Dobson ({name}, {len(standard.age_bands)} age bands)", "note": note,
            DSR_VARIANCE: variance}


def _counts_figure(unit: Unit, numerator: float | None,
                   denominator: float | None) -> dict[str, Any] | None:
    """Value and interval from the counts, or None when the counts cannot give one."""
    if unit.interval == "poisson" and numerator is not None:
        value, lower, upper, method = rate_ci(numerator, 1.0, multiplier=1)
        return {"value": value, "ci95_lower": lower, "ci95_upper": upper,
                "ci_method": f"{method} (Poisson)"}
    if numerator is None or denominator is None:
        return None
    if unit.interval == "rate_ci":
        value, lower, upper, method = rate_ci(numerator, denominator,
                                              multiplier=unit.multiplier)
        return {"value": value, "ci95_lower": lower, "ci95_upper": upper, "ci_method": method}
    if unit.interval == "wilson_ci":
        if numerator > denominator:
            return {"note": "numerator above denominator: not a percentage"}
        lower, upper = wilson_ci(numerator, denominator)
        return {"value": 100.0 * numerator / denominator, "ci95_lower": 100.0 * lower,
                "ci95_upper": 100.0 * upper, "ci_method": "Wilson"}
    if unit.measure == "ratio":
        return {"value": unit.multiplier * numerator / denominator, "ci_method": None}
    return None


def _figure(group: pd.DataFrame, unit: Unit, agency: str,
            standards: Mapping[str, StandardPopulation]) -> dict[str, Any]:
    banded = group[group["age_band"].map(_text).notna()]
    plain = group[group["age_band"].map(_text).isna()]
    first = plain.iloc[0] if not plain.empty else None
    returned = _num(first["value"]) if first is not None else None
    lower = _num(first["published_lower"]) if first is not None else None
    upper = _num(first["published_upper"]) if first is not None else None
    notes = [n for n in (_text(v) for v in group["note"]) if n]
    base: dict[str, Any] = {"returned_value": returned, "age_bands": None, "standard": None,
                            "numerator": None, "denominator": None, "value": None,
                            "ci95_lower": None, "ci95_upper": None, "ci_method": None,
                            DSR_VARIANCE: None}
    fig: dict[str, Any]
    if returned is not None and lower is not None and upper is not None:
        fig = {"value": returned, "ci95_lower": lower, "ci95_upper": upper,
               "ci_method": f"published by {agency} (as given)"}
        if first is not None:
            fig.update(numerator=_num(first["numerator"]), denominator=_num(first["denominator"]))
    elif not banded.empty and unit.interval == "dsr":
        fig = _dsr_figure(banded, standards, unit.multiplier)
    else:
        numerator = _num(first["numerator"]) if first is not None else None
        denominator = _num(first["denominator"]) if first is not None else None
        fig = _counts_figure(unit, numerator, denominator) or {}
        fig.update(numerator=numerator, denominator=denominator)
        if fig.get("value") is None and returned is not None:
            fig.update(value=returned, ci_method=None)
        if not banded.empty:
            notes.append("age bands given for a KPI that is not a DSR: ignored")
    note = fig.pop("note", None)
    if note:
        notes.append(note)
    if fig.get("value") is None and returned is None and not note:
        notes.append("no value: the return gives neither a value nor the counts the KPI needs")
    return {**base, **fig, "note": "; ".join(notes) or None}


def return_values(rows: pd.DataFrame, register: KpiRegister,
                  standards: Mapping[str, StandardPopulation]) -> pd.DataFrame:
    """One figure per (KPI, quarter, agency) of the loaded partner returns, and the variance of
    each DSR computed from age bands (:data:`DSR_VARIANCE`).

    Parameters
    ----------
    rows : pandas.DataFrame
        ``raw_partner_returns``' columns (``indicator``, ``period_start``, ``agency``,
        ``numerator``, ``denominator``, ``value``, ``published_lower``, ``published_upper``,
        ``age_band``, ``standard``, ``note``).
    register : KpiRegister
        ``config/kpi_register.toml``; rows of an indicator not in it are left out.
    standards : mapping
        ``config/standard_populations.csv`` by name.

    Returns
    -------
    pandas.DataFrame
        :data:`VALUE_COLUMNS` and :data:`DSR_VARIANCE`, sorted by KPI (register order), period
        and agency.
    """
    order = {k: i for i, k in enumerate(register.ids)}
    out = []
    if not rows.empty:
        frame = rows.assign(indicator=rows["indicator"].str.strip(),
                            agency=rows["agency"].str.strip())
        frame = frame[frame["indicator"].isin(order)]
        for (kpi_id, start, agency), group in frame.groupby(
                ["indicator", "period_start", "agency"], sort=False):
            kpi = register.get(str(kpi_id))
            quarter = Quarter.containing(pd.Timestamp(start).date())
            fig = _figure(group, kpi.unit_spec, str(agency), standards)
            out.append({"kpi_id": kpi_id, "period_label": quarter.label,
                        "period_start": quarter.start, "period_end": quarter.end,
                        "agency": agency, "unit": CONTRACT_UNITS[kpi.unit],
                        "kpi_unit": kpi.unit_spec.label, **fig})
    result = pd.DataFrame(out, columns=[*VALUE_COLUMNS, DSR_VARIANCE])
    if result.empty:
        return result
    result["_order"] = result["kpi_id"].map(order)
    result = result.sort_values(["_order", "period_start", "agency"], kind="stable")
    return result.drop(columns="_order").reset_index(drop=True)
