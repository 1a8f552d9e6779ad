"""The delivered files: which files in the raw folder are extracts, and their content hash."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

SKIP_SUFFIXES = {".md", ".txt", ".json", ".toml", ".lock"}


def sha256_file(path: Path) -> str:
    """sha256 of the file's content: of the uncompressed bytes for a gzipped file, so one
    extract delivered plain and gzipped (or renamed) is recognised as already loaded."""
    with open(path, "rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    if gzipped:
        digest = hashlib.sha256()
        try:
            with gzip.open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest()
        except (OSError, EOFError):
            pass  # not a valid gzip: fingerprint the bytes; validation reports the file
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discover_extracts(raw_dir: Path) -> list[Path]:
    """Every file under ``raw_dir`` that could be an extract, in a stable order."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist")
    files = [p for p in raw_dir.rglob("*") if p.is_file() and not p.name.startswith(".")
             and p.suffix.lower() not in SKIP_SUFFIXES]
    return sorted(files, key=lambda p: str(p.relative_to(raw_dir)))
