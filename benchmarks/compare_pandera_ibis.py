"""Pandera's DuckDB backend through Ibis against the ingest engine, on the same police files.

    python benchmarks/compare_pandera_ibis.py [--data /tmp/scp-bench/medium] [--files 10]
                                              [--ibis-path DIR]

Issue 12 asked whether ``pandera.ibis`` (Pandera ≥ 0.25 with ``ibis-framework[duckdb]``) could be
the ingest engine. This script measures both on the first ``--files`` record-level police files
of a benchmark tree (``benchmarks/generate.py``):

* **ours**: :func:`scp_metrics.ingest.engine.validate_file` (read, tidy, parse, every check, the
  personal-data guard) and :func:`~scp_metrics.ingest.engine.ingest` (the same and the load);
* **pandera.ibis**: DuckDB ``read_csv`` with the formats typed in SQL (``strptime``; Pandera's
  Ibis backend validates typed tables, it does not parse text), then the police model written
  again with Ibis expressions and validated lazily.

Then one file with three planted faults (a repeated crime reference, an unknown offence code, an
offence after its recording) shows what each reports. ``ibis-framework`` is not a dependency
of the project: install it somewhere and pass ``--ibis-path`` (added at the end of
``sys.path``, so the project's own duckdb and pandas stay in use).
"""

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TODAY = date(2019, 6, 1)


def _ibis_model(offence_codes: frozenset[str]):  # noqa: ANN202
    import ibis.expr.datatypes as dt
    import pandera.ibis as pa
    from pandera.ibis import DataFrameModel, Field

    class PoliceCrime(DataFrameModel):
        """RawPoliceRecordedCrime's checks, written again for Ibis tables."""

        line: int
        crime_reference: str = Field(unique=True)
        recorded_date: dt.Date = Field()
        offence_date: dt.Date = Field()
        offence_time: str = Field(nullable=True, str_matches=r"^([01]\d|2[0-3]):[0-5]\d$")
        offence_code: str = Field(isin=sorted(offence_codes))
        offence_description: str = Field()
        ward_code: str = Field(nullable=True)
        ward_name: str = Field(nullable=True)
        lsoa_code: str = Field(nullable=True, str_matches=r"^[EW]01\d{6}$")
        beat: str = Field(nullable=True)
        domestic_abuse: bool
        alcohol_related: bool
        hate_crime: bool
        city_centre: bool
        night_time_economy: bool

        @pa.dataframe_check
        def offence_not_after_recorded(cls, data) -> object:  # noqa: ANN001
            return data.table.offence_date <= data.table.recorded_date

    return PoliceCrime


_TYPED = """
create or replace table typed as select
  row_number() over () + 1 as line, trim(c0) as crime_reference,
  strptime(c1, '%d/%m/%Y')::date as recorded_date, strptime(c2, '%d/%m/%Y')::date as offence_date,
  nullif(trim(c3), '') as offence_time, trim(c4) as offence_code, trim(c5) as offence_description,
  nullif(trim(c6), '') as ward_code, nullif(trim(c7), '') as ward_name,
  nullif(trim(c8), '') as lsoa_code, nullif(trim(c9), '') as beat,
  c10 = 'Y' as domestic_abuse, c11 = 'Y' as alcohol_related, c12 = 'Y' as hate_crime,
  c13 = 'Y' as city_centre, c14 = 'Y' as night_time_economy
from read_csv(?, header = true, all_varchar = true, parallel = false,
              names = ['c0','c1','c2','c3','c4','c5','c6','c7','c8','c9','c10','c11','c12','c13',
                       'c14'])
"""


def _pandera_ibis(path: Path, model) -> tuple[float, object]:  # noqa: ANN001
    import duckdb
    import ibis
    import pandera.ibis as pa

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(_TYPED, [str(path)])
    table = ibis.duckdb.from_connection(con).table("typed")
    cases = None
    try:
        model.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    return time.perf_counter() - started, cases


def _plant_faults(source: Path, target: Path) -> None:
    lines = source.read_text().splitlines()
    cells = [line.split(",") for line in lines]
    cells[10][0] = cells[5][0]  # line 11 repeats line 6's crime reference
    cells[20][4] = "8Z"  # line 21: an offence code nobody knows
    cells[30][2] = "31/12/2099"  # line 31: offence after its recording (and in the future)
    target.write_text("\n".join(",".join(c) for c in cells) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/scp-bench/medium"))
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--ibis-path", type=Path)
    args = parser.parse_args(argv)
    if args.ibis_path:
        sys.path.append(str(args.ibis_path))

    from scp_metrics.ingest import engine
    from scp_metrics.ingest.reference import reference
    from scp_metrics.warehouse.connection import connect

    config = args.data / "config"
    files = sorted((args.data / "raw" / "police_crime").glob("*.csv"))[:args.files]
    model = _ibis_model(reference(config).offence_codes)
    work = Path(tempfile.mkdtemp(prefix="ibis-compare-"))
    try:
        con = connect(work / "ours.duckdb")
        ours_validate = ours_ingest = theirs = 0.0
        rows = 0
        for i, path in enumerate(files):
            started = time.perf_counter()
            result = engine.validate_file(path, config_dir=config, today=TODAY)
            ours_validate += time.perf_counter() - started
            rows += result.rows
            started = time.perf_counter()
            engine.ingest(con, path, config_dir=config, sha256=str(i), run_id="compare",
                          today=TODAY)
            ours_ingest += time.perf_counter() - started
            seconds, cases = _pandera_ibis(path, model)
            theirs += seconds
            assert result.ok and cases is None, (path, result.failures.head(), cases)
        print(f"{len(files)} files, {rows:,} rows")
        print(f"  ours, validate only          {ours_validate:7.2f} s")
        print(f"  ours, validate and load      {ours_ingest:7.2f} s")
        print(f"  pandera.ibis, typed read + validate  {theirs:7.2f} s")
        bad = work / files[0].name
        _plant_faults(files[0], bad)
        result = engine.validate_file(bad, config_dir=config, today=TODAY)
        print("\nours on the planted faults:")
        print(result.failures.to_string(index=False))
        _, cases = _pandera_ibis(bad, model)
        print("\npandera.ibis on the planted faults:")
        print("(no failure)" if cases is None else cases.to_string(index=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
