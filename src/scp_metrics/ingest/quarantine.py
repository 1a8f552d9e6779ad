"""Quarantine: a refused file is kept out of the warehouse, with a report saying why.

A refused file of a recognised aggregate source is copied beside its report, so that the
sender's error can be looked at. A file of a person-level source (police records, ED
attendances, MARAC, fire incidents, survey respondents), a file that carries personal data, or
a file that no source recognises (a patient export, a password file, a binary), is **never
copied**: the report records it by name, size and
sha256 and asks for it to be deleted from the raw folder and re-requested. Copying it would
spread what may be personal data to a second folder that has no retention rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from scp_metrics.escaping import md_cell, neutralise
from scp_metrics.ingest.engine import ValidationResult
from scp_metrics.ingest.guard import carries_personal_data
from scp_metrics.settings import Settings


def quarantine(result: ValidationResult, settings: Settings, run_id: str,
               sha256: str | None = None) -> Path:
    """Record a refused file in the quarantine folder (its report, CSV and Markdown; a copy of
    the file only when it is a recognised source without person-level rows or personal data)."""
    guarded = bool(result.source and result.source.personal_data_guard)
    return quarantine_file(result.path, result.source.title if result.source else None,
                           result.failures, settings, run_id, sha256, copy=not guarded)


def quarantine_file(path: Path, source: str | None, failures: pd.DataFrame, settings: Settings,
                    run_id: str, sha256: str | None = None, *, copy: bool = True) -> Path:
    """:func:`quarantine` of a file known by its path, source title (None: unrecognised) and
    failures (``file, row, column, check, value``). ``copy=False``: never copied (a
    person-level source, whose rows are about people even when no identifier was found)."""
    folder = settings.quarantine_dir / run_id
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(path).name
    target = folder / name
    personal = carries_personal_data(failures)
    copied = copy and source is not None and not personal
    if copied:
        try:
            shutil.copy2(path, target)
        except OSError:
            copied = False  # unreadable: recorded by name only
    report_csv = folder / f"{name}.report.csv"
    failures.map(neutralise).to_csv(report_csv, index=False)  # no live formula from a cell
    try:
        size = f"{Path(path).stat().st_size:,} bytes"
    except OSError:
        size = "size unknown"
    lines = [f"# {md_cell(name)}: refused", "",
             f"Source: {md_cell(source or 'unrecognised')}. Original: {md_cell(str(path))} "
             f"({size}, sha256 {sha256 or 'not read'}).", "",
             f"{len(failures)} problem(s); the file was not loaded and nothing already "
             "in the warehouse changed.", ""]
    if personal:
        lines += ["**The file carries personal data**: it was not copied here and no value is "
                  "shown below. Delete the original, tell the sender, and ask for an extract "
                  "without personal identifiers.", ""]
    elif not copy and source is not None:
        lines += ["**The file was not copied here** and no value is shown below: it holds "
                  "person-level rows. Open the original in the raw folder at the rows named "
                  "below, then ask the sender for a corrected extract.", ""]
    elif not copied:
        lines += ["**The file was not copied here** (it is not an extract this pipeline "
                  "recognises, or it could not be read, and may hold anything). Delete it from "
                  "the raw folder and, if it was meant to be an extract, ask the sender for it "
                  "again.", ""]
    lines += ["| row | column | check | value |", "|---:|---|---|---|"]
    for f in failures.head(500).itertuples(index=False):
        lines.append(f"| {'' if f.row is None or f.row != f.row else int(f.row)} | "
                     f"{md_cell(f.column)} | {md_cell(f.check)} | {md_cell(f.value)} |")
    if len(failures) > 500:
        lines.append(f"| … | | {len(failures) - 500} more in the CSV report | |")
    (folder / f"{name}.report.md").write_text("\n".join(lines) + "\n")
    return report_csv
