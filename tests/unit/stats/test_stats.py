"""Tests for scp_metrics.stats.intervals against the field's own published numbers.

Each peer-vector test runs twice: against every row of the full files in
``../shared/peer_vectors`` (skipped, with the reason, when that folder is absent) and
against the small verbatim copies in ``tests/fixtures/peer_vectors`` (always run).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scp_metrics.stats.intervals import byars_ci, exact_poisson_ci, rate_ci, z_for
from scp_metrics.stats.proportions import mean_ci, weighted_proportion_ci, wilson_ci

REPO = Path(__file__).resolve().parents[3]
SHARED_PEER = REPO.parent / "shared" / "peer_vectors"
FIXTURE_PEER = REPO / "tests" / "fixtures" / "peer_vectors"
REL_TOL = 1e-9
CONFS = {"95%": 0.95, "99.8%": 0.998}

PHE = "PHEindicatormethods"
SM = "statsmodels"

SOURCES = [
    pytest.param("shared", marks=pytest.mark.shared, id="shared"),
    pytest.param("fixtures", id="fixtures"),
]


def peer_dir(source: str) -> Path:
    if source == "fixtures":
        return FIXTURE_PEER
    if not SHARED_PEER.is_dir():
        pytest.skip(
            f"shared reference vectors not found at {SHARED_PEER} (only in the lead's tree)"
        )
    return SHARED_PEER


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, f"{path} has no data rows"
    return rows


def num(text: str | None) -> float:
    return float(text) if text not in (None, "", "NA") else math.nan


def rel_err(actual: float, expected: float) -> float:
    """Relative error; absolute when the expected value is 0; 0 when both are NaN."""
    if math.isnan(expected) or math.isnan(actual):
        return 0.0 if (math.isnan(expected) and math.isnan(actual)) else math.inf
    if expected == 0:
        return abs(actual)
    return abs(actual - expected) / abs(expected)


class Checker:
    """Collects every comparison of a file so one failure reports all bad rows."""

    def __init__(self, tol: float = REL_TOL) -> None:
        self.tol = tol
        self.failures: list[str] = []
        self.max_rel = 0.0
        self.count = 0

    def close(self, what: str, actual: float, expected: float, tol: float | None = None) -> None:
        err = rel_err(float(actual), float(expected))
        self.count += 1
        if not math.isinf(err):
            self.max_rel = max(self.max_rel, err)
        if err > (self.tol if tol is None else tol):
            self.failures.append(f"{what}: got {actual!r}, expected {expected!r} (rel {err:.3g})")

    def equal(self, what: str, actual: object, expected: object) -> None:
        self.count += 1
        if actual != expected:
            self.failures.append(f"{what}: got {actual!r}, expected {expected!r}")

    def assert_ok(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def printed_tolerance(text: str) -> float:
    """Relative tolerance for a value published to limited decimals (half a unit in the
    last printed digit), never tighter than REL_TOL."""
    value = Decimal(text)
    if value == 0:
        return REL_TOL
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    half_unit = 0.5 * 10.0**exponent
    return max(REL_TOL, half_unit / abs(float(value)))


# ------------------------------------------------------------------ peer vectors


@pytest.mark.parametrize("source", SOURCES)
def test_byars_and_wilson_primitives_match_phe_indicator_methods(source: str) -> None:
    rows = read_rows(peer_dir(source) / PHE / "testdata_Byars_Wilson__testdata_B_W.csv")
    chk = Checker()
    for i, r in enumerate(rows, start=2):
        conf = CONFS[r["confidence"]]
        x = num(r["x"])
        if r["method"] == "Byars":
            lo, hi = byars_ci(x, conf)
        elif r["method"] == "Wilson":
            lo, hi = wilson_ci(x, num(r["n"]), conf)
        else:  # pragma: no cover - guards against new methods appearing silently
            pytest.fail(f"line {i}: unknown method {r['method']!r}")
        chk.close(f"line {i} {r['method']} lower", lo, num(r["lowercl"]))
        chk.close(f"line {i} {r['method']} upper", hi, num(r["uppercl"]))
    chk.assert_ok()
    assert chk.count == 2 * len(rows)


def check_rate_row(
    chk: Checker, where: str, r: dict[str, str], conf: float, lo_col: str, hi_col: str
) -> None:
    value, lo, hi, method = rate_ci(
        num(r["Numerator"]), num(r["Denominator"]), multiplier=num(r["multiplier"]), conf=conf
    )
    chk.close(f"{where} value", value, num(r["value"]))
    chk.close(f"{where} lower@{conf}", lo, num(r[lo_col]))
    chk.close(f"{where} upper@{conf}", hi, num(r[hi_col]))
    chk.equal(f"{where} method", method, r["method"] or None)


@pytest.mark.parametrize("source", SOURCES)
def test_crude_rates_match_phe_rate_at_95_and_99_8_percent(source: str) -> None:
    rows = read_rows(peer_dir(source) / PHE / "testdata_Rate__testdata_Rate.csv")
    chk = Checker()
    for i, r in enumerate(rows, start=2):
        where = f"line {i} {r['Area']} x{r['multiplier']}"
        check_rate_row(chk, where, r, 0.95, "lower95_0cl", "upper95_0cl")
        check_rate_row(chk, where, r, 0.998, "lower99_8cl", "upper99_8cl")
    chk.assert_ok()
    assert chk.count == 8 * len(rows)


@pytest.mark.parametrize("source", SOURCES)
def test_grouped_crude_rates_match_phe_rate(source: str) -> None:
    rows = read_rows(peer_dir(source) / PHE / "testdata_Rate__testdata_Rate_g.csv")
    chk = Checker()
    for i, r in enumerate(rows, start=2):
        check_rate_row(
            chk, f"line {i} {r['Area']}", r, CONFS[r["confidence"]], "lowercl", "uppercl"
        )
    chk.assert_ok()
    assert chk.count == 4 * len(rows)


def check_proportion_row(
    chk: Checker, where: str, r: dict[str, str], conf: float, lo_col: str, hi_col: str
) -> None:
    x, n, mult = num(r["Numerator"]), num(r["Denominator"]), num(r["multiplier"])
    lo, hi = wilson_ci(x, n, conf)
    chk.close(f"{where} value", x / n * mult, num(r["value"]))
    chk.close(f"{where} lower@{conf}", lo * mult, num(r[lo_col]))
    chk.close(f"{where} upper@{conf}", hi * mult, num(r[hi_col]))


@pytest.mark.parametrize("source", SOURCES)
def test_proportions_and_percentages_match_phe_proportion_wilson_limits(source: str) -> None:
    rows = read_rows(peer_dir(source) / PHE / "testdata_Proportion__testdata_Prop.csv")
    chk = Checker()
    for i, r in enumerate(rows, start=2):
        assert r["method"] == "Wilson"
        where = f"line {i} {r['Area']} x{r['multiplier']}"
        check_proportion_row(chk, where, r, 0.95, "lower95_0cl", "upper95_0cl")
        check_proportion_row(chk, where, r, 0.998, "lower99_8cl", "upper99_8cl")
    chk.assert_ok()
    assert chk.count == 6 * len(rows)


@pytest.mark.parametrize("source", SOURCES)
def test_grouped_proportions_match_phe_proportion(source: str) -> None:
    rows = read_rows(peer_dir(source) / PHE / "testdata_Proportion__testdata_Prop_g.csv")
    chk = Checker()
    for i, r in enumerate(rows, start=2):
        check_proportion_row(
            chk, f"line {i} {r['Area']}", r, CONFS[r["confidence"]], "lowercl", "uppercl"
        )
    chk.assert_ok()
    assert chk.count == 3 * len(rows)


@pytest.mark.parametrize("source", SOURCES)
def test_means_match_phe_mean_student_t_limits(source: str) -> None:
    base = peer_dir(source) / PHE
    data = pd.read_csv(base / "testdata_Mean__testdata_Mean.csv")
    results = read_rows(base / "testdata_Mean__testdata_Mean_results.csv")
    chk = Checker()
    for i, r in enumerate(results, start=2):
        sample = (
            data["values"]
            if r["area"] == "No grouping"
            else data.loc[data["area"] == r["area"], "values"]
        )
        assert len(sample) == int(r["value_count"]), f"line {i}: sample size differs"
        for conf, lo_col, hi_col in (
            (0.95, "lower95_0cl", "upper95_0cl"),
            (0.998, "lower99_8cl", "upper99_8cl"),
        ):
            m, lo, hi = mean_ci(sample.to_numpy(), conf)
            chk.close(f"line {i} {r['area']} mean", m, num(r["value"]))
            chk.close(f"line {i} {r['area']} lower@{conf}", lo, num(r[lo_col]))
            chk.close(f"line {i} {r['area']} upper@{conf}", hi, num(r[hi_col]))
        chk.close(f"line {i} {r['area']} stdev", float(np.std(sample, ddof=1)), num(r["stdev"]))
    chk.assert_ok()
    assert chk.count == 7 * len(results)


@pytest.mark.parametrize("source", SOURCES)
def test_wilson_matches_r_binom_rows_used_by_statsmodels(source: str) -> None:
    rows = read_rows(peer_dir(source) / SM / "binom_confint_R_binom_package.csv")
    wilson = [r for r in rows if r["method_R_binom"] == "wilson"]
    assert wilson, "no wilson rows"
    chk = Checker()
    for r in wilson:
        conf = 1.0 - float(r["alpha"])
        lo, hi = wilson_ci(num(r["count"]), num(r["nobs"]), conf)
        where = f"{r['count']}/{r['nobs']}"
        # Some R values are published to 8 decimals: allow half a unit in the last digit.
        chk.close(f"{where} lower", lo, num(r["ci_low"]), printed_tolerance(r["ci_low"]))
        chk.close(f"{where} upper", hi, num(r["ci_upp"]), printed_tolerance(r["ci_upp"]))
    chk.assert_ok()


@pytest.mark.parametrize("source", SOURCES)
def test_full_precision_r_binom_wilson_rows_match_to_one_part_in_a_billion(source: str) -> None:
    rows = read_rows(peer_dir(source) / SM / "binom_confint_R_binom_package.csv")
    chk = Checker()
    for r in rows:
        if r["method_R_binom"] != "wilson":
            continue
        lo, hi = wilson_ci(num(r["count"]), num(r["nobs"]), 1.0 - float(r["alpha"]))
        for text, got in ((r["ci_low"], lo), (r["ci_upp"], hi)):
            if len(Decimal(text).as_tuple().digits) >= 15 or Decimal(text) in (0, 1):
                chk.close(f"{r['count']}/{r['nobs']}", got, float(text))
    chk.assert_ok()
    assert chk.count > 0


@pytest.mark.parametrize("source", SOURCES)
def test_exact_poisson_rate_for_15_events_over_400_matches_garwood(source: str) -> None:
    rows = read_rows(peer_dir(source) / SM / "poisson_rate_ci_15_over_400.csv")
    exact = [r for r in rows if r["method"].startswith("exact")]
    assert len(exact) == 1
    r = exact[0]
    lo, hi = exact_poisson_ci(num(r["count"]), 0.95)
    exposure = num(r["exposure"])
    chk = Checker()
    chk.close("lower", lo / exposure, num(r["lower"]))
    chk.close("upper", hi / exposure, num(r["upper"]))
    chk.assert_ok()


@pytest.mark.parametrize("source", SOURCES)
def test_byars_is_not_the_desctools_half_event_variant(source: str) -> None:
    rows = read_rows(peer_dir(source) / SM / "poisson_rate_ci_15_over_400.csv")
    (r,) = [r for r in rows if r["method"].startswith("byar")]
    lo, hi = byars_ci(num(r["count"]))
    exposure = num(r["exposure"])
    assert rel_err(lo / exposure, num(r["lower"])) > 1e-3
    assert rel_err(hi / exposure, num(r["upper"])) > 1e-3


def test_fixture_rows_are_verbatim_copies_of_the_shared_vectors() -> None:
    if not SHARED_PEER.is_dir():
        pytest.skip(f"shared reference vectors not found at {SHARED_PEER}")
    # the DSR test data come straight from the PHEindicatormethods repository, which
    # ../shared/peer_vectors does not copy (tests/fixtures/peer_vectors/README.md)
    upstream_only = ("PHEindicatormethods/testdata_DSR_ISR__", "PHEindicatormethods/esp2013.")
    copies = [c for c in sorted(FIXTURE_PEER.rglob("*.csv"))
              if not c.relative_to(FIXTURE_PEER).as_posix().startswith(upstream_only)]
    assert len(copies) >= 10
    for copy in copies:
        full = (SHARED_PEER / copy.relative_to(FIXTURE_PEER)).read_text().splitlines()
        mine = copy.read_text().splitlines()
        assert mine[0] == full[0], f"{copy.name}: header differs"
        missing = set(mine[1:]) - set(full[1:])
        assert not missing, f"{copy.name}: rows not in the shared file: {missing}"


# ------------------------------------------------------------------- behaviour


def test_z_for_gives_the_fingertips_critical_values() -> None:
    assert z_for(0.95) == pytest.approx(1.959963984540054, rel=1e-15)
    assert z_for(0.998) == pytest.approx(3.090232306167813, rel=1e-15)


@pytest.mark.parametrize("bad", [0, 1, -0.5, 95, float("nan")])
def test_confidence_levels_outside_the_open_unit_interval_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="conf"):
        z_for(bad)
    with pytest.raises(ValueError, match="conf"):
        rate_ci(5, 100, conf=bad)


def test_rate_uses_exact_limits_below_ten_events() -> None:
    for x in range(10):
        v, lo, hi, method = rate_ci(x, 1000, multiplier=1000)
        exact = exact_poisson_ci(x)
        assert method == "Exact"
        assert (lo, hi) == pytest.approx(exact, rel=1e-12)


def test_rate_switches_to_byars_limits_from_ten_events() -> None:
    for x in (10, 11, 250):
        _, lo, hi, method = rate_ci(x, 1000, multiplier=1000)
        assert method == "Byars"
        assert (lo, hi) == pytest.approx(byars_ci(x), rel=1e-12)


def test_rate_allows_more_events_than_population() -> None:
    value, lo, hi, _ = rate_ci(250, 220, multiplier=100_000)
    assert lo < value < hi
    assert value == pytest.approx(250 / 220 * 100_000)


def test_rate_on_arrays_returns_arrays_and_object_methods() -> None:
    value, lo, hi, method = rate_ci(np.array([1, 20, np.nan]), 100, multiplier=100)
    assert isinstance(value, np.ndarray) and value.shape == (3,)
    assert method.dtype == object
    assert list(method) == ["Exact", "Byars", None]
    assert np.isnan(lo[2]) and np.isnan(hi[2])


def test_scalar_inputs_give_python_floats() -> None:
    for result in (byars_ci(20), exact_poisson_ci(3), wilson_ci(3, 10), mean_ci([1.0, 2.0])):
        assert all(type(v) is float for v in result)
    value, lo, hi, method = rate_ci(3, 100)
    assert all(type(v) is float for v in (value, lo, hi)) and method == "Exact"


def test_byars_lower_limit_is_missing_when_it_would_be_negative() -> None:
    lo, hi = byars_ci(1, 0.998)
    assert math.isnan(lo) and hi > 0
    lo0, _ = byars_ci(0)
    assert math.isnan(lo0)


def test_exact_poisson_lower_limit_is_zero_for_zero_events() -> None:
    lo, hi = exact_poisson_ci(0, 0.95)
    assert lo == 0.0
    assert hi == pytest.approx(-math.log(0.025), rel=1e-12)  # upper = −ln(α/2) at x = 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: byars_ci(-1), "count"),
        (lambda: exact_poisson_ci([1, -2]), "count"),
        (lambda: rate_ci(5, 0), "denominator"),
        (lambda: rate_ci(-5, 10), "count"),
        (lambda: wilson_ci(11, 10), "less than or equal"),
        (lambda: wilson_ci(1, 0), "n"),
        (lambda: weighted_proportion_ci([1, 0], [1, -1]), "weights"),
        (lambda: weighted_proportion_ci([2, 0], [1, 1]), "indicator"),
    ],
)
def test_impossible_inputs_raise_value_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_wilson_interval_reaches_exactly_zero_and_one_at_the_edges() -> None:
    lo, hi = wilson_ci(np.array([0, 30]), 30)
    assert lo[0] == 0.0 and hi[1] == 1.0


def test_mean_ignores_missing_values_and_supports_an_axis() -> None:
    m, lo, hi = mean_ci([1.0, 2.0, np.nan, 3.0])
    assert m == 2.0
    assert (lo, hi) == pytest.approx(mean_ci([1.0, 2.0, 3.0])[1:])
    ms, los, his = mean_ci(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]]), axis=1)
    assert ms.tolist() == [2.0, 4.5]
    assert los[1] == pytest.approx(mean_ci([4.0, 5.0])[1])


def test_mean_of_a_single_value_has_missing_limits() -> None:
    m, lo, hi = mean_ci([7.0])
    assert m == 7.0 and math.isnan(lo) and math.isnan(hi)


def test_weighted_proportion_with_equal_weights_is_plain_wilson() -> None:
    y = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1]
    p, lo, hi, n_eff = weighted_proportion_ci(y, [2.5] * 10)
    assert p == 0.6 and n_eff == pytest.approx(10)
    assert (lo, hi) == pytest.approx(wilson_ci(6, 10), rel=1e-12)


def test_weighted_proportion_uses_the_kish_effective_sample_size() -> None:
    y = np.array([1, 0, 1, 0])
    w = np.array([3.0, 1.0, 1.0, 1.0])
    p, lo, hi, n_eff = weighted_proportion_ci(y, w, conf=0.998)
    assert p == pytest.approx(4 / 6)
    assert n_eff == pytest.approx(36 / 12)
    assert (lo, hi) == pytest.approx(wilson_ci(p * n_eff, n_eff, 0.998), rel=1e-12)


def test_weighted_proportion_drops_pairs_with_missing_values() -> None:
    full = weighted_proportion_ci([1, 0, np.nan, 1], [1, np.nan, 5, 1])
    assert full == pytest.approx(weighted_proportion_ci([1, 1], [1, 1]))
