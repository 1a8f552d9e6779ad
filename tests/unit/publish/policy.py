"""A config for tests of the suppression mechanics on police-like indicators."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from scp_metrics.settings import PROJECT_ROOT


def default_policy_config(tmp_path: Path) -> Path:
    """A copy of ``config/`` whose ``privacy.toml`` has no ``[source.*]`` policy: every
    indicator falls under the default ``[suppression]`` rule (counts 1 to 4), as police counts
    did before the per-source policy made them open."""
    config = tmp_path / "config_default_policy"
    shutil.copytree(PROJECT_ROOT / "config", config)
    text = (config / "privacy.toml").read_text()
    (config / "privacy.toml").write_text(re.split(r"^\[source\.", text, flags=re.M)[0])
    return config
