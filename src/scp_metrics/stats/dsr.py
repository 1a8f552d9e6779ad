"""Directly standardised rates (DSR) with Dobson confidence intervals.

A directly standardised rate is the rate an area would have if its age-specific rates applied
to a standard population (the European Standard Population, ESP), so that areas with different
age structures can be compared. NI 39 (alcohol-harm related hospital admissions) is a DSR per
100,000 on the 1976 ESP; Fingertips moved to the 2013 ESP in 2014.

For standardisation categories i (age bands) with observed events xᵢ, local population nᵢ and
standard population wᵢ::

    DSR    = m · Σ (xᵢ wᵢ / nᵢ) / Σ wᵢ
    var    = Σ (xᵢ (wᵢ / nᵢ)²) / (Σ wᵢ)²
    limits = DSR + m · √(var / X) · (B(X) − X),   X = Σ xᵢ

where m is the multiplier (100,000) and B(X) is Byars' lower or upper limit for the total count
X (:func:`scp_metrics.stats.intervals.byars_ci`): Dobson's method scales the interval of the
total count by the ratio of the DSR's standard error to the count's. A missing count is
treated as zero; a DSR of fewer than 10 events in total is not reported (value and limits NaN,
statistic ``"dsr NA for total count < 10"``), exactly as PHEindicatormethods does.

Two DSRs on the same standard (this year and the same period a year earlier) are compared by
their ratio R = DSR₁ / DSR₀ (:func:`compare_dsrs`): by the delta method ("statistical
differentials") var(ln DSR) ≈ var(DSR) / DSR², the two years are independent, so

    z = ln R / √(var₁ / DSR₁² + var₀ / DSR₀²)

with the variance above from each year's age-band counts (:func:`dsr_variance`), two-sided p
from the standard normal. The multiplier and the total of the standard cancel in var / DSR²,
so normalised and raw weights give the same z. With one band this is the usual Wald test of the
log ratio of two crude rates, z = ln R / √(1/x₁ + 1/x₀). A normal approximation: fine for the
hundreds or thousands of admissions a year NI 39 counts, not for a DSR near the 10 events below
which none is reported.

When one person can contribute several events (repeat admissions), the events are not
independent and Poisson limits are too narrow. :func:`dsr_nonindependent` takes the number of
people by event frequency f and uses var = Σ_f f² · var_f, var_f the variance above computed
from the people with frequency f (PHEindicatormethods ``calculate_dsr(independent_events =
FALSE)``; Fingertips technical guidance, DSR chapter).

References
----------
.. [1] Dobson A.J., Kuulasmaa K., Eberle E., Scherer J. (1991). Confidence intervals for
   weighted sums of Poisson parameters. *Statistics in Medicine* 10(3): 457-462.
.. [2] Breslow N.E., Day N.E. (1987). *Statistical Methods in Cancer Research, Volume II*. IARC
   Scientific Publications No. 82, Lyon (Byars' approximation, p. 69).
.. [3] Office for Health Improvement and Disparities / UKHSA. *PHEindicatormethods*, R package
   v2.1.0: ``phe_dsr``, ``calculate_dsr`` (``R/phe_DSR.R``, ``R/DSR.R``).
   https://github.com/ukhsa-collaboration/PHEindicatormethods
.. [4] Eurostat (2013). *Revision of the European Standard Population: report of Eurostat's
   task force*. Luxembourg: Publications Office of the European Union (the 2013 ESP).
.. [5] Waterhouse J., Muir C., Correa P., Powell J. (eds) (1976). *Cancer Incidence in Five
   Continents, Volume III*. IARC Scientific Publications No. 15, Lyon (the 1976 ESP).
.. [6] Eayres D. (2008). *Technical Briefing 3: Commonly used public health statistics and
   their confidence intervals*. Association of Public Health Observatories (APHO), York
   (the variance of a DSR behind Dobson's method).
.. [7] SAS Institute. *SAS/STAT User's Guide*, The STDRATE Procedure: "Direct
   Standardization" (variance of a DSR and of its logarithm by statistical differentials,
   after Elandt-Johnson and Johnson 1980, pp. 70-71) and "Table Output", Effect Estimates
   with EFFECT=RATIO (rate ratio, log ratio, its standard error, Z and Pr > |Z|).
   https://support.sas.com/documentation/cdl/en/statug/68162/HTML/default/statug_stdrate_details14.htm
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from scp_metrics.stats.intervals import byars_ci

__all__ = [
    "DSR_MIN_COUNT",
    "DsrComparison",
    "DsrResult",
    "band_totals",
    "compare_dsrs",
    "dsr",
    "dsr_nonindependent",
    "dsr_table",
    "dsr_variance",
]

#: A DSR of fewer events than this is not reported (PHEindicatormethods: "DSRs are not
#: reliable" below 10).
DSR_MIN_COUNT = 10

_METHOD = "Dobson"
_METHOD_NONINDEPENDENT = "Dobson, with confidence adjusted for non-independent events"


@dataclass(frozen=True)
class DsrResult:
    """One directly standardised rate with its limits.

    ``value``, ``lower`` and ``upper`` are per ``multiplier`` of the standard population and NaN
    when ``total_count`` is below :data:`DSR_MIN_COUNT`; ``statistic`` then says so.
    """

    total_count: float
    total_pop: float
    value: float
    lower: float
    upper: float
    confidence: float
    multiplier: float
    statistic: str
    method: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _vector(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per standardisation band)")
    return arr


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_bands(populations: Any, standard: Any, n_bands: int) -> tuple[np.ndarray, np.ndarray]:
    n = _vector(populations, "populations")
    w = _vector(standard, "standard")
    for arr, name in ((n, "populations"), (w, "standard")):
        if arr.size != n_bands:
            raise ValueError(f"{name} has {arr.size} bands but the counts have {n_bands}")
        if np.isnan(arr).any():
            raise ValueError(f"{name}[{_first(np.isnan(arr))}] is missing: every band needs a value")
    if (n <= 0).any():
        raise ValueError(f"populations[{_first(n <= 0)}] must be greater than zero")
    if (w < 0).any():
        raise ValueError(f"standard[{_first(w < 0)}] must be greater than or equal to zero")
    if w.sum() <= 0:
        raise ValueError("standard must have a positive total")
    return n, w


def _check_counts(counts: Any, name: str) -> np.ndarray:
    x = _vector(counts, name)
    if (x < 0).any():  # NaN compares False: a missing count is allowed and counts as zero
        raise ValueError(f"{name}[{_first(x < 0)}] must be greater than or equal to zero")
    return np.nan_to_num(x, nan=0.0)


def _check_options(multiplier: float, conf: float) -> tuple[float, float]:
    m = float(multiplier)
    c = float(conf)
    if not m > 0:
        raise ValueError(f"multiplier must be greater than zero; got {multiplier!r}")
    if not 0.0 < c < 1.0:
        raise ValueError(f"conf must be in the open interval (0, 1); got {conf!r}")
    return m, c


def _variance(x: np.ndarray, n: np.ndarray, w: np.ndarray) -> float:
    """Σ xᵢ (wᵢ/nᵢ)² / (Σ wᵢ)²: the variance of the DSR (per unit, before the multiplier)."""
    ratio = w / n
    return float(np.sum(x * ratio * ratio) / (w.sum() ** 2))


def _number(value: float) -> str:
    """100000.0 -> '100000' (R's ``format(multiplier, scientific = FALSE)``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _dobson(x: np.ndarray, n: np.ndarray, w: np.ndarray, variance: float, *, multiplier: float,
            conf: float, method: str) -> DsrResult:
    total = float(x.sum())
    total_pop = float(n.sum())
    if total < DSR_MIN_COUNT:
        return DsrResult(total, total_pop, np.nan, np.nan, np.nan, conf, multiplier,
                         f"dsr NA for total count < {DSR_MIN_COUNT}", method)
    value = float(np.sum(x * w / n) / w.sum() * multiplier)
    byars_lower, byars_upper = byars_ci(total, conf)
    scale = np.sqrt(variance / total) * multiplier
    lower = value + scale * (byars_lower - total)
    upper = value + scale * (byars_upper - total)
    return DsrResult(total, total_pop, value, float(lower), float(upper), conf, multiplier,
                     f"dsr per {_number(multiplier)}", method)


def dsr_variance(counts: Any, populations: Any, standard: Any, *,
                 multiplier: float = 100_000) -> float:
    """The variance of :func:`dsr`'s value, in its unit squared (per ``multiplier``):
    ``multiplier² · Σ xᵢ (wᵢ / nᵢ)² / (Σ wᵢ)²``. Inputs and checks as :func:`dsr`.

    Examples
    --------
    >>> round(dsr_variance([10, 20], [1000, 2000], [50, 50]), 6)  # 1e10 * (10/400 + 20/1600) / 1e4
    37500.0
    """
    m, _ = _check_options(multiplier, 0.95)
    x = _check_counts(counts, "counts")
    n, w = _check_bands(populations, standard, x.size)
    return m * m * _variance(x, n, w)


@dataclass(frozen=True)
class DsrComparison:
    """:func:`compare_dsrs`' result: the ratio of the two DSRs, the standard error of its
    logarithm, z, the two-sided p-value, and the verdict (``"significant rise"``,
    ``"significant fall"`` or ``"no significant change"``)."""

    ratio: float
    log_se: float
    z: float
    p_value: float
    label: str


def compare_dsrs(value: float, variance: float, previous_value: float, previous_variance: float,
                 *, conf: float = 0.95) -> DsrComparison:
    """Test the change between two directly standardised rates on the same standard.

    Parameters
    ----------
    value, variance : float
        The later DSR and its variance (:func:`dsr_variance`, same unit squared).
    previous_value, previous_variance : float
        The earlier DSR and its variance.
    conf : float, default 0.95
        Significant when the two-sided p-value is below 1 − conf.

    Returns
    -------
    DsrComparison

    Raises
    ------
    ValueError
        If a DSR is not positive, a variance is negative or missing, or ``conf`` is outside
        (0, 1).

    Notes
    -----
    z = ln(value / previous_value) / √(variance / value² + previous_variance /
    previous_value²): the ratio of the two DSRs with the delta-method variance of its logarithm
    (module docstring; SAS STDRATE's rate ratio of directly standardised rates).

    Examples
    --------
    >>> r = compare_dsrs(200.0, 100.0, 100.0, 25.0)  # ln 2 / sqrt(100/200² + 25/100²)
    >>> round(r.z, 4), r.label
    (9.8026, 'significant rise')
    """
    _, c = _check_options(1.0, conf)
    for name, v in (("value", value), ("previous_value", previous_value)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a positive DSR; got {v!r}")
    for name, v in (("variance", variance), ("previous_variance", previous_variance)):
        if not (math.isfinite(v) and v >= 0):
            raise ValueError(f"{name} must be zero or more; got {v!r}")
    log_ratio = math.log(value / previous_value)
    log_se = math.sqrt(variance / value ** 2 + previous_variance / previous_value ** 2)
    z = math.copysign(math.inf, log_ratio) if log_ratio else 0.0  # no variance: certain
    if log_se > 0:
        z = log_ratio / log_se
    p = float(2.0 * norm.sf(abs(z)))
    label = "no significant change"
    if p < 1.0 - c:
        label = "significant rise" if log_ratio > 0 else "significant fall"
    return DsrComparison(value / previous_value, log_se, z, p, label)


def dsr(counts: Any, populations: Any, standard: Any, *, multiplier: float = 100_000,
        conf: float = 0.95) -> DsrResult:
    """Directly standardised rate with Dobson limits, as PHEindicatormethods ``calculate_dsr``.

    Parameters
    ----------
    counts : array_like
        Observed events per standardisation band (e.g. 5-year age band), ≥ 0. A missing count
        (NaN) counts as zero, as in PHEindicatormethods.
    populations : array_like
        The area's population in the same bands, in the same order, > 0, none missing.
    standard : array_like
        The standard population in the same bands, ≥ 0, none missing (e.g.
        ``config/standard_populations.csv``: ``esp1976``, ``esp2013``).
    multiplier : float, default 100000
        Rate per this many of the standard population.
    conf : float, default 0.95
        Confidence level in (0, 1); Fingertips uses 0.95 and 0.998.

    Returns
    -------
    DsrResult
        Total count and population, the DSR and its limits (NaN below 10 events in total),
        the confidence level, multiplier, ``statistic`` (``"dsr per 100000"`` or
        ``"dsr NA for total count < 10"``) and ``method`` (``"Dobson"``).

    Raises
    ------
    ValueError
        If the three inputs differ in length, a count is negative, a population is missing or
        ≤ 0, a standard population is missing or negative, or ``conf`` / ``multiplier`` is out
        of range. The message names the argument and the band's position.

    Notes
    -----
    Bands are matched by position: the caller orders counts, populations and standard
    population by the same bands (:func:`band_totals` builds the populations from single
    years of age).

    References
    ----------
    .. [1] Dobson A.J. et al. (1991). Confidence intervals for weighted sums of Poisson
       parameters. *Statistics in Medicine* 10: 457-462.
    .. [2] PHEindicatormethods v2.1.0, ``phe_dsr`` / ``calculate_dsr``.

    Examples
    --------
    >>> r = dsr([10, 20], [1000, 2000], [50, 50])
    >>> round(r.value, 6), r.total_count
    (1000.0, 30.0)
    """
    m, c = _check_options(multiplier, conf)
    x = _check_counts(counts, "counts")
    n, w = _check_bands(populations, standard, x.size)
    return _dobson(x, n, w, _variance(x, n, w), multiplier=m, conf=c, method=_METHOD)


def dsr_nonindependent(persons: Any, frequencies: Any, populations: Any, standard: Any, *,
                       multiplier: float = 100_000, conf: float = 0.95) -> DsrResult:
    """DSR of events that one person can have several times (e.g. repeat admissions).

    Parameters
    ----------
    persons : array_like, shape (n_frequencies, n_bands)
        ``persons[k, i]``: the number of people in band i with exactly ``frequencies[k]``
        events. Missing values count as zero.
    frequencies : array_like, shape (n_frequencies,)
        Event frequencies (1, 2, 3, …), each ≥ 1 and distinct.
    populations, standard, multiplier, conf
        As :func:`dsr`.

    Returns
    -------
    DsrResult
        The DSR of all events (Σ_k fₖ · persons[k, i] per band), equal to :func:`dsr` on those
        events, with limits from the variance Σ_k fₖ² · var(persons[k]); wider than the
        independent-events limits whenever some people have more than one event. ``method``
        says the confidence was adjusted.

    Raises
    ------
    ValueError
        On the conditions of :func:`dsr`, and when ``persons`` does not have one row per
        frequency or a frequency is missing, below 1 or repeated.

    References
    ----------
    .. [1] PHEindicatormethods v2.1.0, ``calculate_dsr(independent_events = FALSE)``
       (``R/DSR.R``).
    .. [2] Office for Health Improvement and Disparities. *Public Health Technical Guidance*,
       chapter on directly standardised rates (confidence intervals for non-independent
       events). https://fingertips.phe.org.uk/static-reports/public-health-technical-guidance/
    """
    m, c = _check_options(multiplier, conf)
    f = _vector(frequencies, "frequencies")
    if np.isnan(f).any() or (f < 1).any() or np.unique(f).size != f.size:
        raise ValueError("frequencies must be distinct event counts of 1 or more, none missing")
    try:
        p = np.asarray(persons, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("persons must be numeric") from exc
    if p.ndim != 2 or p.shape[0] != f.size:
        raise ValueError(f"persons must have one row per frequency ({f.size}) and one column "
                         f"per band; got shape {p.shape}")
    if (p < 0).any():
        k, i = np.argwhere(p < 0)[0]
        raise ValueError(f"persons[{k}, {i}] must be greater than or equal to zero")
    p = np.nan_to_num(p, nan=0.0)
    n, w = _check_bands(populations, standard, p.shape[1])
    events = (f[:, None] * p).sum(axis=0)
    variance = float(sum(fk * fk * _variance(pk, n, w) for fk, pk in zip(f, p, strict=True)))
    return _dobson(events, n, w, variance, multiplier=m, conf=c, method=_METHOD_NONINDEPENDENT)


def dsr_table(frame: pd.DataFrame, by: Sequence[str], *, count: str = "count",
              population: str = "population", standard: str = "standard_population",
              multiplier: float = 100_000, conf: float = 0.95) -> pd.DataFrame:
    """One DSR per group of a long table (one row per group and band).

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``by`` + ``count``, ``population``, ``standard``; within a group, one row per
        band (their order does not matter: every row carries its own standard population).
    by : sequence of str
        Grouping columns (e.g. ``["area_code", "period"]``).
    count, population, standard : str
        Column names.
    multiplier, conf
        As :func:`dsr`.

    Returns
    -------
    pandas.DataFrame
        ``by`` + ``total_count, total_pop, value, lower, upper, confidence, multiplier,
        statistic, method``, one row per group, sorted by ``by``.

    Raises
    ------
    ValueError
        As :func:`dsr`, with the group named; or when a column is absent.
    """
    keys = list(by)
    missing = [c for c in (*keys, count, population, standard) if c not in frame.columns]
    if missing:
        raise ValueError(f"dsr_table: column(s) {', '.join(missing)} not in the frame")
    columns = [*keys, *DsrResult.__dataclass_fields__]
    rows = []
    for key, group in frame.groupby(keys, sort=True, dropna=False):
        try:
            result = dsr(group[count].to_numpy(dtype=float), group[population].to_numpy(dtype=float),
                         group[standard].to_numpy(dtype=float), multiplier=multiplier, conf=conf)
        except ValueError as exc:
            raise ValueError(f"group {dict(zip(keys, key, strict=True))}: {exc}") from exc
        rows.append([*key, *result.as_dict().values()])
    return pd.DataFrame(rows, columns=columns)


def band_totals(values_by_age: pd.Series, bands: Sequence[tuple[int, int | None]]) -> np.ndarray:
    """Sum single-year-of-age values (e.g. an ONS ``MYE2`` row) into standard-population bands.

    Parameters
    ----------
    values_by_age : pandas.Series
        Values indexed by integer age (0, 1, …); the last age may stand for "and over" (ONS
        ``90+`` read as 90).
    bands : sequence of (age_from, age_to)
        Inclusive bands; ``age_to`` None is open-ended ("85 and over").

    Returns
    -------
    numpy.ndarray
        One total per band, in the order of ``bands``.

    Raises
    ------
    ValueError
        When a band holds no age at all, or an age lies in no band (the bands must cover
        every age given, so no one is dropped silently).

    Examples
    --------
    >>> s = pd.Series([1.0, 2.0, 3.0, 4.0], index=[0, 1, 2, 3])
    >>> band_totals(s, [(0, 1), (2, None)]).tolist()
    [3.0, 7.0]
    """
    ages = np.asarray(values_by_age.index, dtype=int)
    values = values_by_age.to_numpy(dtype=float)
    covered = np.zeros(ages.size, dtype=bool)
    totals = []
    for lo, hi in bands:
        inside = (ages >= lo) & (ages <= hi if hi is not None else True)
        if not inside.any():
            raise ValueError(f"band {lo}-{'' if hi is None else hi} holds no age of the values given")
        covered |= inside
        totals.append(float(values[inside].sum()))
    if not covered.all():
        raise ValueError(f"age {int(ages[~covered][0])} lies in no band")
    return np.asarray(totals)
