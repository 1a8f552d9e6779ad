"""Most Similar Group membership for Southampton."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .catalogue import load_areas
from .writers import csv_bytes, write_bytes

__all__ = ["write_msg"]

GROUP_ID = "E06000045"


def write_msg(
    out_dir: Path, seed: int, progress: Callable[[str], None] | None, config_dir: Path
) -> list[Path]:
    """Write ``msg/msg_membership_E06000045.csv``: Southampton's group of 15 (itself included)."""
    del seed  # membership is data, not random
    if progress:
        progress("msg membership")
    frame = pd.DataFrame(
        {
            "group_id": GROUP_ID,
            "area_code": [a.code for a in load_areas(config_dir)],
            "area_name": [a.name for a in load_areas(config_dir)],
        }
    )
    return [write_bytes(out_dir / "msg" / f"msg_membership_{GROUP_ID}.csv", csv_bytes(frame))]
