"""Benchmark scales: how many areas, years and record-level rows each one generates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    areas: int
    """Community Safety Partnerships in the Home Office CSP tables (the home area included)."""
    years: int
    """Financial years of history, ending with the new quarter that the incremental test adds."""
    record_rows: int
    """Force record-level crime rows (home area), spread evenly over every quarter."""
    police_uk_rows: int
    """data.police.uk street-level rows (latest months, every force with a benchmark area)."""
    police_uk_months: int = 3
    start_fy: int = 2003

    @property
    def quarters(self) -> int:
        return 4 * self.years


SCALES: dict[str, Scale] = {
    # the e2e test's scale (tests/e2e/test_benchmark.py): every phase runs, in about a minute
    "tiny": Scale("tiny", areas=6, years=3, record_rows=24_000, police_uk_rows=0, start_fy=2007),
    "small": Scale("small", areas=20, years=3, record_rows=150_000, police_uk_rows=0,
                   start_fy=2007),
    "medium": Scale("medium", areas=300, years=15, record_rows=5_000_000,
                    police_uk_rows=300_000),
    "large": Scale("large", areas=300, years=15, record_rows=20_000_000,
                   police_uk_rows=1_000_000),
}
