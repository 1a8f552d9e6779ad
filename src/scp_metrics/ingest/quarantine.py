"""Quarantine: a refused file is kept out of the warehouse, with a report saying why."""

from __future__ import annotations

import shutil
from pathlib import Path

from scp_metrics.ingest.engine import ValidationResult
from scp_metrics.ingest.guard import carries_personal_data
from scp_metrics.settings import Settings


def quarantine(result: ValidationResult, settings: Settings, run_id: str) -> Path:
    """Copy a refused file to the quarantine folder with its report (CSV and Markdown)."""
    folder = settings.quarantine_dir / run_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / result.path.name
    personal = carries_personal_data(result.failures)
    if not personal:  # a file carrying personal data is not copied anywhere (privacy.py)
        shutil.copy2(result.path, target)
    report_csv = folder / f"{result.path.name}.report.csv"
    result.failures.to_csv(report_csv, index=False)
    source = result.source.title if result.source else "unrecognised"
    lines = [f"# {result.path.name}: refused", "",
             f"Source: {source}. Original: `{result.path}`.", "",
             f"{len(result.failures)} problem(s); the file was not loaded and nothing already "
             "in the warehouse changed.", ""]
    if personal:
        lines += ["**The file carries personal data**: it was not copied here and no value is "
                  "shown below. Delete the original, tell the sender, and ask for an extract "
                  "without personal identifiers.", ""]
    lines += ["| row | column | check | value |", "|---:|---|---|---|"]
    for f in result.failures.head(500).itertuples(index=False):
        lines.append(f"| {'' if f.row is None or f.row != f.row else int(f.row)} | "
                     f"{f.column or ''} | {f.check} | {f.value or ''} |")
    if len(result.failures) > 500:
        lines.append(f"| … | | {len(result.failures) - 500} more in the CSV report | |")
    (folder / f"{result.path.name}.report.md").write_text("\n".join(lines) + "\n")
    return report_csv
