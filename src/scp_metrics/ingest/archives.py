"""police.uk archives as people download them (issue 16, item 3).

data.police.uk's downloads are zip files (``2019-01.zip``, or a custom download of several
months and forces) holding ``YYYY-MM/YYYY-MM-<force>-street.csv``, ``-outcomes.csv`` and
``-stop-and-search.csv``. A zip in the raw folder is opened here, before anything is loaded:

* its street files are extracted to a staging folder beside the warehouse
  (``<warehouse>.archives/<the archive's sha256>/YYYY-MM/…-street.csv``) and take the archive's
  place in the list of extracts, so each member is identified, validated, keyed (its sha256 is
  of the same bytes as the loose ``.csv`` or ``.csv.gz``) and reported like a loose file: a
  member already loaded from a loose file is "unchanged", and the other way round;
* outcomes and stop-and-search files are noted on the archive's first street file and skipped;
  any other member is noted and skipped too;
* an archive that breaks a cap (:class:`ArchiveLimits`: members, a member's size, the total size,
  the compression ratio, all from the zip's directory before a byte is inflated, and again while
  inflating), that is damaged, or that holds no street file, stays in the list and is refused
  by :func:`refusal` with one sentence saying what to do.

The caps come from ``config/limits.toml`` ``[archives]`` when it has one (``max_members``,
``max_member_mb``, ``max_total_mb``, ``max_ratio``), else the defaults below.
"""

from __future__ import annotations

import re
import shutil
import tomllib
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

__all__ = ["ArchiveError", "ArchiveLimits", "expand", "is_archive", "is_member", "notes_for",
           "read_limits", "refusal", "staging_root"]

#: ``YYYY-MM/YYYY-MM-<force>-<kind>.csv`` (any folder in front; the month repeated in the name)
MEMBER = re.compile(r"^(?:.*/)?(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9][a-z0-9-]*?)-"
                    r"(?P<kind>street|outcomes|stop-and-search)\.csv$")
_CHUNK = 1 << 20


class ArchiveError(Exception):
    """An archive that is not loaded (the message is one sentence with the next step)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps an archive must keep to before anything is extracted (zip bombs)."""

    max_members: int = 10_000
    max_member_mb: int = 1_024
    max_total_mb: int = 16_384
    max_ratio: int = 200


def read_limits(config_dir: Path) -> ArchiveLimits:
    """``config/limits.toml`` ``[archives]`` (unknown keys refused), else the defaults."""
    path = Path(config_dir) / "limits.toml"
    if not path.is_file():
        return ArchiveLimits()
    with open(path, "rb") as fh:
        table: dict[str, Any] = tomllib.load(fh).get("archives", {})
    known = {f.name for f in fields(ArchiveLimits)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"limits.toml [archives]: unknown key(s) {', '.join(unknown)}; "
                         f"use {', '.join(sorted(known))}")
    for key, value in table.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"limits.toml [archives] {key}: {value!r} is not a whole number "
                             "above 0")
    return ArchiveLimits(**table)


def is_archive(path: Path) -> bool:
    return Path(path).suffix.lower() == ".zip"


def staging_root(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".archives")


_NOTES: dict[str, list[str]] = {}
_REFUSED: dict[str, str] = {}


def is_member(path: Path, warehouse: Path) -> bool:
    """Whether ``path`` is a street file :func:`expand` extracted from an archive of the raw
    folder (it lies in the warehouse's staging folder, not a link)."""
    path = Path(path)
    return not path.is_symlink() and staging_root(warehouse) in path.parents


def notes_for(path: Path) -> list[str]:
    """The notes of an extracted member (its archive; the members skipped beside it)."""
    return list(_NOTES.get(str(Path(path)), []))


def refusal(path: Path) -> str:
    """Why an archive left in the list of extracts is not loaded."""
    return _REFUSED.get(str(Path(path)), "a readable police.uk archive: it could not be opened; "
                        "download it again and refresh")


def _check(archive: zipfile.ZipFile, name: str, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The members to extract, after every cap is checked on the zip's directory."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ArchiveError(f"at most {limits.max_members:,} members in an archive: {name} has "
                           f"{len(infos):,}; split the download (config/limits.toml [archives] "
                           "max_members)")
    street = [i for i in infos if not i.is_dir() and (m := MEMBER.match(i.filename))
              and m["kind"] == "street"]
    total = 0
    for info in street:
        size_mb = info.file_size / 2**20
        if size_mb > limits.max_member_mb:
            raise ArchiveError(f"at most {limits.max_member_mb:,} MB a member: {info.filename} in "
                               f"{name} inflates to {size_mb:,.0f} MB; check the download "
                               "(config/limits.toml [archives] max_member_mb)")
        if info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveError(f"a compression ratio of at most {limits.max_ratio}: "
                               f"{info.filename} in {name} inflates "
                               f"{info.file_size / max(info.compress_size, 1):,.0f} times (a zip "
                               "bomb?); download it again from data.police.uk")
        total += info.file_size
    if total / 2**20 > limits.max_total_mb:
        raise ArchiveError(f"at most {limits.max_total_mb:,} MB of street files in an archive: "
                           f"{name} inflates to {total / 2**20:,.0f} MB; split the download "
                           "(config/limits.toml [archives] max_total_mb)")
    if not street:
        raise ArchiveError(f"street-level crime files (YYYY-MM/YYYY-MM-<force>-street.csv) in "
                           f"{name}: it has none; download the street files from data.police.uk")
    return street


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, name: str,
             limits: ArchiveLimits) -> None:
    """Inflate one member, stopping at its declared size (a directory that lies is refused)."""
    if target.is_file() and target.stat().st_size == info.file_size:
        return  # extracted by an earlier refresh (the folder is named by the archive's sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    written = 0
    cap = min(info.file_size, limits.max_member_mb * 2**20)
    with archive.open(info) as src, open(partial, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > cap:
                partial.unlink(missing_ok=True)
                raise ArchiveError(f"members that inflate to their declared size: "
                                   f"{info.filename} in {name} inflates beyond it; download the "
                                   "archive again")
            out.write(chunk)
    partial.replace(target)


def _open(path: Path, sha: str, stage: Path, limits: ArchiveLimits) -> list[Path]:
    try:
        with zipfile.ZipFile(path) as archive:
            street = _check(archive, path.name, limits)
            skipped = [i.filename for i in archive.infolist() if not i.is_dir()
                       and i not in street]
            members = []
            for info in street:
                match = MEMBER.match(info.filename)
                assert match is not None
                target = stage / sha[:16] / match["month"] / Path(info.filename).name
                _extract(archive, info, target, path.name, limits)
                members.append(target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError,
            NotImplementedError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise ArchiveError(f"a readable zip archive: {path.name} cannot be opened "
                           f"({type(exc).__name__}); download it again and refresh") from exc
    members.sort()
    for member in members:
        _NOTES[str(member)] = [f"from the archive {path.name}"]
    kinds: dict[str, int] = {}
    for name in skipped:
        match = MEMBER.match(name)
        kind = f"{match['kind']} files" if match else "other files"
        kinds[kind] = kinds.get(kind, 0) + 1
    if kinds:
        _NOTES[str(members[0])].append(
            f"skipped in {path.name} (not loaded): "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
    return members


def expand(paths: list[Path], warehouse: Path, config_dir: Path,
           sha256: Any = None) -> list[Path]:
    """``paths`` with each zip archive replaced by its street files (extracted to the staging
    folder beside ``warehouse``); a refused archive stays, for :func:`refusal`. ``sha256(path)``
    fingerprints an archive (default: read it). Staging folders of archives no longer in the
    raw folder are removed."""
    if not any(is_archive(p) for p in paths):
        return paths
    from scp_metrics.ingest.files import sha256_file

    limits = read_limits(config_dir)
    stage = staging_root(warehouse)
    fingerprint = sha256 or sha256_file
    out: list[Path] = []
    kept: set[str] = set()
    for path in paths:
        if not is_archive(path):
            out.append(path)
            continue
        try:
            try:
                sha = fingerprint(path)
            except OSError as exc:
                raise ArchiveError(f"a readable zip archive: {path.name} cannot be read "
                                   f"({exc.strerror or type(exc).__name__}); copy it again and "
                                   "refresh") from exc
            kept.add(sha[:16])
            out.extend(_open(path, sha, stage, limits))
        except ArchiveError as exc:
            _REFUSED[str(Path(path))] = str(exc)
            out.append(path)
    if stage.is_dir():
        for folder in stage.iterdir():
            if folder.is_dir() and folder.name not in kept:
                shutil.rmtree(folder, ignore_errors=True)
    return out
