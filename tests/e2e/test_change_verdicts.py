"""Issue 13, item 1 acceptance on the sample: no change verdict in ``mart_indicator_values``, and
no significance sentence of the report, disagrees with scipy's exact binomial test of
C given C + P (p = E_C / (E_C + E_P)), recomputed here from the mart's own counts and
denominators (last year's row found by a join of our own, not the mart's columns)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from tests.conftest import query

pytestmark = pytest.mark.e2e

_ROWS = """
select cur.indicator_id, cur.area_code, cur.period_type, cur.period_start, ri.measure,
       cur.numerator as c, cur.denominator as ec, prev.numerator as p, prev.denominator as ep,
       cur.change_p_value, cur.change_verdict
from mart_indicator_values cur
join ref_indicators ri on ri.indicator_id = cur.indicator_id
join mart_indicator_values prev
  on prev.indicator_id = cur.indicator_id and prev.area_code = cur.area_code
 and prev.period_type = cur.period_type
 and prev.period_start = cur.period_start - interval 1 year
 and prev.period_end = cast(date_trunc('month', cur.period_end - interval 1 year)
                            + interval 1 month - interval 1 day as date)
where ri.measure in ('rate', 'count') and cur.numerator is not null
  and prev.numerator is not null
order by cur.indicator_id, cur.area_code, cur.period_type, cur.period_start
"""


def _exact(c: int, p: int, ec: float, ep: float) -> tuple[float, str]:
    """(p-value, verdict) by scipy's exact binomial test, direction of the rates."""
    if c + p == 0:
        return 1.0, "no significant change"
    pv = binomtest(int(c), int(c + p), ec / (ec + ep)).pvalue
    if pv >= 0.05:
        return pv, "no significant change"
    return pv, "significant rise" if c / ec > p / ep else "significant fall"


def test_every_mart_verdict_on_counts_and_rates_is_scipys_exact_test(sample_refresh):
    settings, _ = sample_refresh
    rows = query(settings.warehouse, _ROWS)
    assert len(rows) > 5000  # the issue counted 7,417 verdicts on the sample
    rows["ec"] = rows["ec"].where(rows["measure"] == "rate", 1.0).astype(float)
    rows["ep"] = rows["ep"].where(rows["measure"] == "rate", 1.0).astype(float)
    usable = (rows["ec"] > 0) & (rows["ep"] > 0)
    rows = rows[usable]
    cache: dict[tuple, tuple[float, str]] = {}
    wrong = []
    for r in rows.itertuples(index=False):
        key = (int(r.c), int(r.p), float(r.ec), float(r.ep))
        if key not in cache:
            cache[key] = _exact(*key)
        pv, verdict = cache[key]
        if r.change_verdict != verdict or not math.isclose(r.change_p_value, pv, rel_tol=1e-9,
                                                             abs_tol=1e-12):
            wrong.append((r.indicator_id, r.area_code, r.period_type, r.period_start, r.c, r.p,
                          r.change_p_value, pv, r.change_verdict, verdict))
    assert not wrong, f"{len(wrong)} of {len(rows)} disagree, e.g. {wrong[:3]}"
    # both outcomes occur, so the comparison can fail either way
    assert set(rows["change_verdict"]) >= {"significant rise", "significant fall",
                                           "no significant change"}


def test_the_reports_significance_words_follow_the_exact_test(sample_refresh):
    from scp_metrics.config import catalogue
    from scp_metrics.publish.report.facts import Facts
    from scp_metrics.publish.report.templating import environment
    from scp_metrics.warehouse import connect

    settings, _ = sample_refresh
    con = connect(settings.warehouse, read_only=True)
    try:
        facts = Facts(con, settings, "2009-12")
        checked = 0
        for ind in catalogue.read_indicators(settings.config_dir):
            if ind.measure not in ("rate", "count"):
                continue
            change = facts.ytd_change(ind.id)
            if change is None or change.numerator_last_year is None \
                    or change.value_last_year is None:
                continue
            c, p = change.numerator, change.numerator_last_year
            if ind.measure == "rate":  # the exposures, back from rate = count / exposure
                if not (change.value and change.value_last_year):
                    continue
                ec, ep = c / change.value, p / change.value_last_year
            else:
                ec = ep = 1.0
            _, verdict = _exact(c, p, ec, ep)
            phrase = str(environment().get_template("narrative.j2").module.significance(change))
            if verdict == "no significant change":
                assert phrase.startswith("not a statistically significant"), (ind.id, c, p)
            else:
                assert phrase.startswith(f"a statistically significant {verdict.split()[-1]}"), \
                    (ind.id, c, p, phrase)
            checked += 1
    finally:
        con.close()
    assert checked >= 5
