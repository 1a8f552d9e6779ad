"""The refresh on a 2-worker Dask cluster gives the marts and charts the local runner gives.

The benchmark's tiny scale (6 areas, 3 years, 26 files; ``benchmarks/scales.py``) is refreshed
twice: by the steps in this process (the local runner), and by the Prefect flow with the
``dask`` task runner against a 2-worker ``LocalCluster`` (given by its address, as
``--dask-address`` does), the SPC and trend series fanned out in pieces. Every mart must hold
the same rows, and the chart pack drawn with its batches on the same cluster must be the same
files, byte for byte, as the one drawn here. The fan-out threshold is lowered so the tiny
scale's 15 series are cut into pieces at all (at 20 series a piece, they would not be).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

from scp_metrics.fanout import Mapper, mapping_with

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
#: Four of the home area's indicators: two batches of the pack on two workers, 8 charts.
INDICATORS = ["all_crime", "dwelling_burglary", "vap", "vehicle_crime"]


def _tiny(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
        from scales import SCALES
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    data = tmp_path / "tiny"
    generate.generate(SCALES["tiny"], data, progress=False)
    return data


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_name like 'mart_%' "
            "order by table_name").fetchall()]
        return {name: con.execute(f"select * from {name} order by all").fetchall()
                for name in names}
    finally:
        con.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _unfingerprinted(manifest: bytes) -> dict[str, dict]:
    charts = json.loads(manifest)["charts"]
    return {name: {k: v for k, v in entry.items() if k != "fingerprint"}
            for name, entry in charts.items()}


def test_dask_runner_gives_the_marts_and_charts_of_the_local_runner(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import pipelines.quarterly_refresh as flow_module
    import scp_metrics.fanout as fanout
    from pipelines.runners import api_for_workers
    from scp_metrics.publish.charts import write_chart_pack
    from scp_metrics.settings import get_settings
    from scp_metrics.steps import run_refresh

    data = _tiny(tmp_path)
    monkeypatch.setenv("SCP_CONFIG_DIR", str(data / "config"))

    def settings(name: str):  # noqa: ANN202
        return get_settings(raw_dir=data / "raw", warehouse=tmp_path / name / "w.duckdb",
                            quarantine_dir=tmp_path / name / "quarantine",
                            outputs_dir=tmp_path / name / "outputs")

    local = settings("local")
    summary = run_refresh(local, publish=False)
    assert summary.exit_code == 0 and len(summary.loaded) == 26

    monkeypatch.setattr(fanout, "MIN_SERIES_PER_PIECE", 2)
    pieces: list[str] = []
    real_mapper = flow_module.prefect_mapper

    def counting_mapper(workers: int, name: str) -> Mapper:
        mapper = real_mapper(workers, name)

        def run(func, args):  # noqa: ANN001, ANN202
            pieces.extend([func.__name__] * len(args))
            return mapper.run(func, args)

        return Mapper(run, mapper.workers, mapper.name)

    monkeypatch.setattr(flow_module, "prefect_mapper", counting_mapper)
    dask = settings("dask")
    with api_for_workers("dask"), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        flow = flow_module.refresh_flow("dask", workers=2, dask_address=cluster.scheduler_address)
        summary = flow(raw_dir=str(dask.raw_dir), warehouse=str(dask.warehouse),
                       quarantine_dir=str(dask.quarantine_dir), outputs_dir=str(dask.outputs_dir),
                       publish_outputs=False, fan_out=True)
        assert summary.exit_code == 0 and len(summary.loaded) == 26

        def on_cluster(func, args):  # noqa: ANN001, ANN202
            pieces.extend([func.__name__] * len(args))
            return client.gather([client.submit(func, *a, pure=False) for a in args])

        with mapping_with(Mapper(on_cluster, 2, "dask")):
            write_chart_pack(dask.warehouse, dask.home_area, tmp_path / "charts-dask",
                             kinds=("spc", "trend"), indicators=INDICATORS, formats=("png",),
                             config_dir=dask.config_dir)
    write_chart_pack(local.warehouse, local.home_area, tmp_path / "charts-local",
                     kinds=("spc", "trend"), indicators=INDICATORS, formats=("png",),
                     config_dir=local.config_dir)

    # the work really was cut into pieces and sent to the cluster
    assert pieces.count("spc_table") >= 2 and pieces.count("trend_table") >= 2, pieces
    assert pieces.count("draw_batch") >= 2, pieces
    local_marts, dask_marts = _marts(local.warehouse), _marts(dask.warehouse)
    assert sorted(local_marts) == sorted(dask_marts)
    assert sum(len(rows) for rows in local_marts.values()) > 5_000
    for name, rows in local_marts.items():
        assert dask_marts[name] == rows, name
    charts = _files(tmp_path / "charts-dask")
    assert sum(name.endswith(".png") for name in charts) == 2 * len(INDICATORS)
    local_charts = _files(tmp_path / "charts-local")
    # the manifests list the same files and titles; the fingerprints differ because the two
    # warehouses' files were loaded at different times (the footnote's lineage is hashed whole)
    manifests = [_unfingerprinted(c.pop("manifest.json")) for c in (charts, local_charts)]
    assert manifests[0] == manifests[1] and len(manifests[0]) == 2 * len(INDICATORS)
    assert charts == local_charts
