"""The hostile-input corpus (``tests/data/bad/``, written by ``tests/data/make_bad_corpus.py``):
every file behaves as ``EXPECTED.csv`` says, through ``scp-metrics validate`` and through
``scp-metrics refresh`` on a warehouse pre-loaded with a good baseline.

For every refused file: the exit code says so, the quarantine report names the expected row,
column and check, every table of the warehouse (raw, history, ledger, marts) is byte-for-byte
as before (``table_checksums``), no traceback is printed, and personal data never appears in
any output or report. Accepted files are refreshed together in runs (at most one file per
source and period in a run) and their stated normalisation is in the ledger's notes.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from scp_metrics.cli import main
from scp_metrics.sources import SOURCES_BY_NAME
from scp_metrics.warehouse import connect, table_checksums
from scp_metrics.warehouse.history import consistency_problems, history_frame

DATA = Path(__file__).resolve().parents[2] / "data"
BAD = DATA / "bad"
BASELINE = DATA / "baseline"
EXPECTED = list(csv.DictReader((BAD / "EXPECTED.csv").read_text(encoding="utf-8").splitlines()))
REFUSED = [e for e in EXPECTED if e["refresh"] == "quarantined"]
RUNS = sorted({e["run"] for e in EXPECTED if e["run"]})


def flat(text: str) -> str:
    """Console output with rich's line wrapping undone."""
    return " ".join(text.split())


def checksums(warehouse: Path, prefix: str = "") -> dict[str, str]:
    con = connect(warehouse, read_only=True)
    try:
        return table_checksums(con, prefix)
    finally:
        con.close()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A warehouse holding the good baseline, marts built."""
    base = tmp_path_factory.mktemp("baseline")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCP_QUARANTINE_DIR", str(base / "quarantine"))
        mp.setenv("SCP_OUTPUTS_DIR", str(base / "outputs"))
        code = main(["refresh", "--engine", "local", "--raw-dir", str(BASELINE), "--warehouse",
                     str(base / "scp.duckdb"), "--wait", "0", "--no-publish"])
    assert code == 0
    return base / "scp.duckdb", checksums(base / "scp.duckdb")


@pytest.fixture
def refresh(baseline, tmp_path, monkeypatch, capsys):
    """Refresh a copy of the baseline with some corpus files; returns (code, output, paths)."""
    monkeypatch.setenv("SCP_QUARANTINE_DIR", str(tmp_path / "quarantine"))
    monkeypatch.setenv("SCP_OUTPUTS_DIR", str(tmp_path / "outputs"))
    warehouse = tmp_path / "scp.duckdb"
    shutil.copy(baseline[0], warehouse)

    def run(files: list[str]) -> tuple[int, str]:
        raw = tmp_path / "raw"
        raw.mkdir(exist_ok=True)
        for name in files:
            shutil.copy(BAD / name, raw / name)
        capsys.readouterr()
        code = main(["refresh", "--engine", "local", "--raw-dir", str(raw), "--warehouse",
                     str(warehouse), "--wait", "0", "--no-publish"])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    run.warehouse = warehouse
    run.quarantine = tmp_path / "quarantine"
    return run


def assert_same_marts(warehouse: Path, reference: Path) -> None:
    """The marts of ``reference`` in ``warehouse``: same rows, floats to 1e-9 relative."""
    con = connect(warehouse, read_only=True)
    try:
        con.execute(f"attach '{reference}' as ref (read_only)")
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'ref' "
            "and starts_with(table_name, 'mart_') order by 1").fetchall()]
        assert names
        for name in names:
            pd.testing.assert_frame_equal(
                con.execute(f'select * from main."{name}" order by all').df(),
                con.execute(f'select * from ref."{name}" order by all').df(),
                check_exact=False, rtol=1e-9, obj=name)
    finally:
        con.close()


def secrets_absent(case: dict, *texts: str) -> None:
    for secret in filter(None, case["secret"].split("|")):
        for text in texts:
            assert secret not in text, f"personal data {secret!r} was echoed"


def matching(failures: pd.DataFrame, case: dict) -> pd.DataFrame:
    hit = failures["check"].astype(str).str.contains(case["check"], regex=False)
    if case["row"]:
        hit &= pd.to_numeric(failures["row"], errors="coerce") == int(case["row"])
    if case["column"]:
        hit &= failures["column"].astype(str) == case["column"]
    return failures[hit]


def test_the_corpus_is_big_and_covers_every_source():
    assert len(EXPECTED) >= 40
    assert {e["source"] for e in EXPECTED} >= {
        "police_crime", "ho_csp_crime", "istv", "fire", "marac", "place_survey",
        "place_survey_headline", "population", "msg_membership"}
    assert sorted(p.name for p in BAD.iterdir() if p.name != "EXPECTED.csv") == \
        sorted(e["file"] for e in EXPECTED)


@pytest.mark.parametrize("case", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_validate(case, capsys):
    code = main(["validate", str(BAD / case["file"]), "--max-rows", "500"])
    captured = capsys.readouterr()
    out = flat(captured.out)
    assert "Traceback" not in captured.out + captured.err
    assert captured.err == ""
    secrets_absent(case, captured.out, captured.err)
    if case["validate"] == "ok":
        assert code == 0, out
        assert out.startswith(f"OK {case['file']}:"), out
        assert flat(case["note"]) in out
    else:
        assert code == 1, out
        assert out.startswith(f"FAIL {case['file']}:"), out
        if case["column"]:
            assert case["column"] in out
        assert "nothing was loaded" in out


@pytest.mark.parametrize("case", REFUSED, ids=[e["file"] for e in REFUSED])
def test_refresh_refuses_and_changes_nothing(case, baseline, refresh):
    code, out = refresh([case["file"]])
    assert code == 1, out
    assert "Traceback" not in out
    assert f"refused {case['file']}:" in flat(out)
    assert "0 files loaded" in out
    assert checksums(refresh.warehouse) == baseline[1]  # every table, byte for byte
    folder = next(refresh.quarantine.iterdir())
    report = pd.read_csv(folder / f"{case['file']}.report.csv", dtype=str)
    assert not matching(report, case).empty, report.head(10).to_dict("records")
    assert (folder / f"{case['file']}.report.md").is_file()
    personal = bool(case["secret"])
    md = (folder / f"{case['file']}.report.md").read_text()
    recognised = "Source: unrecognised" not in md
    # personal data, person-level sources' files and files no source recognises are never
    # copied: recorded by name and hash
    guarded = case["source"] in SOURCES_BY_NAME and SOURCES_BY_NAME[case["source"]].personal_data_guard
    assert (folder / case["file"]).is_file() is (recognised and not personal and not guarded)
    if guarded and recognised:  # no value of a person-level source is shown, whatever the refusal
        values = set(report["value"].dropna())  # the engine's own words ('missing') may show
        assert values <= {"(withheld: personal data)", "(withheld: person-level source)",
                          "missing", "header only"}, values
    if personal or not recognised:
        assert "sha256 " in md and ("Delete the original" in md or "Delete it" in md)
    reports = [p.read_text(errors="replace") for p in folder.iterdir() if ".report." in p.name]
    secrets_absent(case, out, *reports)


@pytest.mark.parametrize("run", RUNS)
def test_refresh_accepts_with_the_stated_normalisation(run, baseline, refresh):
    cases = [e for e in EXPECTED if e["run"] == run]
    code, out = refresh([e["file"] for e in cases])
    assert code == 0, out
    assert "Traceback" not in out
    con = connect(refresh.warehouse, read_only=True)
    try:
        ledger = history_frame(con)
        assert consistency_problems(con) == []
    finally:
        con.close()
    for case in cases:
        line = next(x for x in out.splitlines() if f"] {case['file']}: " in x)
        assert case["refresh"] in line, line
        if case["refresh"] == "loaded":
            batch = ledger[ledger["file_name"] == case["file"]].iloc[-1]
            assert batch["status"] == "loaded"
            assert flat(case["note"]) in flat(batch["notes"] or "")
    assert "building mart_indicator_values" in out  # the marts were rebuilt


def test_a_reissued_quarter_is_kept_in_history_and_restores_both_ways(baseline, refresh, capsys):
    base_wh, before = baseline
    code, out = refresh([e["file"] for e in EXPECTED if e["run"] == "R"])
    assert code == 0, out
    con = connect(refresh.warehouse, read_only=True)
    ledger = history_frame(con, "police_crime").set_index("file_name")
    con.close()
    reissued = refresh.warehouse.with_name("reissued.duckdb")
    shutil.copy(refresh.warehouse, reissued)
    old = ledger.loc["police_recorded_crime_E06000045_2009-10_Q3.csv"]
    new = ledger.loc["police_reissue_2009-10_Q3.csv"]
    assert (old["status"], old["live_rows"], old["archived_rows"]) == ("superseded", 0, 30)
    assert int(old["superseded_by"]) == new["batch_id"]
    assert (new["status"], new["live_rows"]) == ("loaded", 28)
    other = ledger.loc["police_recorded_crime_E06000045_2009-10_Q2.csv"]
    assert other["status"] == "loaded"  # only its own quarter was replaced

    assert main(["history", "--warehouse", str(refresh.warehouse), "--source",
                 "police_crime"]) == 0
    shown = flat(capsys.readouterr().out)
    assert "superseded" in shown and "police_reissue_2009-10_Q3.csv" in shown

    wh = str(refresh.warehouse)
    assert main(["restore", str(old["batch_id"]), "--warehouse", wh, "--wait", "0", "--no-publish"]) == 0
    said = flat(capsys.readouterr().out)
    assert f"Restored batch {old['batch_id']} (police_crime): 30 rows live again; 28 rows" in said
    assert checksums(refresh.warehouse)["raw_police_crime"] == before["raw_police_crime"]
    assert_same_marts(refresh.warehouse, base_wh)  # the baseline's data and marts
    # the re-issue's file is now superseded: a refresh does not bring it back
    code, out = refresh([])
    assert "police_reissue_2009-10_Q3.csv: unchanged" in out
    assert checksums(refresh.warehouse)["raw_police_crime"] == before["raw_police_crime"]

    assert main(["restore", str(new["batch_id"]), "--warehouse", wh, "--wait", "0", "--no-publish"]) == 0
    assert checksums(refresh.warehouse)["raw_police_crime"] == \
        checksums(reissued)["raw_police_crime"]
    assert_same_marts(refresh.warehouse, reissued)
    con = connect(refresh.warehouse, read_only=True)
    try:
        assert consistency_problems(con) == []
    finally:
        con.close()


def test_restore_explains_what_it_cannot_do(baseline, refresh, capsys):
    wh = str(refresh.warehouse)
    assert main(["restore", "999", "--warehouse", wh, "--wait", "0"]) == 2
    assert "there is no batch 999" in capsys.readouterr().err
    assert main(["restore", "1", "--warehouse", wh, "--wait", "0"]) == 2
    assert "is live already" in capsys.readouterr().err
    assert main(["history", "--warehouse", str(refresh.warehouse.parent / "none.duckdb")]) == 2
    assert "run 'scp-metrics refresh' first" in capsys.readouterr().err


def test_the_reliability_doc_shows_every_case_as_expected():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_bad_corpus", DATA / "make_bad_corpus.py")
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.modules[spec.name] = module  # its dataclass needs its module registered
    spec.loader.exec_module(module)
    doc = (DATA.parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert module.docs_table(EXPECTED) in doc, "run make_bad_corpus.py --docs-only"
