"""The KPI register: what the plan's Appendix 3 says, and a loader that refuses what it does not know."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from scp_metrics.config.catalogue import read_indicators
from scp_metrics.config.kpis import UNITS, KpiRegisterError, read_kpi_register
from tests.conftest import shared_or_skip

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "config"
APPENDIX_3 = [15, 17, 19, 20, 21, 30, 32, 38, 39, 40, 110, 111, 115]


@pytest.fixture(scope="module")
def register():
    return read_kpi_register(CONFIG)


def appendix_3_rows() -> list[tuple[bool, int, str]]:
    """(starred, NI number, lead column) for each row of the seed's Appendix 3."""
    seed = shared_or_skip("seed", "000_14d0c6c6e874d5a5.txt").read_text(encoding="utf-8")
    part = seed[seed.index("\nAppendix 3\n"):]
    rows = re.findall(r"^\d+\.\t<i>(\*?)\s*NI\s*(\d+)[^<]*</i>\t+(.*)$", part, flags=re.M)
    assert len(rows) == 13, rows
    return [(star == "*", int(ni), lead.strip()) for star, ni, lead in rows]


def test_register_holds_every_appendix_3_kpi_and_the_local_measures(register):
    assert sorted(k.ni for k in register if k.ni is not None) == APPENDIX_3
    assert [k.id for k in register if k.ni is None] == [
        "neighbourhood_watch_schemes", "community_payback_hours",
        "acceptable_behaviour_contracts", "acceptable_behaviour_contract_breaches"]
    assert len(register) == 17


def test_acceptable_behaviour_contracts_are_owned_as_the_action_plan_row_says(register):
    """Action 5 of the seed's "Reducing violence involving young people" table: lead SCC, group
    MAPC, outcome "Increase Acceptable Behaviour Contracts; Reduction of Breaches"."""
    seed = shared_or_skip("seed", "000_14d0c6c6e874d5a5.txt").read_text(encoding="utf-8")
    row = next(line for line in seed.splitlines()
               if "Challenge and Support" in line).split("\t")
    # objective (blank: the row continues objective A), action, lead, group, outcome, measure,
    # timing, resource
    assert row[2:4] == ["SCC", "MAPC"]
    assert "Increase Acceptable Behaviour Contracts; Reduction of Breaches" in row[4]
    agreed = register.get("acceptable_behaviour_contracts")
    breaches = register.get("acceptable_behaviour_contract_breaches")
    for kpi in (agreed, breaches):
        assert (kpi.lead_agency, kpi.responsible_group, kpi.lead_officer) == ("SCC", "MAPC", "")
        assert kpi.owner == "SCC (MAPC)"
        assert (kpi.unit, kpi.designated, kpi.ni, kpi.delivered_by) == \
            ("count", False, None, "partner_return")
    assert (agreed.polarity, breaches.polarity) == ("higher", "lower")
    # a register entry without a group keeps the agency (officer) label
    assert register.get("community_payback_hours").owner == "SCC Probation"


def test_eight_kpis_are_designated(register):
    assert {k.id for k in register if k.designated} == {
        "NI15", "NI19", "NI20", "NI32", "NI38", "NI110", "NI111", "NI115"}
    assert [k.id for k in register if k.designated is None] == []


def test_designated_flags_are_the_seeds_stars(register):
    rows = appendix_3_rows()
    for starred, ni, _lead in rows:
        assert register.get(f"NI{ni}").designated is starred, ni


def test_lead_officer_and_agency_are_the_ones_appendix_3_names(register):
    for _starred, ni, lead in appendix_3_rows():
        kpi = register.get(f"NI{ni}")
        assert kpi.lead_officer and kpi.lead_officer in lead, (ni, lead)
        if ni != 17:  # NI 17's row names only the officer (SCC from her NI 32 row)
            for word in kpi.lead_agency.split():
                assert word in lead, (ni, kpi.lead_agency, lead)
    assert register.get("NI17").lead_agency == register.get("NI32").lead_agency == "SCC"
    assert register.get("NI15").owner == "Police (Supt. Matthew Greening)"


def test_units_follow_the_ni_handbook_where_issue_19_states_them(register):
    assert register.get("NI111").unit == "rate_per_100000_aged_10_17"
    assert register.get("NI111").unit_spec.multiplier == 100_000
    assert register.get("NI39").unit_spec.measure == "dsr"
    assert register.get("NI39").unit_spec.interval == "dsr"
    assert register.get("NI40").unit_spec.measure == "count"
    assert register.get("community_payback_hours").unit == "hours"


def test_kpis_already_in_the_indicator_catalogue_agree_with_it(register):
    catalogue = {i.id: i for i in read_indicators(CONFIG)}
    shared = [k for k in register if k.id in catalogue]
    assert {k.id for k in shared} == {"NI15", "NI17", "NI20", "NI21", "NI32"}
    for kpi in shared:
        assert kpi.polarity == catalogue[kpi.id].polarity, kpi.id


def test_the_plans_local_targets_point_at_register_entries(register):
    with open(CONFIG / "plans" / "2010-11.toml", "rb") as fh:
        targets = tomllib.load(fh)["target"]
    indicators = {t["indicator"] for t in targets}
    assert {"neighbourhood_watch_schemes", "community_payback_hours"} <= indicators
    for kpi_id in ("neighbourhood_watch_schemes", "community_payback_hours"):
        target = next(t for t in targets if t["indicator"] == kpi_id)
        assert register.get(kpi_id).polarity == target["polarity"]


def write_register(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = (CONFIG / "kpi_register.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "kpi_register.toml").write_text(text.replace(old, new, count), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('unit = "dsr_per_100000"', 'unit = "per_100k"',
         r"kpi_register.toml, \[\[kpi\]\] NI39, key unit: unknown unit 'per_100k'"),
        ('polarity = "higher"\nlead_agency = "DAT"', 'polarity = "up"\nlead_agency = "DAT"',
         r"kpi_register.toml, \[\[kpi\]\] NI40, key polarity: unknown polarity 'up'"),
        ('id = "NI21"\n', 'id = "NI21"\ntarget = 30\n',
         r"kpi_register.toml, \[\[kpi\]\] NI21: unknown key target"),
        ('lead_officer = "Amy Hobson"\n', "",
         r"kpi_register.toml, \[\[kpi\]\] NI39: missing key lead_officer"),
        ('id = "NI19"', 'id = "NI15"',
         r"kpi_register.toml, \[\[kpi\]\] NI15, key id: used twice"),
        ('designated = true\nplan_ref = "Appendix 3, item 13"',
         'designated = "yes"\nplan_ref = "Appendix 3, item 13"',
         r"kpi_register.toml, \[\[kpi\]\] NI115, key designated"),
        ('delivered_by = "marac"', 'delivered_by = "fax"',
         r"kpi_register.toml, \[\[kpi\]\] NI32, key delivered_by: unknown delivered_by 'fax'"),
        ("ni = 111\n", 'ni = "111"\n', r"kpi_register.toml, \[\[kpi\]\] NI111, key ni"),
        ('[[kpi]]\nid = "NI15"', '[meta]\nx = 1\n\n[[kpi]]\nid = "NI15"',
         r"kpi_register.toml: unknown top-level key meta"),
    ],
)
def test_a_bad_register_is_refused_naming_file_kpi_and_key(tmp_path, old, new, message):
    with pytest.raises(KpiRegisterError, match=message):
        read_kpi_register(write_register(tmp_path, old, new))


def test_every_unit_names_an_interval_the_stats_layer_has():
    assert {u.interval for u in UNITS.values()} == {"rate_ci", "wilson_ci", "poisson", "dsr", "none"}


def test_designated_unknown_is_kept_as_not_known(tmp_path):
    path = write_register(tmp_path, 'designated = true\nplan_ref = "Appendix 3, item 13"',
                          'designated = "unknown"\nplan_ref = "Appendix 3, item 13"')
    assert read_kpi_register(path).get("NI115").designated is None
