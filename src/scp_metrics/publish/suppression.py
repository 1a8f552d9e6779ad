"""Small-number suppression of published outputs (``config/privacy.toml``).

Published CSVs show counts 1 to ``threshold - 1`` (default 1–4) as ``"<5"`` and blank the values
derived from them in the same row; the warehouse keeps the exact figures.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# --------------------------------------------------------------------------- suppression


@dataclass(frozen=True)
class SuppressionRules:
    threshold: int = 5
    count_columns: tuple[str, ...] = ("numerator", "denominator")
    derived_columns: tuple[str, ...] = ("value", "ci95_lower", "ci95_upper")
    count_measures: tuple[str, ...] = ("count",)


def suppression_rules(config_dir: Path) -> SuppressionRules:
    """``[suppression]`` of ``config/privacy.toml`` (defaults when absent)."""
    path = Path(config_dir) / "privacy.toml"
    if not path.is_file():
        return SuppressionRules()
    table = tomllib.loads(path.read_text()).get("suppression", {})
    default = SuppressionRules()
    return SuppressionRules(
        threshold=int(table.get("threshold", default.threshold)),
        count_columns=tuple(table.get("count_columns", default.count_columns)),
        derived_columns=tuple(table.get("derived_columns", default.derived_columns)),
        count_measures=tuple(table.get("count_measures", default.count_measures)),
    )


def _count_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else str(value)


def suppress_small_numbers(frame: pd.DataFrame, columns: list[str] | tuple[str, ...],
                           threshold: int = 5, *, derived: list[str] | tuple[str, ...] = (),
                           rows: pd.Series | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with counts from 1 to ``threshold - 1`` in ``columns`` shown as
    ``"<threshold"`` (zero and larger counts kept, as text); in those rows the ``derived``
    columns are blanked. ``rows`` limits suppression to a mask of rows."""
    out = frame.copy()
    columns = [c for c in columns if c in out.columns]
    small = pd.Series(False, index=out.index)
    for column in columns:
        numbers = pd.to_numeric(out[column], errors="coerce")
        hit = (numbers >= 1) & (numbers < threshold)
        if rows is not None:
            hit &= rows
        hit = hit.fillna(False).astype(bool)
        small |= hit
        text = pd.Series([_count_text(v) for v in out[column]], index=out.index,
                         dtype=object)
        text[hit] = f"<{threshold}"
        out[column] = text
    for column in derived:
        if column in out.columns and small.any():
            out[column] = out[column].astype(object).where(~small, None)
    return out


def suppress_frame(frame: pd.DataFrame, rules: SuppressionRules,
                   measures: dict[str, str] | None = None,
                   extra_counts: tuple[str, ...] = ()) -> tuple[pd.DataFrame, int]:
    """``frame`` as it may be published under ``rules``, and how many rows were suppressed.

    The one rule for every published form (CSVs, the workbook): counts in ``rules.count_columns``
    (and ``extra_counts``) from 1 to ``threshold - 1`` shown as ``"<threshold"``, with the
    ``rules.derived_columns`` of those rows blanked; a table with no count column but an
    indicator's ``value`` (``mart_spc``) has that value suppressed in the rows whose indicator's
    measure (``measures``: indicator id → measure) is one of ``rules.count_measures``.
    """
    counts = [c for c in (*rules.count_columns, *extra_counts) if c in frame.columns]
    if counts:
        out = suppress_small_numbers(frame, counts, rules.threshold, derived=rules.derived_columns)
        small = pd.Series(False, index=frame.index)
        for c in counts:
            small |= out[c].astype(str).eq(f"<{rules.threshold}")
        return out, int(small.sum())
    if "value" in frame.columns and "indicator_id" in frame.columns and measures is not None:
        is_count = frame["indicator_id"].map(measures).isin(rules.count_measures)
        out = suppress_small_numbers(frame, ["value"], rules.threshold, rows=is_count)
        return out, int(out["value"].astype(str).eq(f"<{rules.threshold}").sum())
    return frame, 0


def published_columns(con, name: str, rules: SuppressionRules  # noqa: ANN001
                      ) -> tuple[dict[str, str], dict[str, str] | None, bool]:
    """Mart ``name``'s column types, the indicator measures when its ``value`` is suppressed by
    measure (no count column), and whether anything in it can be suppressed at all."""
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = ? "
        "order by ordinal_position", [name]).fetchall())
    counts = [c for c in rules.count_columns if c in types]
    value_is_count = not counts and "value" in types and "indicator_id" in types
    measures = dict(con.execute("select indicator_id, measure from ref_indicators").fetchall()) \
        if value_is_count else None
    return types, measures, bool(counts) or value_is_count


def publish_table(con, name: str, target: Path, config_dir: Path,  # noqa: ANN001
                  chunk_vectors: int | None = None) -> int:
    """Write mart ``name`` to ``target`` as CSV with small numbers suppressed; returns the
    number of rows suppressed. Marts without counts are copied as they are.

    ``chunk_vectors``: suppress and write that many DuckDB vectors (2,048 rows each) at a time,
    so memory is bounded by the chunk rather than the mart; the bytes written are the same.
    ``None``: the whole mart at once."""
    rules = suppression_rules(config_dir)
    types, measures, suppressible = published_columns(con, name, rules)
    if not suppressible:
        con.execute(f"copy (select * from \"{name}\" order by all) to '{target}' "
                    "(header, delimiter ',')")
        return 0
    # dates come back from pandas as timestamps: written as the marts hold them
    select = ", ".join(f'"{c}"::date as "{c}"' if t == "DATE" else f'"{c}"'
                       for c, t in types.items())
    part = target.with_name(target.name + ".part")
    suppressed = 0
    reader = con.cursor()
    try:
        result = reader.execute(f'select * from "{name}" order by all')
        with open(target, "wb") as out_file:
            first = True
            while True:
                frame = result.df() if chunk_vectors is None \
                    else result.fetch_df_chunk(chunk_vectors)
                if frame.empty and not first:
                    break
                out, small = suppress_frame(frame, rules, measures)
                suppressed += small
                con.register("_published", out)
                try:
                    con.execute(f"copy (select {select} from _published) to '{part}' "
                                f"(header {'true' if first else 'false'}, delimiter ',')")
                finally:
                    con.unregister("_published")
                with open(part, "rb") as chunk_file:
                    shutil.copyfileobj(chunk_file, out_file)
                if frame.empty or chunk_vectors is None:
                    break
                first = False
    finally:
        reader.close()
        part.unlink(missing_ok=True)
    return suppressed
