"""Per-source, per-period random generators keyed on stable integers."""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["rng_for"]


def _key(part: int | str) -> int:
    if isinstance(part, int):
        if part < 0:
            raise ValueError("seed keys must be non-negative")
        return part
    return zlib.crc32(part.encode("utf-8"))


def rng_for(seed: int, *keys: int | str) -> np.random.Generator:
    """A PCG64 generator for ``seed`` and a stable key path, e.g. ``("police", 2009, 3)``.

    Strings are keyed by CRC-32 (stable across runs and machines), so one file's stream
    never depends on which other files were generated first.
    """
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=tuple(_key(k) for k in keys))
    return np.random.Generator(np.random.PCG64(sequence))
