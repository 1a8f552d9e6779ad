"""What a refresh did: each file's outcome and the run's summary (terminal headline, the
Markdown of ``refresh_summary.md`` and the Prefect artifact, every text from a file escaped)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scp_metrics.escaping import md_cell


@dataclass
class FileOutcome:
    """What happened to one file in a refresh."""

    file: str
    sha256: str
    status: str  # loaded | unchanged | quarantined
    source: str | None = None
    rows: int = 0
    period: str | None = None
    batch_id: int | None = None
    replaced_rows: int = 0
    failures: int = 0
    first_failures: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: str | None = None
    shrunk: list[str] = field(default_factory=list)
    """Areas and months a re-issue accepted with ``--accept-shrink`` no longer covers."""
    withdraw: tuple[int, ...] = ()
    """Batches of this run refused together with this file (same rows delivered twice)."""


@dataclass
class RefreshSummary:
    run_id: str
    warehouse: str
    files: list[FileOutcome]
    marts_rebuilt: bool
    mart_rows: dict[str, int]
    outputs_dir: str | None
    seconds: float
    not_computed: list[str] = field(default_factory=list)
    """Series the build could not compute (``mart_data_quality``'s ``series_not_computed``)."""
    charts_failed: list[str] = field(default_factory=list)
    """Charts of the pack that failed to draw (``charts/index.csv``)."""

    @property
    def loaded(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "loaded"]

    @property
    def quarantined(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "quarantined"]

    @property
    def unchanged(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "unchanged"]

    @property
    def exit_code(self) -> int:
        """0: everything loaded and published; 1: some files refused, or some series or charts
        not produced (each listed); a failure of the run itself raises instead (exit 2)."""
        return 1 if self.quarantined or self.not_computed or self.charts_failed else 0

    @property
    def nothing_changed(self) -> bool:
        return not self.loaded and not self.marts_rebuilt

    def headline(self) -> str:
        if self.nothing_changed and not self.quarantined:
            return (f"Nothing changed: all {len(self.unchanged)} files were already loaded; "
                    f"marts left as they were.")
        parts = [f"{len(self.loaded)} files loaded ({sum(f.rows for f in self.loaded):,} rows)",
                 f"{len(self.unchanged)} unchanged",
                 f"{len(self.quarantined)} refused and quarantined"]
        if self.not_computed:
            parts.append(f"{len(self.not_computed)} series not computed")
        if self.charts_failed:
            parts.append(f"{len(self.charts_failed)} charts not drawn")
        return "; ".join(parts) + "."

    def to_markdown(self) -> str:
        lines = [f"# Quarterly refresh {self.run_id}", "", md_cell(self.headline()), "",
                 f"Warehouse: {md_cell(self.warehouse)}", ""]
        if self.mart_rows:
            lines += ["| mart | rows |", "|---|---:|"]
            lines += [f"| {k} | {v:,} |" for k, v in self.mart_rows.items()]
            lines.append("")
        if self.loaded:
            lines += ["## Files loaded", "", "| file | source | period | rows | batch | replaced rows |",
                      "|---|---|---|---:|---:|---:|"]
            lines += [f"| {md_cell(f.file)} | {md_cell(f.source)} | {md_cell(f.period)} | "
                      f"{f.rows:,} | {f.batch_id} | {f.replaced_rows:,} |" for f in self.loaded]
            shrunk = [f for f in self.loaded if f.shrunk]
            if shrunk:
                lines += ["", "Coverage shrank (accepted with --accept-shrink):", ""]
                lines += [f"- {md_cell(f.file)}: {md_cell('; '.join(f.shrunk))}" for f in shrunk]
            lines.append("")
        if self.quarantined:
            lines += ["## Files refused (quarantined)", "",
                      "| file | failures | first failure | report |", "|---|---:|---|---|"]
            for f in self.quarantined:
                first = f.first_failures[0] if f.first_failures else {}
                where = ", ".join(str(x) for x in (
                    f"row {first.get('row')}" if first.get("row") is not None else None,
                    first.get("column"), first.get("check")) if x)
                lines.append(f"| {md_cell(f.file)} | {f.failures} | {md_cell(where)} | "
                             f"{md_cell(f.report)} |")
            lines.append("")
        if self.not_computed:
            lines += ["## Series not computed (the build went on without them)", ""]
            lines += [f"- {md_cell(item)}" for item in self.not_computed]
            lines.append("")
        return "\n".join(lines)
