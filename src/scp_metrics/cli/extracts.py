"""``scp-metrics sample`` and ``scp-metrics validate``: write the synthetic extracts; check files
against their schemas without loading anything."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scp_metrics.cli.common import UserError, print_frame, say
from scp_metrics.settings import Settings


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.sample import generate_sample

    out = Path(args.out) if args.out else settings.raw_dir
    started = time.monotonic()
    shown = [started, 0]  # time of the last line, extracts done

    def every_few_seconds(message: str) -> None:  # one line every 3 s, not one per extract
        shown[1] += 1
        now = time.monotonic()
        if now - shown[0] >= 3.0:
            shown[0] = now
            say(f"  sample: {shown[1]} extracts written or unchanged ({now - started:.0f} s), "
                f"now {message}")

    paths = generate_sample(out, progress=every_few_seconds, config_dir=settings.config_dir)
    size = sum(p.stat().st_size for p in paths)
    say(f"Sample extracts: {len(paths)} files ({size / 1e6:.1f} MB) in {out} "
        f"({time.monotonic() - started:.1f} s). All synthetic: see data/raw/README.md.")
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from scp_metrics.ingest.engine import validate_file

    failed = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UserError(f"{name}: no such file")
        result = validate_file(path, config_dir=settings.config_dir)
        if result.ok:
            assert result.source is not None
            note = f" ({'; '.join(result.notes)})" if result.notes else ""
            say(f"OK    {path.name}: {result.source.title}, {result.rows:,} rows, "
                f"{result.period_label or 'no period'}{note}")
            continue
        failed += 1
        what = result.source.title if result.source else "unrecognised file"
        say(f"FAIL  {path.name}: {what}, {len(result.failures)} problem(s)")
        print_frame(result.failures.head(args.max_rows), "table")
        if len(result.failures) > args.max_rows:
            say(f"      … and {len(result.failures) - args.max_rows} more")
    if failed:
        say(f"{failed} of {len(args.files)} files failed validation; nothing was loaded.")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="write the embedded synthetic sample extracts")
    p.add_argument("--out", help="folder (default: data/raw/sample or $SCP_RAW_DIR)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("validate", help="check files against their schemas without loading")
    p.add_argument("files", nargs="+")
    p.add_argument("--max-rows", type=int, default=30, help="problems to list per file")
    p.set_defaults(func=cmd_validate)
