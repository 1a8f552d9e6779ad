"""Only ``settings.py`` reads the environment; everything else receives settings explicitly.

The entry points (the CLI's ``main``, the Prefect flow, the notebooks' API) call
``get_settings()`` once; no other module does. The modules that still call it are listed with
their folder's owner while issue 12 is worked on; the list must end empty.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "src/scp_metrics/settings.py"
ENTRY_POINTS = {"src/scp_metrics/cli/__init__.py", "pipelines/quarterly_refresh.py",
                "src/scp_metrics/api.py"}
STILL_CALLING_GET_SETTINGS: set[str] = set()


def modules() -> dict[str, ast.Module]:
    files = [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("pipelines").rglob("*.py")]
    return {p.relative_to(ROOT).as_posix(): ast.parse(p.read_text(encoding="utf-8")) for p in files}


def reads_environment(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(a.name in ("environ", "getenv") for a in node.names):
            return True
    return False


def calls_get_settings(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
               == "get_settings" for node in ast.walk(tree))


def test_only_settings_py_reads_the_environment():
    readers = {name for name, tree in modules().items() if reads_environment(tree)}
    assert readers == {SETTINGS}


def test_the_check_sees_environ_and_getenv():
    assert reads_environment(ast.parse("import os\nx = os.environ.get('A')"))
    assert reads_environment(ast.parse("from os import getenv\nx = getenv('A')"))
    assert not reads_environment(ast.parse("x = {'environ': 1}"))


def test_only_entry_points_call_get_settings():
    callers = {name for name, tree in modules().items() if calls_get_settings(tree)} - {SETTINGS}
    assert callers - ENTRY_POINTS <= STILL_CALLING_GET_SETTINGS, callers - ENTRY_POINTS
    done = STILL_CALLING_GET_SETTINGS - callers
    assert not done, f"{sorted(done)} no longer call get_settings(): remove them from the list"
