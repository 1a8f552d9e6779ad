"""``mart_data_quality``: reconciliation and completeness findings, one row per check result.

Columns: ``check_id, indicator_id, area_code, period_start, period_end, record_level_value,
published_value, difference_pct, severity, message``. ``severity`` is "ok" (checked, nothing
to report), "info" (a fact the reader should know) or "warning" (a finding to act on).

Checks (thresholds in ``config/data_quality.toml``, :func:`scp_metrics.config.data_quality.read_thresholds`;
the reads are ``sql/reads/data_quality/*.sql``):

``reconcile_record_level_vs_csp``
    For the home area, every quarter that both the record-level extract (``stg_police_crime``)
    and the Home Office CSP table (``stg_ho_csp_crime``) cover, all crime and every offence-code
    indicator counted from each source. ``record_level_value`` is the extract's count,
    ``published_value`` the CSP table's, ``difference_pct`` = 100 (published − record level) ÷
    record level; "warning" when ``|difference_pct|`` exceeds ``reconciliation.threshold_pct``
    (or the extract has none and the table has some). The comparison reads the staging tables:
    ``int_crime_units`` uses the extract wherever it covers a quarter, so the marts alone cannot
    show a difference. A code counts when it is valid (``config/offence_codes.csv``) on the
    crime's recorded date (extract) or on any day of the quarter (table, which has no dates).
``ed_assault_time_missing``
    ED attendances per quarter file with no assault time (they cannot be placed in the night
    window, so ``ed_assaults_night`` does not count them): ``record_level_value`` = those
    attendances, ``published_value`` = all attendances, ``difference_pct`` = their share (%);
    "info", or "warning" above ``ed_assault_time.warn_above_pct``.
``csp_name_unmapped``
    CSP-table rows whose CSP name is not in ``config/area_name_lookup.csv`` (validation refuses
    such files, so this should be one "ok" row with 0): one "warning" row per unmapped name.
``survey_headline_vs_respondent``
    Home area Place Survey indicators: the weighted % from the respondent-level answers
    (``record_level_value``) against the published headline (``published_value``); "warning"
    when they differ by more than ``survey.tolerance_points`` percentage points.
``series_not_computed``
    One "warning" per series a per-series mart could not compute (its ``series_status`` is
    ``failed``: an SPC chart, a trend, an indicator's MSG ranking, a target's tracking or
    trajectory), naming the mart, the series and why; the build went on without it. This mart
    is therefore built after those marts.
``spc_suggested_recalculation``
    One "info" row per suggested SPC recalculation point of the home area's series (a sustained
    shift in ``mart_spc`` nobody has confirmed as a break): the month it starts and what a
    person confirms in ``config/series_breaks.toml`` if its cause is understood.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from scp_metrics.config.data_quality import read_thresholds
from scp_metrics.config.survey import read_survey_specs
from scp_metrics.indicators.survey import RESPONDENT_SOURCE
from scp_metrics.periods import Quarter
from scp_metrics.settings import Settings
from scp_metrics.warehouse.queries import query, query_rows

__all__ = ["COLUMNS", "build_data_quality", "series_not_computed"]

COLUMNS = ["check_id", "indicator_id", "area_code", "period_start", "period_end",
           "record_level_value", "published_value", "difference_pct", "severity", "message"]


def _quarter_end(start: pd.Timestamp) -> pd.Timestamp:
    return start + pd.DateOffset(months=3) - pd.Timedelta(days=1)


def _signed(n: float) -> str:
    return f"{n:+,.0f}"


def reconcile_crime(con: duckdb.DuckDBPyConnection, home_area: str,
                    threshold_pct: float) -> list[dict[str, Any]]:
    """``reconcile_record_level_vs_csp`` rows (see the module docstring)."""
    quarters = [pd.Timestamp(r[0]) for r in query_rows(con, "reads/data_quality/reconciled_quarters")]
    if not quarters:
        return []
    codes = query(con, "reads/data_quality/reconcile_offence_codes")
    indicators = [r[0] for r in query_rows(con, "reads/data_quality/offence_code_indicators")]
    return reconciliation_rows(codes, quarters, indicators, home_area, threshold_pct)


def reconciliation_rows(codes: pd.DataFrame, quarters: list[pd.Timestamp], indicators: list[str],
                        home_area: str, threshold_pct: float) -> list[dict[str, Any]]:
    """One row per offence-code indicator and quarter both sources cover, from the counts per
    code (``indicator_id, quarter_start, offence_code, record_level, published``)."""
    codes = codes.copy()
    codes["quarter_start"] = pd.to_datetime(codes["quarter_start"])
    codes = codes[codes["quarter_start"].isin(quarters)]
    keys = ["indicator_id", "quarter_start"]
    totals = codes.groupby(keys)[["record_level", "published"]].sum()
    total_of = dict(zip(totals.index, zip(totals["record_level"].tolist(),
                                          totals["published"].tolist(), strict=True),
                        strict=True))
    # each quarter's code with the largest difference (its first row on a tie), found once
    d = codes["published"] - codes["record_level"]
    worst_of = {key: (codes.at[at, "offence_code"], d[at])
                for key, at in d.abs().groupby([codes[k] for k in keys]).idxmax().items()}
    rows = []
    for indicator in indicators:
        for quarter in quarters:
            key = (indicator, quarter)
            rec, pub = total_of.get(key, (0, 0))
            diff = pub - rec
            pct = 100.0 * diff / rec if rec else (0.0 if pub == 0 else np.nan)
            finding = (abs(pct) > threshold_pct) if rec else pub != 0
            label = Quarter.containing(quarter.date()).label
            if finding:
                code, largest = worst_of[key]
                pct_text = f"{pct:+.2f}%" if rec else "extract has none"
                message = (f"Home Office CSP table {pub:,.0f} vs record-level extract {rec:,.0f} "
                           f"({_signed(diff)}, {pct_text}, threshold {threshold_pct:g}%) for "
                           f"{label}; largest code difference: {code} ({_signed(largest)})")
            else:
                message = (f"CSP table and extract agree within {threshold_pct:g}% "
                           f"({pub:,.0f} vs {rec:,.0f})")
            rows.append({"check_id": "reconcile_record_level_vs_csp",
                         "indicator_id": indicator, "area_code": home_area,
                         "period_start": quarter.date(), "period_end": _quarter_end(quarter).date(),
                         "record_level_value": float(rec), "published_value": float(pub),
                         "difference_pct": pct, "severity": "warning" if finding else "ok",
                         "message": message})
    return rows


def ed_missing_assault_time(con: duckdb.DuckDBPyConnection, warn_above_pct: float
                            ) -> list[dict[str, Any]]:
    """``ed_assault_time_missing`` rows, one per ISTV quarter file."""
    rows = []
    for area, start, total, missing in query_rows(con, "reads/data_quality/ed_assault_time"):
        start = pd.Timestamp(start)
        share = 100.0 * missing / total if total else 0.0
        rows.append({"check_id": "ed_assault_time_missing", "indicator_id": "ed_assaults_night",
                     "area_code": area, "period_start": start.date(),
                     "period_end": _quarter_end(start).date(),
                     "record_level_value": float(missing), "published_value": float(total),
                     "difference_pct": share,
                     "severity": "warning" if share > warn_above_pct else "info",
                     "message": f"{missing:,} of {total:,} ED assault attendances ({share:.1f}%) "
                                "have no assault time and are not counted in ed_assaults_night"})
    return rows


def csp_names_unmapped(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """``csp_name_unmapped`` rows: one per unknown CSP name, or one "ok" row."""
    span = query_rows(con, "reads/data_quality/csp_span")[0]
    if not span[2]:
        return []
    unmapped = query_rows(con, "reads/data_quality/csp_unmapped")
    base = {"check_id": "csp_name_unmapped", "indicator_id": None, "area_code": None,
            "published_value": None, "difference_pct": None}
    if not unmapped:
        return [{**base, "period_start": pd.Timestamp(span[0]).date(),
                 "period_end": _quarter_end(pd.Timestamp(span[1])).date(),
                 "record_level_value": 0.0, "severity": "ok",
                 "message": f"every CSP name in the {span[2]:,} CSP-table rows maps to an area"}]
    return [{**base, "period_start": pd.Timestamp(first).date(),
             "period_end": _quarter_end(pd.Timestamp(last)).date(),
             "record_level_value": float(n), "severity": "warning",
             "message": f"CSP name {name!r} is not in config/area_name_lookup.csv: {n:,} rows "
                        "not counted for any area"}
            for name, n, first, last in unmapped]


def survey_headline_vs_respondent(con: duckdb.DuckDBPyConnection, settings: Settings,
                                  tolerance_points: float) -> list[dict[str, Any]]:
    """``survey_headline_vs_respondent`` rows for the home area's survey indicators."""
    labels = {s.id: s.headline_indicator for s in read_survey_specs(settings.config_dir)}
    have_mart = query_rows(con, "reads/common/table_exists", name="mart_indicator_values")[0][0]
    if not labels or not have_mart:
        return []
    own = query_rows(con, "reads/data_quality/survey_respondent_values",
                     home_area=settings.home_area, source=RESPONDENT_SOURCE)
    published = dict(query_rows(con, "reads/data_quality/survey_headline_values",
                                home_area=settings.home_area))
    rows = []
    for indicator, start, end, value in own:
        if indicator not in labels or labels[indicator] not in published:
            continue
        headline = float(published[labels[indicator]])
        gap = headline - value
        bad = abs(gap) > tolerance_points
        rows.append({"check_id": "survey_headline_vs_respondent", "indicator_id": indicator,
                     "area_code": settings.home_area, "period_start": start, "period_end": end,
                     "record_level_value": value, "published_value": headline,
                     "difference_pct": 100.0 * gap / value if value else np.nan,
                     "severity": "warning" if bad else "ok",
                     "message": f"published {headline:.1f}% vs respondent level {value:.2f}% "
                                f"({gap:+.2f} points; tolerance {tolerance_points:g})"})
    return rows


def series_not_computed(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """``series_not_computed`` rows (see the module docstring)."""
    return [{"check_id": "series_not_computed", "indicator_id": indicator, "area_code": area,
             "period_start": start, "period_end": end, "severity": "warning",
             "message": f"{mart}: {subject}: {note}"}
            for mart, indicator, area, subject, start, end, note
            in query_rows(con, "reads/data_quality/series_not_computed")]


def spc_suggestions(con: duckdb.DuckDBPyConnection, home_area: str) -> list[dict[str, Any]]:
    """``spc_suggested_recalculation`` rows (see the module docstring)."""
    if not query_rows(con, "reads/common/table_exists", name="mart_spc")[0][0]:
        return []
    return [{"check_id": "spc_suggested_recalculation", "indicator_id": indicator,
             "area_code": area, "period_start": start, "period_end": start, "severity": "info",
             "message": _for_reader(text)}
            for indicator, area, start, text
            in query_rows(con, "reads/data_quality/spc_suggestions", home_area=home_area)]


def _for_reader(text: str) -> str:
    """mart_spc's suggestion in a reader's words (no file name: the report prints it)."""
    body = text.removeprefix("suggested recalculation: ").split(". If the cause")[0]
    body = re.sub(r"\d+\.\d{4,}", lambda m: f"{float(m.group()):.3f}", body)  # 3 decimals
    return (f"SPC chart: {body[:1].upper()}{body[1:]}. A suggested recalculation, not "
            "applied: it is confirmed as a series break once its cause is understood.")


def build_data_quality(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Every check's rows as ``mart_data_quality`` (a Python mart builder)."""
    limits = read_thresholds(settings.config_dir)
    rows = [
        *reconcile_crime(con, settings.home_area, limits.reconciliation_threshold_pct),
        *ed_missing_assault_time(con, limits.ed_warn_above_pct),
        *csp_names_unmapped(con),
        *survey_headline_vs_respondent(con, settings, limits.survey_tolerance_points),
        *series_not_computed(con),
        *spc_suggestions(con, settings.home_area),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("record_level_value", "published_value", "difference_pct"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in ("check_id", "indicator_id", "area_code", "severity", "message"):
        frame[col] = frame[col].astype(object)
    return frame
