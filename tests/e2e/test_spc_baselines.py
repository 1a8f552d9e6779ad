"""Issue 13 item 4 on the sample (the session's ``sample_refresh``, read only): all crime's SPC
limits come from its first 12 months, recomputed here from ``mart_indicator_values`` with the
XmR definition (mean, moving ranges, one screening at 3.267 × the average, mean ± 2.66 × it);
the sustained shifts are suggested, listed by ``mart_data_quality`` and ``scp-metrics spc``, and
the 2010/11 all-crime assurance is no longer "consistent_fail" from a long falling series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scp_metrics.cli import main
from tests.conftest import query

pytestmark = pytest.mark.e2e

HOME = "E06000045"


def test_all_crime_limits_are_fixed_on_the_first_twelve_months(sample_refresh):
    settings, _ = sample_refresh
    months = query(settings.warehouse, "select period_start, value from mart_indicator_values "
                   "where indicator_id = 'all_crime' and area_code = ? and period_type = 'month' "
                   "order by period_start", [HOME])
    spc = query(settings.warehouse, "select * from mart_spc where indicator_id = 'all_crime' "
                "and area_code = ? order by period_start", [HOME])
    first = months["value"].to_numpy(dtype=float)[:12]
    ranges = np.abs(np.diff(first))
    kept = ranges[ranges < 3.267 * ranges.mean()]
    mean, amr = first.mean(), kept.mean()
    assert np.allclose(spc["mean"], mean, rtol=1e-12)
    assert np.allclose(spc["lpl"], mean - 2.66 * amr, rtol=1e-12)
    assert np.allclose(spc["upl"], mean + 2.66 * amr, rtol=1e-12)
    assert set(spc["baseline_end"]) == {months["period_start"].iloc[11]}
    assert set(spc["chart_type"]) == {"xmr"} and set(spc["rebase_group"]) == {0}
    # the suggestions: each run of 7+ on one side of the centre line in force, first found
    # against the 12-month baseline above (all never applied: one limits group)
    suggested = spc.loc[spc["suggested_recalculation"].notna(), "period_start"]
    assert len(suggested) >= 1
    y = months["value"].to_numpy(dtype=float)
    start = int(months.index[months["period_start"] == suggested.iloc[0]][0])
    side = np.sign(y[start:start + 7] - mean)
    assert (side == side[0]).all() and side[0] != 0
    assert np.sign(y[start - 1] - mean) != side[0]  # the run starts there


def test_suggestions_are_listed_and_the_assurance_judges_the_current_process(sample_refresh,
                                                                            capsys):
    settings, _ = sample_refresh
    spc = query(settings.warehouse, "select period_start from mart_spc where indicator_id = "
                "'all_crime' and area_code = ? and suggested_recalculation is not null "
                "order by period_start", [HOME])
    listed = query(settings.warehouse, "select period_start, severity, message from "
                   "mart_data_quality where check_id = 'spc_suggested_recalculation' and "
                   "indicator_id = 'all_crime' order by period_start")
    assert listed["period_start"].tolist() == spc["period_start"].tolist()
    assert set(listed["severity"]) == {"info"}
    assert listed["message"].str.contains("not applied").all()
    tracking = query(settings.warehouse, "select assurance, note from mart_target_tracking "
                     "where target_id = 'all_crime_2010_11'")
    assert pd.isna(tracking["assurance"].iloc[0])  # was consistent_fail
    note = tracking["note"].iloc[0]
    assert "not judged: the process has shifted since its limits were set" in note
    last = pd.Timestamp(spc["period_start"].iloc[-1])
    assert f"a sustained shift from {last:%Y-%m}" in note
    assert main(["spc", "--indicator", "all_crime", "--area", HOME, "--warehouse",
                 str(settings.warehouse)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "limits fixed on the 12-point baseline 2003-04 to 2004-03 and extended" in out
    assert "suggested recalculation points (sustained shifts, not applied): " in out
    assert f"{last:%Y-%m}: suggested recalculation:" in out
