"""Plausibility and resource limits (``config/limits.toml``), with their defaults.

Every refusal they cause names the limit's key and this file, so the user can raise it when a
genuine extract needs more (:mod:`scp_metrics.ingest.limits` applies the resource limits, the
period rules of :mod:`scp_metrics.ingest.periods` the periods).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

__all__ = ["FILE", "Limits", "read_limits"]

FILE = "limits.toml"


@dataclass(frozen=True)
class Limits:
    earliest_period: date = date(1998, 4, 1)
    """No row's period may start before this (nor after today)."""
    earliest_date: date = date(1920, 1, 1)
    """No date in a date column may be before this."""
    max_decompressed_bytes: int = 1_000_000_000
    max_compression_ratio: int = 200
    max_rows: int = 20_000_000
    max_sheet_rows: int = 500_000
    max_columns: int = 300
    max_cell_chars: int = 10_000
    keep_snapshots: int = 3
    """Snapshots of the warehouse kept (one taken before every refresh writes; 0: none)."""

    def where(self, key: str) -> str:
        """How a message names a limit: ``max_cell_chars = 10,000 (config/limits.toml)``."""
        value = getattr(self, key)
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        return f"{key} = {shown} (config/{FILE})"


_SECTIONS = {"periods": ("earliest_period", "earliest_date"),
             "resources": ("max_decompressed_bytes", "max_compression_ratio", "max_rows",
                           "max_sheet_rows", "max_columns", "max_cell_chars"),
             "snapshots": ("keep_snapshots",)}


@functools.lru_cache(maxsize=8)
def read_limits(config_dir: Path) -> Limits:
    """``config/limits.toml`` (defaults for what it leaves out, all of them when it is absent).

    Raises
    ------
    ValueError
        Naming the file and the key: an unknown section or key, a date that is not
        ``YYYY-MM-DD``, a limit that is not a whole number of at least 1.
    """
    path = Path(config_dir) / FILE
    if not path.is_file():
        return Limits()
    data = tomllib.loads(path.read_text())
    extra = sorted(set(data) - set(_SECTIONS))
    if extra:
        raise ValueError(f"{FILE}: unknown section(s) {', '.join(extra)}")
    values: dict[str, object] = {}
    for section, keys in _SECTIONS.items():
        table = data.get(section, {})
        unknown = sorted(set(table) - set(keys))
        if unknown:
            raise ValueError(f"{FILE}: [{section}] {', '.join(unknown)}: unknown key")
        for key in keys:
            if key not in table:
                continue
            value = table[key]
            if key.startswith("earliest"):
                try:
                    values[key] = value if isinstance(value, date) else date.fromisoformat(value)
                except (TypeError, ValueError):
                    raise ValueError(f"{FILE}: [{section}] {key}: must be a date YYYY-MM-DD, "
                                     f"not {value!r}") from None
            elif isinstance(value, bool) or not isinstance(value, int) or \
                    value < (0 if key == "keep_snapshots" else 1):
                least = 0 if key == "keep_snapshots" else 1
                raise ValueError(f"{FILE}: [{section}] {key}: must be a whole number of at "
                                 f"least {least}, not {value!r}")
            else:
                values[key] = value
    assert {f.name for f in fields(Limits)} == {k for ks in _SECTIONS.values() for k in ks}
    return Limits(**values)  # type: ignore[arg-type]
