"""Pandera's first model schema does not import ``dask.dataframe`` (0.46 s a process:
``scp_metrics._pandera_types``), and the models still build and validate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEGATIVE = ROOT / "tests" / "data" / "bad" / "ho_negative_count_2009-10_Q1.csv"


def test_pandera_builds_and_validates_without_importing_dask_dataframe():
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from scp_metrics.sources import SOURCES\n"
        "from scp_metrics.ingest.engine import validate_file\n"
        "assert all(s.columns for s in SOURCES)\n"
        f"r = validate_file(Path({str(NEGATIVE)!r}), config_dir=Path({str(ROOT / 'config')!r}))\n"
        "assert not r.ok and 'greater_than_or_equal_to' in ' '.join(r.failures['check']), r.failures\n"
        "print('dask.dataframe' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
