"""Shared test fixtures. Sets the Agg backend once; finds ../shared when it exists."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def mini_raw() -> Path:
    """Four tiny extracts (two record-level quarters, a CSP table quarter, a population year)."""
    return FIXTURES / "mini_raw"


def _settings_in(raw_dir: Path, base: Path):  # noqa: ANN202
    """Settings reading ``raw_dir`` and writing every path into ``base``."""
    from scp_metrics.settings import get_settings

    return get_settings(raw_dir=raw_dir, warehouse=base / "scp.duckdb",
                        quarantine_dir=base / "quarantine", outputs_dir=base / "outputs")


@pytest.fixture
def settings_for(tmp_path: Path):
    """Settings pointing every writable path into ``tmp_path``."""
    def make(raw_dir: Path, name: str = "wh") -> object:
        return _settings_in(raw_dir, tmp_path / name)

    return make


def query(warehouse: Path | str, sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """The result of ``sql`` on the warehouse file, opened read-only for the query."""
    from scp_metrics.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is absent (only in the project's workspace)")
    return path


def _built_once(tmp_path_factory, name: str, build):
    """``build(folder)``'s result, built once per test run and shared by the xdist workers.

    ``make test`` runs two workers; each used to build the sample refresh itself (about a
    minute each). The first worker to ask builds it into the run's shared temporary folder
    under an exclusive lock and pickles the result; the others wait on the lock and read it.
    Without xdist it is built in this session's folder."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    done = root / "result.pickle"
    with open(root.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if done.exists():
            return pickle.loads(done.read_bytes())
        shutil.rmtree(root, ignore_errors=True)  # a builder that failed half-way
        root.mkdir()
        result = build(root / "built")
        done.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def sample_raw(tmp_path_factory):
    """The full embedded sample, written once per test run (read only: copy it to change it)."""
    from scp_metrics.sample import generate_sample

    def build(out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        generate_sample(out)
        return out

    return _built_once(tmp_path_factory, "sample_raw", build)


@pytest.fixture(scope="session")
def sample_refresh(sample_raw, tmp_path_factory):
    """``(settings, summary)`` of one local-engine refresh of the sample, outputs published.

    Built once per test run; each worker gets its own copy of the warehouse, quarantine and
    outputs (so no two processes open one DuckDB file). Treat it as read-only all the same:
    tests that change it make their own."""
    import dataclasses

    from scp_metrics.steps import run_refresh

    def settings_in(base: Path):  # noqa: ANN202
        return _settings_in(sample_raw, base)

    def build(base: Path) -> tuple[Path, object]:
        base.mkdir(parents=True, exist_ok=True)
        return base, run_refresh(settings_in(base))

    built, summary = _built_once(tmp_path_factory, "sample_refresh", build)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return settings_in(built), summary
    base = tmp_path_factory.mktemp("sample_wh")
    shutil.copytree(built, base, dirs_exist_ok=True)
    settings, outputs = settings_in(base), summary.outputs_dir
    if outputs is not None:
        outputs = str(base / Path(outputs).relative_to(built))
        # the warehouse remembers the folder it published to: the copy's is the copied one
        # (else the next refresh of the copy publishes again, as after a user moves outputs)
        from scp_metrics.steps.publishing import record_publication

        record_publication(settings, Path(outputs))
    return settings, dataclasses.replace(summary, warehouse=str(base / "scp.duckdb"),
                                         outputs_dir=outputs)


@pytest.fixture(scope="session")
def realdata_refresh(tmp_path_factory):
    """A function ``copy(folder) -> (settings, summary, seconds)``: a private copy, in ``folder``,
    of one local-engine refresh of ``../shared/realdata`` without publishing (65 files, about
    half a minute), built once per test run and shared by the xdist workers; ``seconds`` is how
    long that refresh took. Skips when ``../shared`` is absent."""
    import dataclasses
    import time

    from scp_metrics.steps import run_refresh

    realdata = shared_or_skip("realdata")

    def settings_in(base: Path):  # noqa: ANN202
        return _settings_in(realdata, base)

    def build(base: Path) -> tuple[Path, object, float]:
        base.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        summary = run_refresh(settings_in(base), publish=False)
        return base, summary, time.monotonic() - started

    built, summary, seconds = _built_once(tmp_path_factory, "realdata_refresh", build)

    def copy(folder: Path) -> tuple[object, object, float]:
        shutil.copytree(built, folder, dirs_exist_ok=True)
        return (settings_in(folder),
                dataclasses.replace(summary, warehouse=str(folder / "scp.duckdb")), seconds)

    return copy
