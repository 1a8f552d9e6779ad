"""Issue 19 item 2: the partner returns' figures, checked against hand-worked values."""

from __future__ import annotations

import pandas as pd
import pytest

from scp_metrics.config.kpis import read_kpi_register
from scp_metrics.config.standard_populations import StandardPopulation, read_standard_populations
from scp_metrics.indicators.partner_returns import return_values
from scp_metrics.settings import DEFAULT_CONFIG_DIR

REGISTER = read_kpi_register(DEFAULT_CONFIG_DIR)
# A three-band standard for hand working: weights 3000, 2000, 1000 (total 6000).
THREE = StandardPopulation("three", ("0-29", "30-59", "60+"), ((0, 29), (30, 59), (60, None)),
                           (3000.0, 2000.0, 1000.0), "hand-worked example")


def rows(*records: dict) -> pd.DataFrame:
    base = {"indicator": "NI111", "period_start": pd.Timestamp("2009-10-01"),
            "agency": "Wessex YOT", "numerator": None, "denominator": None, "value": None,
            "published_lower": None, "published_upper": None, "age_band": None,
            "standard": None, "note": None}
    return pd.DataFrame([{**base, **r} for r in records])


def test_a_dsr_from_three_age_bands_equals_the_hand_worked_value():
    # events 10, 20, 30 in populations 1000, 2000, 3000; standard 3000, 2000, 1000:
    # DSR = 100000 * (10*3 + 20*1 + 30/3) / 6000 = 100000 * 60 / 6000 = 1000.
    # var = (10*3^2 + 20*1^2 + 30*(1/3)^2) / 6000^2 = 113.333 / 3.6e7; X = 60.
    # Byars for 60 (z = 1.959964): 45.783760 and 77.233224. Dobson: 1000 + 1e5 * sqrt(var/60)
    # * (B - 60) = 674.3608 and 1394.7467.
    frame = rows(*({"indicator": "NI39", "agency": "SCPCT", "age_band": b, "numerator": x,
                    "denominator": n, "standard": "three"}
                   for b, x, n in (("0-29", 10, 1000), ("30-59", 20, 2000), ("60+", 30, 3000))))
    out = return_values(frame, REGISTER, {"three": THREE}).iloc[0]
    assert out["value"] == pytest.approx(1000.0, abs=1e-9)
    assert out["ci95_lower"] == pytest.approx(674.3608, abs=1e-4)
    assert out["ci95_upper"] == pytest.approx(1394.7467, abs=1e-4)
    assert (out["numerator"], out["denominator"], out["age_bands"]) == (60.0, 6000.0, 3)
    assert out["ci_method"] == "Dobson (three, 3 age bands)"
    assert out["unit"] == "rate per 100,000"


def test_a_missing_age_band_gives_no_dsr_and_says_which():
    frame = rows(*({"indicator": "NI39", "agency": "SCPCT", "age_band": b, "numerator": 10,
                    "denominator": 1000, "standard": "three"} for b in ("0-29", "60+")))
    out = return_values(frame, REGISTER, {"three": THREE}).iloc[0]
    assert pd.isna(out["value"]) and pd.isna(out["ci95_lower"])
    assert "30-59 of three are missing" in out["note"]


def test_the_esp1976_bands_are_the_ones_in_config():
    esp = read_standard_populations(DEFAULT_CONFIG_DIR)["esp1976"]
    assert len(esp.age_bands) == 18 and esp.total == 100_000  # Waterhouse et al. 1976


def test_first_time_entrants_per_100000_aged_10_17_with_byars_limits():
    # 320 / 22,600 * 100,000 = 1,415.929; Byars 95% for 320: 285.8947 and 357.0537 events
    # (320 (1 - 1/2880 - 1.959964/(3 sqrt 320))^3; 321 (1 - 1/2889 + 1.959964/(3 sqrt 321))^3).
    out = return_values(rows({"numerator": 320, "denominator": 22_600}), REGISTER, {}).iloc[0]
    assert out["value"] == pytest.approx(1415.929, abs=1e-3)
    assert out["ci95_lower"] == pytest.approx(285.8947 / 22_600 * 1e5, abs=0.001)
    assert out["ci95_upper"] == pytest.approx(357.0537 / 22_600 * 1e5, abs=0.001)
    assert out["ci_method"] == "Byars" and out["period_label"] == "2009/10 Q3"


def test_a_percentage_gets_wilson_limits():
    # Wilson 95% for 65 of 100: 55.25% to 73.64% (Newcombe 1998, table I).
    out = return_values(rows({"indicator": "NI110", "agency": "SCC", "numerator": 65,
                              "denominator": 100}), REGISTER, {}).iloc[0]
    assert (round(out["value"], 2), round(out["ci95_lower"], 2), round(out["ci95_upper"], 2)) \
        == (65.0, 55.25, 73.64)


def test_a_published_interval_is_carried_through_as_given_and_labelled():
    out = return_values(rows({"indicator": "NI39", "agency": "SCPCT", "value": 1851.0,
                              "published_lower": 1809.5, "published_upper": 1893.2}),
                        REGISTER, {}).iloc[0]
    assert (out["value"], out["ci95_lower"], out["ci95_upper"]) == (1851.0, 1809.5, 1893.2)
    assert out["ci_method"] == "published by SCPCT (as given)"


def test_a_tally_and_a_ratio_have_no_interval():
    out = return_values(rows({"indicator": "community_payback_hours", "agency": "SCC Probation",
                              "value": 5100},
                             {"indicator": "NI38", "agency": "Probation", "numerator": 297,
                              "denominator": 358}), REGISTER, {})
    by = out.set_index("kpi_id")
    assert by.loc["community_payback_hours", "value"] == 5100
    assert by.loc["NI38", "value"] == pytest.approx(297 / 358)
    assert by["ci95_lower"].isna().all()
    assert list(out["kpi_id"]) == ["NI38", "community_payback_hours"]  # register order
