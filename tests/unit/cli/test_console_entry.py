"""The console script (``scp_metrics.cli:entry``) exits with the command's status, keeps every
line the command wrote to stderr, and drops what the interpreter's teardown writes after it
(DuckDB's nanobind "leaked instance" notices after a Prefect run: about 40 lines a refresh)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import atexit, os, sys
atexit.register(lambda: os.write(2, b"nanobind: leaked 27 instances!"))  # as at teardown
sys.argv = ["scp-metrics", "refresh", "--engine", "local", "--raw-dir", "/no/such/folder"]
from scp_metrics.cli import entry
entry()
"""


def test_the_command_s_error_and_status_survive_and_teardown_noise_does_not():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "error: raw folder /no/such/folder does not exist" in done.stderr
    assert "leaked" not in done.stderr
