"""``mart_data_quality``: reconciliation and completeness findings, one row per check result.

Columns: ``check_id, indicator_id, area_code, period_start, period_end, record_level_value,
published_value, difference_pct, severity, message``. ``severity`` is "ok" (checked, nothing
to report), "info" (a fact the reader should know) or "warning" (a finding to act on).

Checks (thresholds in ``config/data_quality.toml``):

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
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from scp_metrics.periods import Quarter
from scp_metrics.settings import Settings

__all__ = ["COLUMNS", "build_data_quality", "read_thresholds"]

COLUMNS = ["check_id", "indicator_id", "area_code", "period_start", "period_end",
           "record_level_value", "published_value", "difference_pct", "severity", "message"]
DEFAULTS: dict[str, dict[str, float]] = {
    "reconciliation": {"threshold_pct": 1.0},
    "ed_assault_time": {"warn_above_pct": 10.0},
    "survey": {"tolerance_points": 0.1},
}

_RECONCILE_SQL = """
with home as (
    select area_code from ref_home_area
),
record_level as (
    select fq_start_date(recorded_date) as quarter_start, offence_code, recorded_date
    from stg_police_crime
    where area_code in (select area_code from home)
),
csp as (
    select quarter_start, offence_code, sum(number_of_offences) as offences
    from stg_ho_csp_crime
    where area_code in (select area_code from home)
    group by all
),
indicators as (
    select indicator_id from ref_indicators where family = 'offence_codes'
),
record_counts as (
    select map.indicator_id, r.quarter_start, r.offence_code, count(*) as offences
    from record_level as r
    inner join ref_indicator_offence_codes as map on map.offence_code = r.offence_code
    inner join indicators on indicators.indicator_id = map.indicator_id
    where r.recorded_date >= map.valid_from
        and r.recorded_date <= coalesce(map.valid_to, date '9999-12-31')
    group by all
),
csp_counts as (
    select map.indicator_id, c.quarter_start, c.offence_code, sum(c.offences) as offences
    from csp as c
    inner join ref_indicator_offence_codes as map on map.offence_code = c.offence_code
    inner join indicators on indicators.indicator_id = map.indicator_id
    where map.valid_from <= last_day(c.quarter_start + interval 2 month)
        and coalesce(map.valid_to, date '9999-12-31') >= c.quarter_start
    group by all
)
select
    coalesce(r.indicator_id, c.indicator_id) as indicator_id,
    coalesce(r.quarter_start, c.quarter_start) as quarter_start,
    coalesce(r.offence_code, c.offence_code) as offence_code,
    coalesce(r.offences, 0) as record_level,
    coalesce(c.offences, 0) as published
from record_counts as r
full outer join csp_counts as c
    on c.indicator_id = r.indicator_id and c.quarter_start = r.quarter_start
    and c.offence_code = r.offence_code
"""

_QUARTERS_SQL = """
select distinct fq_start_date(recorded_date) as quarter_start from stg_police_crime
where area_code in (select area_code from ref_home_area)
intersect
select distinct quarter_start from stg_ho_csp_crime
where area_code in (select area_code from ref_home_area)
order by 1
"""


def read_thresholds(config_dir: Path) -> dict[str, dict[str, float]]:
    """``config/data_quality.toml`` over the defaults (a missing file means the defaults)."""
    out = {k: dict(v) for k, v in DEFAULTS.items()}
    path = config_dir / "data_quality.toml"
    if path.is_file():
        with open(path, "rb") as fh:
            for section, values in tomllib.load(fh).items():
                out.setdefault(section, {}).update(values)
    return out


def _quarter_end(start: pd.Timestamp) -> pd.Timestamp:
    return start + pd.DateOffset(months=3) - pd.Timedelta(days=1)


def _signed(n: float) -> str:
    return f"{n:+,.0f}"


def reconcile_crime(con: duckdb.DuckDBPyConnection, home_area: str,
                    threshold_pct: float) -> list[dict[str, Any]]:
    """``reconcile_record_level_vs_csp`` rows (see the module docstring)."""
    quarters = [pd.Timestamp(r[0]) for r in con.execute(_QUARTERS_SQL).fetchall()]
    if not quarters:
        return []
    # ordered, so that the largest code difference is the same code whatever the scan order (ties
    # go to the first offence code)
    codes = con.execute(f"select * from ({_RECONCILE_SQL}) order by all").df()
    codes["quarter_start"] = pd.to_datetime(codes["quarter_start"])
    codes = codes[codes["quarter_start"].isin(quarters)]
    indicators = [r[0] for r in con.execute(
        "select indicator_id from ref_indicators where family = 'offence_codes' order by 1"
    ).fetchall()]
    totals = codes.groupby(["indicator_id", "quarter_start"])[["record_level", "published"]].sum()
    by_code = {key: group for key, group in codes.groupby(["indicator_id", "quarter_start"])}
    rows = []
    for indicator in indicators:
        for quarter in quarters:
            key = (indicator, quarter)
            rec, pub = (totals.loc[key].tolist() if key in totals.index else (0, 0))
            diff = pub - rec
            pct = 100.0 * diff / rec if rec else (0.0 if pub == 0 else np.nan)
            finding = (abs(pct) > threshold_pct) if rec else pub != 0
            label = Quarter.containing(quarter.date()).label
            if finding:
                group = by_code[key].assign(d=lambda g: g["published"] - g["record_level"])
                worst = group.loc[group["d"].abs().idxmax()]
                pct_text = f"{pct:+.2f}%" if rec else "extract has none"
                message = (f"Home Office CSP table {pub:,.0f} vs record-level extract {rec:,.0f} "
                           f"({_signed(diff)}, {pct_text}, threshold {threshold_pct:g}%) for "
                           f"{label}; largest code difference: {worst['offence_code']} "
                           f"({_signed(worst['d'])})")
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
    result = con.execute("""
        select area_code, file_quarter_start, count(*) as attendances,
               count(*) filter (where assault_datetime is null) as no_time
        from stg_istv group by all order by all
    """).fetchall()
    rows = []
    for area, start, total, missing in result:
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
    span = con.execute("select min(quarter_start), max(quarter_start), count(*) "
                       "from stg_ho_csp_crime").fetchall()[0]
    if not span[2]:
        return []
    unmapped = con.execute("""
        select csp_name, count(*), min(quarter_start), max(quarter_start)
        from stg_ho_csp_crime where area_code is null group by all order by all
    """).fetchall()
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
    from scp_metrics.indicators.survey import RESPONDENT_SOURCE, read_survey_specs

    labels = {s.id: s.headline_indicator for s in read_survey_specs(settings.config_dir)}
    have_mart = con.execute("select count(*) from information_schema.tables "
                            "where table_name = 'mart_indicator_values'").fetchall()[0][0]
    if not labels or not have_mart:
        return []
    own = con.execute(
        "select indicator_id, period_start, period_end, value from mart_indicator_values "
        "where area_code = ? and source = ? order by 1",
        [settings.home_area, RESPONDENT_SOURCE]).fetchall()
    published = dict(con.execute(
        "select indicator, percentage from raw_place_survey_headline where authority_code = ?",
        [settings.home_area]).fetchall())
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


def build_data_quality(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    """Every check's rows as ``mart_data_quality`` (a Python mart builder)."""
    limits = read_thresholds(settings.config_dir)
    rows = [
        *reconcile_crime(con, settings.home_area, float(limits["reconciliation"]["threshold_pct"])),
        *ed_missing_assault_time(con, float(limits["ed_assault_time"]["warn_above_pct"])),
        *csp_names_unmapped(con),
        *survey_headline_vs_respondent(con, settings,
                                       float(limits["survey"]["tolerance_points"])),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("record_level_value", "published_value", "difference_pct"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in ("check_id", "indicator_id", "area_code", "severity", "message"):
        frame[col] = frame[col].astype(object)
    return frame
