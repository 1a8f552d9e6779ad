"""Charts not redrawn when nothing they show changed (issue 17 item 5): the chart pack's
fingerprints and manifest, on a two-indicator copy of test_charts' tiny warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from scp_metrics.publish.charts import pack, reuse
from scp_metrics.publish.charts.pack import write_chart_pack
from scp_metrics.publish.charts.reuse import ChartSpec, fingerprint
from tests.unit.publish.test_charts import AREA, CONFIG, tiny_warehouse  # noqa: F401 - fixture

SPC_AND_TREND = ["spc", "trend"]


@pytest.fixture
def two_indicators(tiny_warehouse: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:  # noqa: F811
    """NI15 of the tiny warehouse and NI16, the same series under another id."""
    con = tiny_warehouse
    for table in ("mart_indicator_values", "mart_spc", "ref_indicators"):
        con.execute(f"insert into {table} select * replace ('NI16' as indicator_id) "
                    f"from {table} where indicator_id = 'NI15'")
    return con


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stems of the charts drawn (saved) from here on, in order."""
    names: list[str] = []
    save = pack.save_figure

    def counting(fig, stem, formats):  # noqa: ANN001, ANN202
        names.append(Path(stem).name)
        return save(fig, stem, formats)

    monkeypatch.setattr(pack, "save_figure", counting)
    return names


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def pack_into(con: duckdb.DuckDBPyConnection, out: Path, previous: Path | None = None) -> list[Path]:
    return write_chart_pack(con, AREA, out, "2009-03", kinds=SPC_AND_TREND, config_dir=CONFIG,
                            previous=previous)


def test_a_second_pack_with_nothing_changed_draws_nothing_and_is_byte_identical(
        two_indicators, drawn, tmp_path):
    first = pack_into(two_indicators, tmp_path / "first")
    assert drawn == ["spc_NI15_E06000045", "trend_NI15_E06000045", "spc_NI16_E06000045",
                     "trend_NI16_E06000045"]
    drawn.clear()
    second = pack_into(two_indicators, tmp_path / "second", previous=tmp_path / "first")
    assert drawn == []
    assert [p.name for p in second] == [p.name for p in first]  # pack order kept
    assert contents(tmp_path / "second") == contents(tmp_path / "first")  # index, manifest too
    manifest = json.loads((tmp_path / "second" / "manifest.json").read_text())
    assert sorted(manifest["charts"]) == ["spc_NI15_E06000045", "spc_NI16_E06000045",
                                          "trend_NI15_E06000045", "trend_NI16_E06000045"]
    assert manifest["charts"]["spc_NI15_E06000045"]["files"] == {
        name: reuse.file_digest(tmp_path / "first" / name)
        for name in ("spc_NI15_E06000045.png", "spc_NI15_E06000045.svg")}


def test_changing_one_indicators_data_redraws_only_its_charts(two_indicators, drawn, tmp_path):
    pack_into(two_indicators, tmp_path / "first")
    two_indicators.execute("update mart_indicator_values set value = value * 1.5 "
                           "where indicator_id = 'NI16' and period_type = 'month'")
    drawn.clear()
    pack_into(two_indicators, tmp_path / "second", previous=tmp_path / "first")
    assert drawn == ["trend_NI16_E06000045"]  # mart_spc is unchanged: its chart is too
    two_indicators.execute("update mart_spc set value = value + 1 where indicator_id = 'NI16'")
    drawn.clear()
    pack_into(two_indicators, tmp_path / "third", previous=tmp_path / "second")
    assert drawn == ["spc_NI16_E06000045"]
    # what was copied is what a full redraw gives now
    drawn.clear()
    pack_into(two_indicators, tmp_path / "full")
    assert len(drawn) == 4
    assert contents(tmp_path / "third") == contents(tmp_path / "full")
    assert contents(tmp_path / "third")["trend_NI16_E06000045.png"] != \
        contents(tmp_path / "first")["trend_NI16_E06000045.png"]


def test_the_title_and_footnote_are_part_of_the_fingerprint(two_indicators, drawn, tmp_path):
    pack_into(two_indicators, tmp_path / "first")
    two_indicators.execute("update ref_areas set area_name = 'Soton'")
    two_indicators.execute("update load_batches set loaded_at = loaded_at + interval 1 day "
                           "where batch_id = 9")
    drawn.clear()
    pack_into(two_indicators, tmp_path / "second", previous=tmp_path / "first")
    assert len(drawn) == 4


@pytest.mark.parametrize("damage", ["delete", "truncate", "alter"])
def test_a_missing_or_damaged_file_is_redrawn(two_indicators, drawn, tmp_path, damage):
    pack_into(two_indicators, tmp_path / "first")
    victim = tmp_path / "first" / "trend_NI15_E06000045.png"
    if damage == "delete":
        victim.unlink()
    elif damage == "truncate":
        victim.write_bytes(victim.read_bytes()[:100])
    else:
        victim.write_bytes(victim.read_bytes().replace(b"IEND", b"IENE"))
    drawn.clear()
    pack_into(two_indicators, tmp_path / "second", previous=tmp_path / "first")
    assert drawn == ["trend_NI15_E06000045"]
    drawn.clear()
    pack_into(two_indicators, tmp_path / "full")
    assert contents(tmp_path / "second") == contents(tmp_path / "full")


@pytest.mark.parametrize("manifest", ["missing", "garbage", "other format"])
def test_no_readable_manifest_means_everything_is_drawn(two_indicators, drawn, tmp_path,
                                                        manifest):
    pack_into(two_indicators, tmp_path / "first")
    path = tmp_path / "first" / "manifest.json"
    if manifest == "missing":
        path.unlink()
    elif manifest == "garbage":
        path.write_text('{"format": 1, "charts": ')  # a crash mid-write
    else:
        path.write_text(path.read_text().replace('"format": 1', '"format": 99'))
    drawn.clear()
    pack_into(two_indicators, tmp_path / "second", previous=tmp_path / "first")
    assert len(drawn) == 4


def test_new_drawing_code_redraws_everything(two_indicators, drawn, tmp_path, monkeypatch):
    pack_into(two_indicators, tmp_path / "first")
    monkeypatch.setattr(pack.Reuse, "from_folder", classmethod(
        lambda cls, folder: cls(folder, reuse.read_manifest(folder), "another version")))
    drawn.clear()
    pack_into(two_indicators, tmp_path / "second", previous=tmp_path / "first")
    assert len(drawn) == 4


def test_the_folder_itself_is_not_a_previous_pack(two_indicators, drawn, tmp_path):
    pack_into(two_indicators, tmp_path / "first")
    drawn.clear()
    pack_into(two_indicators, tmp_path / "first", previous=tmp_path / "first")
    assert len(drawn) == 4


def _plot(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - never called
    raise AssertionError


def fp(*args, **kwargs) -> str | None:  # noqa: ANN002, ANN003
    return fingerprint(ChartSpec("c", _plot, args, kwargs), ("png",), "v")


def test_fingerprints_see_every_value_and_type_but_not_how_a_frame_was_built():
    frame = pd.DataFrame({"period_start": pd.date_range("2009-01-01", periods=3, freq="MS"),
                          "value": [1.0, np.nan, 3.0], "flag": ["a", None, "c"]})
    rebuilt = pd.concat([frame.iloc[:1], frame.iloc[1:]])
    rebuilt.index = frame.index
    assert fp(frame) == fp(rebuilt) == fp(frame.copy())
    changed = frame.copy()
    changed.loc[2, "value"] = 3.0000000001
    assert fp(changed) != fp(frame)
    texts = pd.Series(["a", None, "c"], dtype=object)
    assert fp(frame.assign(flag=texts)) != fp(frame.assign(flag=texts.fillna(np.nan)))
    assert fp(frame.assign(flag=texts)) != fp(frame.assign(flag=texts.astype(str)))
    assert fp(frame.assign(value=[1, 2, 3])) != fp(frame.assign(value=[1.0, 2.0, 3.0]))
    assert fp(frame.rename(columns={"flag": "flags"})) != fp(frame)
    assert fp(frame, lineage="a") != fp(frame, lineage="b") != fp(frame)
    assert fp(pd.Series({"kind": "level", "projected": 4.5})) != \
        fp(pd.Series({"kind": "level", "projected": 4.6}))
    assert fp("x", 1) != fp("x", True) != fp("x", 1.0)
    assert fp(object()) is None  # unknown: drawn every time


def test_the_previous_pack_is_the_one_replaced_else_the_newest_published(tmp_path):
    import dataclasses
    import os

    from scp_metrics.settings import get_settings
    from scp_metrics.steps.publishing import Outputs, previous_charts

    outputs_dir = tmp_path / "outputs"
    settings = dataclasses.replace(get_settings(), outputs_dir=outputs_dir)
    staging = outputs_dir / ".staging-2010-03"
    staging.mkdir(parents=True)
    outputs = Outputs(staging, "2010-03", outputs_dir / "2010-03")
    assert previous_charts(settings, outputs) is None  # nothing published yet
    for month, when in (("2009-12", 2_000_000_000), ("2009-09", 1_000_000_000),
                        ("2009-06", 3_000_000_000)):
        (outputs_dir / month / "charts").mkdir(parents=True)
        manifest = outputs_dir / month / "charts" / "manifest.json"
        manifest.write_text('{"format": 1, "charts": {}}')
        os.utime(manifest, ns=(when, when))
    (outputs_dir / "2009-06" / "charts" / "manifest.json").unlink()  # an older pack: none
    assert previous_charts(settings, outputs) == outputs_dir / "2009-12" / "charts"
    (outputs_dir / "2010-03" / "charts").mkdir(parents=True)
    assert previous_charts(settings, outputs) == outputs_dir / "2009-12" / "charts"  # no manifest
    (outputs_dir / "2010-03" / "charts" / "manifest.json").write_text("{}")
    assert previous_charts(settings, outputs) == outputs_dir / "2010-03" / "charts"


def test_a_pack_drawn_in_batches_is_the_pack_drawn_here(tiny_warehouse, tmp_path):  # noqa: F811
    """With a fan-out mapper (``--workers 2``) the indicators go to the batches in turn (every
    2nd one to a batch, so that neighbours in the pack are spread); the index lists the charts
    in pack order and every file is the bytes of the pack drawn in one process."""
    from scp_metrics.fanout import Mapper, mapping_with

    con = tiny_warehouse
    ids = ["NI16", "NI17", "NI18", "NI19"]
    for other in ids:
        for table in ("mart_indicator_values", "mart_spc", "ref_indicators"):
            con.execute(f"insert into {table} select * replace ('{other}' as indicator_id) "
                        f"from {table} where indicator_id = 'NI15'")
    path = tmp_path / "w.duckdb"
    con.execute(f"attach '{path}' as f")
    for (table,) in con.execute("select table_name from information_schema.tables "
                                "where table_catalog = 'memory' order by 1").fetchall():
        con.execute(f"create table f.{table} as select * from memory.{table}")
    con.execute("detach f")
    wanted = ["NI15", *ids]
    here = write_chart_pack(str(path), AREA, tmp_path / "here", "2009-03", kinds=SPC_AND_TREND,
                            indicators=wanted, config_dir=CONFIG)
    pieces: list[list[str]] = []

    def run(func, args_list):  # noqa: ANN001, ANN202 - in order, in this process
        pieces.extend(args[1] for args in args_list)
        return [func(*args) for args in args_list]

    with mapping_with(Mapper(run, workers=2)):
        batched = write_chart_pack(str(path), AREA, tmp_path / "batched", "2009-03",
                                   kinds=SPC_AND_TREND, indicators=wanted, config_dir=CONFIG)
    assert pieces == [["NI15", "NI17", "NI19"], ["NI16", "NI18"]]
    assert [p.name for p in batched] == [p.name for p in here]
    assert [p.name for p in here][:4] == ["spc_NI15_E06000045.png", "spc_NI15_E06000045.svg",
                                          "trend_NI15_E06000045.png", "trend_NI15_E06000045.svg"]
    assert contents(tmp_path / "batched") == contents(tmp_path / "here")
