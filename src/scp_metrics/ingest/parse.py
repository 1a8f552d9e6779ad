"""Reading a column's text as its type: every parser once, for every engine step that needs it.

A column's ``parse`` kind (its field's ``metadata["parse"]`` in the source's model) says how its
text is read: ``str`` (stripped, empty → missing), ``int`` / ``float`` (thousands separators
allowed), ``flag`` (Y/N, yes/no, true/false, 1/0), ``time`` (``H:MM`` → ``HH:MM``), ``date`` and
``datetime`` (the formats below, first match wins). The engine parses each *distinct* text of a
column once (:func:`lookup`); the rows take the values by an expression that reads every text
alike where one does (:mod:`scp_metrics.ingest.inline`), else by a join.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from scp_metrics.sources import Column

YES = frozenset({"y", "yes", "true", "1"})
NO = frozenset({"n", "no", "false", "0"})
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
#: pandas dtype of each kind's typed values (text kinds: object).
DTYPES = {"date": "datetime64[us]", "datetime": "datetime64[us]", "flag": "boolean",
          "int": "Int64", "float": "Float64"}


def dtype_of(kind: str) -> object:
    return DTYPES.get(kind, object)


def parse_text(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Typed values of ``text`` and a mask of cells that are present but do not parse."""
    stripped = text.str.strip()
    blank = stripped == ""
    kind = column.parse
    if kind == "str":
        return stripped.where(~blank, None).astype(object), pd.Series(False, index=text.index)
    if kind in ("int", "float"):
        cleaned = stripped.str.replace(",", "", regex=False)
        numbers = pd.to_numeric(cleaned.where(~blank), errors="coerce")
        bad = numbers.isna() & ~blank
        if kind == "int":
            fractional = numbers.notna() & (numbers != np.floor(numbers.fillna(0)))
            bad |= fractional
            return numbers.where(~bad).astype("Int64"), bad
        return numbers.astype("Float64"), bad
    if kind == "flag":
        lower = stripped.str.lower()
        values = pd.Series(pd.NA, index=text.index, dtype="boolean")
        values[lower.isin(YES)] = True
        values[lower.isin(NO)] = False
        return values, values.isna() & ~blank
    if kind == "time":
        normal = stripped.str.slice(0, 5).where(stripped.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?"))
        normal = normal.str.zfill(5)
        bad = normal.isna() & ~blank
        return normal.where(~bad, None).astype(object), bad
    formats = DATETIME_FORMATS + DATE_FORMATS if kind == "datetime" else DATE_FORMATS
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        missing = parsed.isna() & ~blank
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(stripped[missing], format=fmt, errors="coerce")
    bad = parsed.isna() & ~blank
    if kind == "date":
        parsed = parsed.dt.normalize()
    return parsed, bad


#: Texts already parsed, per parse kind: (value, does not parse). :func:`parse_text` is a pure
#: function of a cell's text and kind, and dates, times and flags repeat from file to file.
_PARSED: dict[str, dict[str, tuple[object, bool]]] = {}
_PARSED_LIMIT = 200_000
_PARSED_LOCK = threading.Lock()


def lookup(column: Column, counts: dict[str, int], blanked: frozenset[str] = frozenset(),
           refused: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every distinct text ``k`` of a column (with its row count ``n``), its typed value ``v``
    and whether it is ``bad`` (present but does not parse, or a suppression marker that
    ``refused`` the file). Texts in ``blanked`` or ``refused`` are read as empty."""
    keys = [str(k) for k in counts]
    read = ["" if k in blanked or k in refused else k for k in keys]
    wanted = dict.fromkeys(read)
    with _PARSED_LOCK:  # files are validated in several threads at once
        cache = _PARSED.setdefault(column.parse, {})
        parsed = {t: cache[t] for t in wanted if t in cache}
    new = [t for t in wanted if t not in parsed]
    if new:
        values, bad = parse_text(column, pd.Series(new, dtype=object))
        fresh = dict(zip(new, zip(values.tolist(), bad.tolist(), strict=True), strict=True))
        parsed.update(fresh)
        with _PARSED_LOCK:
            cache = _PARSED.setdefault(column.parse, {})
            if len(cache) > _PARSED_LIMIT:
                cache.clear()
            cache.update(fresh)
    return pd.DataFrame({
        "k": pd.Series(keys, dtype=object),
        "v": pd.Series([parsed[t][0] for t in read], dtype=dtype_of(column.parse)),
        "bad": pd.Series([parsed[t][1] or k in refused for k, t in zip(keys, read, strict=True)],
                         dtype=bool),
        "n": pd.Series(list(counts.values()), dtype="int64")})
