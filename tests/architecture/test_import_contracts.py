"""The layer rules are executable: ``lint-imports`` (``make lint``) checks the contracts in
pyproject.toml, and each contract catches the import it exists to forbid."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.application.use_cases import _register_built_in_contract_types
from importlinter.domain.contract import registry

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def config() -> dict:
    _register_built_in_contract_types()
    return api.read_configuration(str(ROOT / "pyproject.toml"))


@pytest.fixture(scope="module")
def graph(config) -> grimp.ImportGraph:
    options = config["session_options"]
    return grimp.build_graph(*options["root_packages"],
                             include_external_packages=options["include_external_packages"],
                             cache_dir=None)


def contract(config, name_start: str):
    options = next(c for c in config["contracts_options"] if c["name"].startswith(name_start))
    cls = registry.get_contract_class(options["type"])
    return cls(name=options["name"], session_options=config["session_options"],
               contract_options=options)


def kept(config, graph, name_start: str, *extra_imports: tuple[str, str]) -> bool:
    """Whether the contract holds on the real graph with ``extra_imports`` added."""
    changed = copy.deepcopy(graph)
    for importer, imported in extra_imports:
        changed.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    return contract(config, name_start).check(changed, verbose=False).kept


def test_lint_imports_keeps_every_contract():
    proc = subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_the_layers_run_from_the_cli_down_to_settings(config):
    layers = next(c for c in config["contracts_options"] if c["type"] == "layers")["layers"]
    flat = [name.strip() for layer in layers for name in layer.split("|")]
    order = ["scp_metrics.cli", "pipelines", "scp_metrics.steps", "scp_metrics.publish",
             "scp_metrics.warehouse", "scp_metrics.indicators", "scp_metrics.stats",
             "scp_metrics.sources", "scp_metrics.config", "scp_metrics.settings"]
    assert [flat.index(name) for name in order] == sorted(flat.index(name) for name in order)


@pytest.mark.parametrize(("contract_name", "importer", "imported"), [
    ("layers", "scp_metrics.stats.intervals", "scp_metrics.warehouse.connection"),
    ("layers", "scp_metrics.warehouse.build", "scp_metrics.publish.suppression"),
    ("layers", "scp_metrics.settings", "scp_metrics.config.catalogue"),
    ("compute is pure", "scp_metrics.stats.intervals", "duckdb"),
    ("compute is pure", "scp_metrics.targets.backtest", "duckdb"),
    ("duckdb only", "scp_metrics.publish.suppression", "duckdb"),
    ("duckdb only", "scp_metrics.cli.common", "duckdb"),
    ("prefect only", "scp_metrics.steps", "prefect"),
    ("pipelines only", "scp_metrics.steps", "pipelines.quarterly_refresh"),
    ("no import cycles", "scp_metrics.stats.intervals", "scp_metrics.stats.change"),
])
def test_each_contract_refuses_the_import_it_forbids(config, graph, contract_name, importer, imported):
    assert kept(config, graph, contract_name)
    assert not kept(config, graph, contract_name, (importer, imported))


def test_no_contract_has_exceptions():
    """Issue 12's acceptance: the rules are absolute; no import is let off any contract."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"]
    assert len(contracts) == 6
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []
