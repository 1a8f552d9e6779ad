"""Record the golden outputs: ``python -m tests.golden.record [--only GROUP ...]``.

Run it only to re-record on purpose (a change that alters values for a stated reason, in the
same commit that says why). Groups: ``validate``, ``cases``, ``bad``, ``mini``, ``sample``, ``realdata``
(the last needs ``../shared/realdata``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.golden.harness import (
    BAD,
    BASELINE,
    GOLDEN,
    MINI_RAW,
    case_records,
    extract_files,
    ingest_each,
    ingest_folder,
    validate_record,
    write_json,
    write_marts,
)

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
GROUPS = ("validate", "cases", "bad", "mini", "sample", "realdata")


def record(groups: tuple[str, ...], work: Path) -> None:
    if "validate" in groups:
        for name, folder in (("bad", BAD), ("baseline", BASELINE), ("mini_raw", MINI_RAW),
                             ("realdata", REALDATA)):
            if folder.exists():
                write_json(GOLDEN / "validate" / f"{name}.json",
                           [validate_record(p) for p in extract_files(folder)])
    if "cases" in groups:
        folder = work / "cases"
        folder.mkdir(parents=True)
        write_json(GOLDEN / "cases.json", case_records(folder))
    if "bad" in groups:
        base = work / "baseline"
        write_json(GOLDEN / "ingest" / "baseline.json", ingest_folder(BASELINE, base, build=False))
        write_json(GOLDEN / "ingest" / "bad.json",
                   ingest_each(extract_files(BAD), base / "scp.duckdb", work / "bad"))
    if "mini" in groups:
        write_json(GOLDEN / "ingest" / "mini_raw.json", ingest_folder(MINI_RAW, work / "mini",
                                                                      build=True))
        write_marts(work / "mini" / "scp.duckdb", GOLDEN / "marts" / "mini_raw")
    if "sample" in groups:
        from scp_metrics.sample import generate_sample

        raw = work / "sample_raw"
        generate_sample(raw)
        write_json(GOLDEN / "ingest" / "sample.json", ingest_folder(raw, work / "sample",
                                                                    build=True))
        write_marts(work / "sample" / "scp.duckdb", GOLDEN / "marts" / "sample")
    if "realdata" in groups and REALDATA.exists():
        write_json(GOLDEN / "ingest" / "realdata.json", ingest_folder(REALDATA, work / "real",
                                                                      build=True))
        write_marts(work / "real" / "scp.duckdb", GOLDEN / "marts" / "realdata")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=GROUPS, default=list(GROUPS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for group in args.only:
            started = time.monotonic()
            record((group,), Path(tmp) / group)
            print(f"{group}: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
