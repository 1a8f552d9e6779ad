"""The natural-key hashes that let a load skip the join with every row loaded before
(``warehouse/natural_keys.py``): always a superset of the live keys, rebuilt when missing, and
only a shortcut (a hash in common sends the check to the exact join)."""

from __future__ import annotations

from datetime import date

import pytest

from scp_metrics.ingest.engine import ingest
from scp_metrics.settings import get_settings
from scp_metrics.sources import SOURCES_BY_NAME
from scp_metrics.warehouse import connect
from scp_metrics.warehouse.history import history_table, restore_batch, unload_batch
from scp_metrics.warehouse.natural_keys import STATE_TABLE, key_hash, table
from tests.golden import cases

CONFIG = get_settings().config_dir
POLICE = SOURCES_BY_NAME["police_crime"]


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "scp.duckdb")
    yield connection
    connection.close()


def deliver(con, tmp_path, sequence: str, today: date):
    out = []
    for name, rows, end, run in cases.SEQUENCES[sequence]:
        path = cases.write_case(tmp_path, name, rows, end)
        out.append(ingest(con, path, config_dir=CONFIG, sha256=name, run_id=run, today=today))
    return out


def stored(con) -> list[tuple[int, int]]:
    return con.execute(f'select batch_id, key_hash from "{table(POLICE)}" order by 1, 2').fetchall()


def from_rows(con) -> list[tuple[int, int]]:
    """Every batch in the ledger with the distinct hashes of its rows, live or archived, counted
    from the raw and history tables themselves."""
    return con.execute(
        f"select distinct batch_id, {key_hash(POLICE, 'r')} from (select * exclude "
        f"(superseded_by, archived_at) from {history_table(POLICE)} union all "
        f"select * from {POLICE.table}) r where batch_id in (select batch_id from load_batches) "
        "order by 1, 2").fetchall()


def test_the_hashes_follow_loads_reissues_restores_and_unloads(con, tmp_path):
    (_, one), (_, two), (refused, none) = deliver(con, tmp_path, "police_reissue_and_clash",
                                                  cases.POLICE_TODAY)
    assert none is None and not refused.ok  # the live key still refuses the third file
    assert len(stored(con)) == 3 and stored(con) == from_rows(con)  # batch 1 archived, kept
    restore_batch(con, one.batch_id)
    assert stored(con) == from_rows(con)
    unload_batch(con, two.batch_id)
    assert [b for b, _ in stored(con)] == [one.batch_id, one.batch_id]
    assert stored(con) == from_rows(con)


def test_a_warehouse_without_its_hashes_gets_them_when_next_opened(tmp_path):
    path = tmp_path / "scp.duckdb"
    con = connect(path)
    deliver(con, tmp_path, "police_reissue_and_clash", cases.POLICE_TODAY)
    expected = stored(con)
    con.execute(f'drop table "{table(POLICE)}"')  # as a warehouse of the previous release
    con.execute(f"update {STATE_TABLE} set recipe = 'another DuckDB' where source = 'istv'")
    con.close()
    con = connect(path)
    try:
        assert stored(con) == expected == from_rows(con)
        assert con.execute(f"select count(*) from {STATE_TABLE} where recipe = 'another DuckDB'"
                           ).fetchall() == [(0,)]
    finally:
        con.close()


def test_a_hash_in_common_is_only_a_reason_to_look(con, tmp_path):
    """Another batch's hashes holding the next file's (as two different keys sharing a hash
    would): the exact join finds no key in common and the file loads; with the hashes
    saying nothing is shared, a key really in common is still refused (the test above)."""
    first = deliver(con, tmp_path, "police_reissue_and_clash", cases.POLICE_TODAY)[0][1]
    row = cases.police_ref(77, cases.POLICE_GOOD.replace("02/10/2009,01/10/2009",
                                                         "02/01/2010,01/01/2010"))
    path = cases.write_case(tmp_path, "new_2009-10_Q4.csv", [cases.POLICE_HEADER, row], "\n")
    con.execute(f'insert into "{table(POLICE)}" select {first.batch_id}, hash(?)', ["44/77/09"])
    result, outcome = ingest(con, path, config_dir=CONFIG, sha256="new", run_id="r9",
                             today=cases.POLICE_TODAY)
    assert outcome is not None, result.failures
    assert con.execute(f'select count(*) from "{table(POLICE)}" where key_hash = hash(?)',
                       ["44/77/09"]).fetchall() == [(2,)]  # the planted one and the file's
