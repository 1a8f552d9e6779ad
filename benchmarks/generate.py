"""Generate national-scale benchmark inputs in the formats the pipeline ingests.

    python benchmarks/generate.py --scale medium --out /tmp/scp-bench/medium
    python benchmarks/generate.py --areas 300 --years 15 --record-rows 5000000 --out DIR

Writes, under ``DIR``:

* ``config/``: the project's ``config/`` with the area catalogue extended to ``--areas``
  synthetic CSPs (``E079nnnnn``, "Bench Area nnn"; the home area E06000045 kept first), their
  name lookup and police force areas. Use it with ``SCP_CONFIG_DIR=DIR/config``; the
  production ``config/`` is not touched.
* ``raw/police_crime/police_recorded_crime_E06000045_<quarter>.csv``: the force record-level
  extract, exactly the columns and formats of the ``police_crime`` source (as
  :mod:`scp_metrics.sample.police` writes it), ``--record-rows`` rows over every quarter.
* ``raw/ho_csp_crime/ho_csp_recorded_crime_<quarter>.csv``: the Home Office CSP table, every
  area and offence code, old and new editions' headers as the real tables have them.
* ``raw/population/population_mid-<year>.csv``: ONS mid-year estimates with the mid-year in a
  title row, and ``raw/msg/msg_membership.csv``: a Most Similar Group of 15 for every area.
* ``raw/police_uk/<YYYY-MM>/<YYYY-MM>-<force>-street.csv``: data.police.uk street-level rows
  (the ``police_uk_street`` source) for the latest months, when the scale asks for them.
* ``new_quarter/``: the last quarter's police and CSP files, held back so that the benchmark
  can time adding one quarter to the full history.

Rows are written by DuckDB from ``range()`` with hashed (deterministic) values, so 20 million
rows take about a minute; the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scales import SCALES, Scale  # noqa: E402

from scp_metrics.periods import Quarter  # noqa: E402
from scp_metrics.sample.geography import WARDS, beats, lsoa_codes  # noqa: E402
from scp_metrics.sample.police import COLUMNS as POLICE_COLUMNS  # noqa: E402

HOME = ("E06000045", "Southampton", "Hampshire", "South East")
SEED = 20100401
N_FORCES = 43
MSG_SIZE = 15
POLICE_UK_COLUMNS = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                     "Location", "LSOA code", "LSOA name", "Crime type",
                     "Last outcome category", "Context"]


def area_table(n: int, config: Path) -> pd.DataFrame:
    """The home area, then synthetic CSPs spread over the police force areas."""
    forces = pd.read_csv(config / "police_forces.csv", dtype=str)
    forces = forces[forces["pfa_code"].str.startswith(("E23", "W15"))].reset_index(drop=True)
    rows = [(*HOME, "E23000030")]
    for i in range(1, n):
        force = forces.iloc[i % len(forces)]
        rows.append((f"E079{i:05d}", f"Bench Area {i:03d}", force["pfa_name"], "Benchmark",
                     force["pfa_code"]))
    return pd.DataFrame(rows, columns=["area_code", "area_name", "police_force", "region",
                                       "pfa_code"])


def write_config(out: Path, areas: pd.DataFrame) -> Path:
    """A copy of ``config/`` whose catalogue has the benchmark's areas."""
    config = out / "config"
    if config.exists():
        shutil.rmtree(config)
    shutil.copytree(ROOT / "config", config)
    areas[["area_code", "area_name", "police_force", "region"]].to_csv(
        config / "areas.csv", index=False)
    lookup = pd.concat([areas[["area_name", "area_code"]].rename(columns={"area_name": "name"}),
                        pd.read_csv(ROOT / "config" / "area_name_lookup.csv", dtype=str)])
    lookup = lookup[lookup["area_code"].isin(areas["area_code"]) |
                    ~lookup["name"].str.lower().isin(areas["area_name"].str.lower())]
    lookup.drop_duplicates("name").to_csv(config / "area_name_lookup.csv", index=False)
    pfa = config / "police_force_areas.csv"
    if pfa.is_file():
        known = pd.read_csv(pfa, dtype=str)
        extra = areas.loc[areas["area_code"].str.startswith("E079"),
                          ["area_code", "area_name", "pfa_code"]]
        pd.concat([known, extra]).to_csv(pfa, index=False)
    return config


def offence_codes() -> pd.DataFrame:
    codes = pd.read_csv(ROOT / "config" / "offence_codes.csv", dtype=str, keep_default_na=False)
    codes["valid_from"] = pd.to_datetime(codes["valid_from"])
    codes["valid_to"] = pd.to_datetime(codes["valid_to"].replace("", None))
    return codes


def quarters_of(scale: Scale) -> list[Quarter]:
    q, out = Quarter(scale.start_fy, 1), []
    for _ in range(scale.quarters):
        out.append(q)
        q = q.next()
    return out


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def write_police_quarter(con: duckdb.DuckDBPyConnection, path: Path, quarter: Quarter,
                         rows: int, first_seq: int, codes: pd.DataFrame) -> None:
    """One quarter of the record-level extract, written by DuckDB (hashed, deterministic)."""
    start = pd.Timestamp(quarter.start)
    valid = codes[(codes["valid_from"] <= start) &
                  (codes["valid_to"].isna() | (codes["valid_to"] >= pd.Timestamp(quarter.end)))]
    # weights: violence and theft codes are common, the rest rarer
    weight = np.where(valid["offence_group"].str.contains("Violence|Theft|damage", case=False),
                      6, 1)
    code_list = np.repeat(valid["offence_code"].to_numpy(), weight).tolist()
    desc_list = np.repeat(valid["offence_description"].to_numpy(), weight).tolist()
    ward_codes = [w.code for w in WARDS]
    ward_names = [w.name for w in WARDS]
    lsoas = [lsoa_codes(i) for i in range(len(WARDS))]
    beat_list = [beats(i) for i in range(len(WARDS))]
    days = (quarter.end - quarter.start).days + 1
    yy = quarter.start.year % 100
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = SEED + quarter.fy_start * 10 + quarter.number
    header = ", ".join(f'{expr} as "{name}"' for name, expr in zip(POLICE_COLUMNS, [
        f"'44/' || lpad((({first_seq} + i) % 1000000)::varchar, 6, '0') || '/{yy:02d}' || "
        f"chr((65 + ({first_seq} + i) // 1000000)::integer)",
        "strftime(recorded, '%d/%m/%Y')",
        "strftime(recorded - to_days((h2 % 4)::integer), '%d/%m/%Y')",
        "case when h3 % 31 = 0 then null else lpad(((h3 >> 8) % 24)::varchar, 2, '0') || ':' "
        "|| lpad(((h3 >> 16) % 60)::varchar, 2, '0') end",
        f"{_sql_list(code_list)}[(h % {len(code_list)})::integer + 1]",
        f"{_sql_list(desc_list)}[(h % {len(code_list)})::integer + 1]",
        f"{_sql_list(ward_codes)}[ward]",
        f"{_sql_list(ward_names)}[ward]",
        f"[{', '.join(_sql_list(w) for w in lsoas)}][ward][((h2 >> 20) % 9)::integer + 1]",
        f"[{', '.join(_sql_list(b) for b in beat_list)}][ward][((h2 >> 24) % 3)::integer + 1]",
        "case when (h3 >> 24) % 7 = 0 then 'Y' else 'N' end",
        "case when (h3 >> 28) % 5 = 0 then 'Y' else 'N' end",
        "case when (h3 >> 32) % 97 = 0 then 'Y' else 'N' end",
        "case when ward = 1 and (h3 >> 36) % 3 = 0 then 'Y' else 'N' end",
        "case when ward = 1 and (h3 >> 36) % 3 = 0 and ((h3 >> 8) % 24 >= 20 "
        "or (h3 >> 8) % 24 < 6) then 'Y' else 'N' end",
    ], strict=True))
    con.execute(f"""
        copy (
            with r as (
                select i, hash(i, {seed}) as h, hash(i, {seed}, 2) as h2, hash(i, {seed}, 3) as h3
                from range({rows}) as t(i)
            ), d as (
                select *, (date '{quarter.start.isoformat()}' + to_days(
                           ((i * {days}) // {max(rows, 1)})::integer))::date as recorded,
                       (h2 % {len(WARDS)})::integer + 1 as ward
                from r
            )
            select {header} from d order by i
        ) to '{path}' (header, delimiter ',')""")


def write_ho_csp_quarter(path: Path, quarter: Quarter, areas: pd.DataFrame,
                         codes: pd.DataFrame, population: np.ndarray) -> None:
    """One quarter of the Home Office CSP table: every area and valid code, zeros omitted."""
    start, end = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
    valid = codes[(codes["valid_from"] <= start) &
                  (codes["valid_to"].isna() | (codes["valid_to"] >= end))].reset_index(drop=True)
    rng = np.random.default_rng([SEED, quarter.fy_start, quarter.number])
    # offences per 1,000 residents per quarter: ~20 in all, spread unevenly over the codes
    share = np.random.default_rng([SEED, 7]).lognormal(0.0, 1.5, size=len(codes))
    share = pd.Series(share / share.sum(), index=codes["offence_code"])
    base = 20.0 * share.reindex(valid["offence_code"]).to_numpy()
    expected = np.outer(population / 1000.0, base) * rng.uniform(0.7, 1.3, size=len(areas))[:, None]
    counts = rng.poisson(expected)
    area_idx, code_idx = np.nonzero(counts)
    new = quarter.fy_start >= 2009
    group = valid["offence_group"].to_numpy()[code_idx]
    frame = pd.DataFrame({
        "Financial Year": f"{quarter.fy_start}/{(quarter.fy_start + 1) % 100:02d}",
        "Financial Quarter": str(quarter.number),
        "Police Force" if new else "Force Name": areas["police_force"].to_numpy()[area_idx],
        "CSP Name": areas["area_name"].to_numpy()[area_idx],
        "Offence Description": valid["offence_description"].to_numpy()[code_idx],
        "Offence Group": np.char.upper(group.astype(str)) if new else group,
        "Offence Subgroup": valid["offence_subgroup"].to_numpy()[code_idx],
        "Offence Code": valid["offence_code"].to_numpy()[code_idx],
        "Offence Count" if new else "Number of Offences": counts[area_idx, code_idx].astype(str),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def write_population(raw: Path, areas: pd.DataFrame, years: range) -> np.ndarray:
    rng = np.random.default_rng([SEED, 1])
    base = rng.integers(80_000, 600_000, size=len(areas))
    base[0] = 234_600
    for year in years:
        grown = (base * (1.004 ** (year - years[0]))).round().astype(int)
        frame = pd.DataFrame({"Code": areas["area_code"], "Name": areas["area_name"],
                              "Geography": np.where(areas["area_code"] == HOME[0],
                                                    "Unitary Authority", "Non-metropolitan District"),
                              "All ages": grown.astype(str)})
        path = raw / "population" / f"population_mid-{year}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (f"Mid-{year} population estimates (synthetic, benchmark)\n\n"
                + frame.to_csv(index=False, lineterminator="\n"))
        path.write_text(text)
    return base.astype(float)


def write_msg(raw: Path, areas: pd.DataFrame, population: np.ndarray) -> None:
    """Each area's group: itself and the 14 areas nearest in population."""
    order = np.argsort(population)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    rows = []
    size = min(MSG_SIZE, len(areas))
    for i in range(len(areas)):
        lo = max(0, min(rank[i] - size // 2, len(areas) - size))
        members = [i] + [int(j) for j in order[lo:lo + size] if j != i][:size - 1]
        for j in members:
            rows.append((areas["area_code"].iloc[i], areas["area_code"].iloc[j],
                         areas["area_name"].iloc[j]))
    path = raw / "msg" / "msg_membership.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["group_id", "area_code", "area_name"]).to_csv(
        path, index=False, lineterminator="\n")


def write_police_uk(con: duckdb.DuckDBPyConnection, raw: Path, config: Path,
                    areas: pd.DataFrame, months: list[pd.Timestamp], rows: int) -> int:
    """data.police.uk street files (one per force and month) for the benchmark areas."""
    types_path = config / "police_uk_crime_types.csv"
    forces_path = config / "police_forces.csv"
    if rows <= 0 or not types_path.is_file() or not forces_path.is_file():
        return 0
    types = pd.read_csv(types_path, dtype=str, keep_default_na=False)
    forces = pd.read_csv(forces_path, dtype=str).set_index("pfa_code")["police_uk_name"]
    by_force = areas.groupby("pfa_code")["area_name"].apply(list)
    per_file = max(1, rows // (len(months) * len(by_force)))
    written = 0
    for month in months:
        tag = f"{month:%Y-%m}"
        valid = types[(types["valid_from"] <= f"{month:%Y-%m-%d}") &
                      ((types["valid_to"] == "") | (types["valid_to"] >= f"{month:%Y-%m-%d}"))]
        kinds = valid["crime_type"].tolist()
        for k, (pfa, names) in enumerate(by_force.items()):
            force = forces.get(pfa)
            if force is None:
                continue
            slug = force.lower().replace(" ", "-")
            path = raw / "police_uk" / tag / f"{tag}-{slug}-street.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            seed = SEED + k * 1000 + month.month
            cols = ", ".join(f'{expr} as "{name}"' for name, expr in zip(POLICE_UK_COLUMNS, [
                "case when kind = 1 then null else sha256(i::varchar || '-' || "
                f"'{tag}-{slug}') end",
                f"'{tag}'", f"'{force}'", f"'{force}'",
                "round(-1.5 + (h % 1000) / 1000.0, 6)::varchar",
                "round(50.9 + ((h >> 10) % 1000) / 1000.0, 6)::varchar",
                "'On or near Bench Street'",
                "'E01' || lpad(((h >> 20) % 30000)::varchar, 6, '0')",
                f"{_sql_list(names)}[((h >> 30) % {len(names)})::integer + 1] || ' ' || "
                "lpad(((h >> 34) % 40)::varchar, 3, '0') || 'A'",
                f"{_sql_list(kinds)}[kind]",
                "case when kind = 1 then null else 'Under investigation' end",
                "null",
            ], strict=True))
            con.execute(f"""
                copy (
                    with r as (select i, hash(i, {seed}) as h from range({per_file}) t(i))
                    select {cols} from (select *, ((h >> 40) % {len(kinds)})::integer + 1 as kind
                                        from r)
                    order by i
                ) to '{path}' (header, delimiter ',')""")
            written += per_file
    return written


def generate(scale: Scale, out: Path, progress: bool = True) -> dict:
    """Write every input of ``scale`` under ``out`` (replacing what was there)."""
    started = time.monotonic()
    say = print if progress else (lambda *_a, **_k: None)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("raw", "new_quarter"):
        if (out / name).exists():
            shutil.rmtree(out / name)
    areas = area_table(scale.areas, ROOT / "config")
    config = write_config(out, areas)
    raw, held = out / "raw", out / "new_quarter"
    codes = offence_codes()
    quarters = quarters_of(scale)
    years = range(scale.start_fy, scale.start_fy + scale.years)
    population = write_population(raw, areas, years)
    write_msg(raw, areas, population)
    con = duckdb.connect()
    per_quarter = scale.record_rows // len(quarters)
    for i, quarter in enumerate(quarters):
        folder = held if i == len(quarters) - 1 else raw
        n = per_quarter + (scale.record_rows - per_quarter * len(quarters)
                           if i == len(quarters) - 1 else 0)
        write_police_quarter(
            con, folder / "police_crime" / f"police_recorded_crime_E06000045_{quarter.file_tag}.csv",
            quarter, n, i * per_quarter, codes)
        write_ho_csp_quarter(folder / "ho_csp_crime" / f"ho_csp_recorded_crime_{quarter.file_tag}.csv",
                             quarter, areas, codes, population)
        say(f"\r  quarter {i + 1}/{len(quarters)} ({quarter.label})", end="", flush=True)
    say()
    uk_rows = 0
    if scale.police_uk_rows and len(quarters) > 1:
        penultimate = quarters[-2].start
        months = [pd.Timestamp(penultimate) + pd.DateOffset(months=k)
                  for k in range(min(3, scale.police_uk_months))]
        uk_rows = write_police_uk(con, raw, config, areas, months, scale.police_uk_rows)
    con.close()
    manifest = {"scale": scale.name, "areas": scale.areas, "years": scale.years,
                "quarters": len(quarters), "record_rows": scale.record_rows,
                "police_uk_rows": uk_rows,
                "raw_bytes": sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()),
                "new_quarter": quarters[-1].label, "seconds": round(time.monotonic() - started, 1)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    say(f"  wrote {manifest['raw_bytes'] / 1e6:,.0f} MB in {manifest['seconds']} s to {out}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--areas", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument("--record-rows", type=int)
    parser.add_argument("--police-uk-rows", type=int)
    args = parser.parse_args(argv)
    base = SCALES[args.scale]
    scale = Scale(base.name, args.areas or base.areas, args.years or base.years,
                  args.record_rows if args.record_rows is not None else base.record_rows,
                  args.police_uk_rows if args.police_uk_rows is not None else base.police_uk_rows,
                  base.police_uk_months, base.start_fy)
    generate(scale, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
