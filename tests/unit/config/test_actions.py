"""The action plan register against the plan's Part 3 tables, and its loader's refusals."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from scp_metrics.config.actions import ActionPlanError, read_action_plan
from tests.conftest import shared_or_skip

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "config"


@pytest.fixture(scope="module")
def plan():
    return read_action_plan(CONFIG)


def seed_part_3() -> str:
    seed = shared_or_skip("seed", "000_14d0c6c6e874d5a5.txt").read_text(encoding="utf-8")
    return seed[seed.index("REDUCING 'ALL CRIME' ACTION PLAN 2010/11"):seed.index("APPENDIX 1")]


def seed_numbers_by_priority() -> dict[str, list[str]]:
    """The action numbers the seed's tables show, per priority, found by pattern (not by us)."""
    spans = re.split(r"^Safe City Partnership Priority (\w+):", seed_part_3(), flags=re.M)[1:]
    out = {}
    for priority, span in zip(spans[::2], spans[1::2], strict=True):
        # "N. " opening a cell or following a sentence, except the "N. PURPOSE:" headings
        numbers = re.findall(r"(?:^|\t|\.\s)\s*(\d+)\.\s+(?!PURPOSE)", span, flags=re.M)
        marker = "TARGETED ACTIONS TO REDUCE VIOLENT CRIME"
        other = span[span.index(marker):] if marker in span else ""
        letters = re.findall(r"^([A-F])\.\s", other, flags=re.M)  # the lettered "other" rows
        out[priority.lower()] = sorted(numbers + letters)
    return out


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2018", "'").replace("\u2019", "'")).strip()


def test_counts_per_priority_are_the_plans(plan):
    assert plan.count_by_priority() == {"1": 8, "2a": 48, "2b": 7, "3": 4}


def test_counts_and_numbers_per_priority_equal_the_seeds_tables(plan):
    seed = seed_numbers_by_priority()
    assert {p: len(n) for p, n in seed.items()} == plan.count_by_priority()
    for priority, numbers in seed.items():
        assert sorted(a.number for a in plan if a.priority == priority) == numbers, priority


def in_seed_order(text: str, seed: str, gap: int = 400) -> bool:
    """Every word of ``text`` in ``seed`` in order, each within ``gap`` characters of the last:
    a cell the seed splits over a page break has other cells' text between its parts. Where we
    joined a cell's paragraphs, a ';' or '.' we added is not looked for."""
    words = [w.rstrip(".;") for w in flat(text).split()]
    if not words:
        return True
    opening = words[0]
    start = seed.find(opening)
    while start != -1:
        pos, ok = start + len(opening), True
        for word in words[1:]:
            found = seed.find(word, pos)
            if found == -1 or found - pos > gap:
                ok = False
                break
            pos = found + len(word)
        if ok:
            return True
        start = seed.find(opening, start + 1)
    return False


def test_action_texts_leads_timings_and_measures_are_transcribed_from_the_seed(plan):
    seed = flat(seed_part_3())
    for action in plan:
        if action.placeholder:
            continue
        fields = (action.action, action.lead_agency, action.timing, action.resource,
                  *action.outcome.split("; "), *action.measure.split("; "))
        for field in fields:
            assert in_seed_order(field, seed), (action.action_id, field)


def test_placeholders_are_the_drafts_unfinished_rows(plan):
    assert [a.action_id for a in plan if a.placeholder] == [
        "2a/other/A", "2a/other/B", "2a/other/C", "2a/other/F", "2b/criminal_damage/7"]


@pytest.mark.parametrize(
    ("action_id", "kind", "due", "resource_status"),
    [
        ("1/management/1", "by", dt.date(2010, 6, 30), "funded"),  # "By end Q1 2010"
        ("1/management/3", "start", dt.date(2010, 6, 30), "funded"),  # "From Q1 onwards"
        ("2a/violent_crime/3", "ongoing", None, "funded"),  # "On-going"
        ("2a/violent_crime/4", "none", None, "funded"),  # timing "TBA"
        ("2a/nte/11", "ongoing", None, "part_funded"),  # "Part funded"
        ("2a/nte/15", "ongoing", None, "tba"),  # resource "✓ TBA"
        ("2a/domestic_abuse/1", "by", dt.date(2010, 6, 30), "not_funded"),
        ("2a/young_people/1", "by", dt.date(2011, 4, 30), "funded"),  # "On-going to April 2011"
        ("3/public_confidence/1", "by", dt.date(2010, 9, 30), "funded"),  # "Jan – September"
    ],
)
def test_ambiguous_timings_and_resources_are_read_as_documented(plan, action_id, kind, due,
                                                                resource_status):
    action = plan.get(action_id)
    assert (action.timing_kind, action.due, action.resource_status) == (kind, due, resource_status)


def test_plan_targets_link_to_their_kpis(plan):
    assert plan.get("3/public_confidence/3").linked_kpis == ("neighbourhood_watch_schemes",)
    assert plan.get("2b/criminal_damage/6").linked_kpis == ("community_payback_hours",)
    assert plan.get("2a/young_people/9").linked_kpis == ("NI111", "NI19")
    assert plan.get("2a/young_people/5").linked_kpis == (
        "acceptable_behaviour_contracts", "acceptable_behaviour_contract_breaches")


def rewrite(tmp_path: Path, line: int, column: str, value: str) -> Path:
    with open(CONFIG / "action_plan.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[line - 2][column] = value
    with open(tmp_path / "action_plan.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (2, "priority", "4", r"line 2, column priority: unknown value '4'"),
        (6, "due", "30/06/2010", r"line 6, column due: timing_kind 'by' needs an ISO date"),
        (12, "due", "2010-06-30", r"line 12, column due: must be empty when timing_kind is 'ongoing'"),
        (3, "linked_kpis", "NI39;NI99", r"line 3, column linked_kpis: unknown KPI NI99"),
        (4, "resource_status", "maybe", r"line 4, column resource_status: unknown value 'maybe'"),
        (5, "action_id", "1/general/1", r"line 5, column action_id: '1/general/1' should be"),
        (7, "timing_kind", "soon", r"line 7, column timing_kind: unknown value 'soon'"),
        (8, "action", "", r"line 8, column action: empty"),
    ],
)
def test_a_bad_register_row_is_refused_naming_file_line_and_column(plan, tmp_path, line, column,
                                                                     value, message):
    folder = rewrite(tmp_path, line, column, value)
    with pytest.raises(ActionPlanError, match="action_plan.csv, " + message):
        read_action_plan(folder, known_kpis=linked_ids(plan))


def linked_ids(plan) -> set[str]:
    return {k for action in plan for k in action.linked_kpis}


def test_a_repeated_action_is_refused_naming_both_lines(plan, tmp_path):
    text = (CONFIG / "action_plan.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "action_plan.csv").write_text("\n".join([*text, text[1]]) + "\n", encoding="utf-8")
    with pytest.raises(ActionPlanError, match=r"line 69, column action_id: '1/general/1' is "
                                              r"already on line 2"):
        read_action_plan(tmp_path, known_kpis=linked_ids(plan))
