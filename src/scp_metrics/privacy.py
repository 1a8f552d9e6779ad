"""Personal data guard (record-level extracts) and small-number suppression (published outputs).

**Guard.** Sources marked ``personal_data_guard=True`` in :mod:`scp_metrics.sources` (police
record-level crime, ISTV ED attendances, MARAC cases) must arrive anonymised. A file is refused
when

* a column *name* says it holds a personal identifier: a person's name (``Name``,
  ``Forename``, ``Surname``, ``Victim Name`` …), an NHS number, a date of birth (``DOB``,
  ``Date of Birth``), a postcode, an address, a phone number (``Phone``, ``Telephone``,
  ``Mobile``) or an email address — a column the source's data dictionary declares (``Ward
  Name``, ``Site Code``) is never one; or
* any *cell* of any column, or a title line, holds something that is one: an NHS number (ten
  digits, ``943 476 5919`` or ``9434765919``, whose Modulus 11 check digit is right — a
  ten-digit number with a wrong check digit is not taken for one), a full UK postcode
  (``SO14 7LY``), a UK phone number (``023 8083 2000``, ``07700 900123``, ``+44 …``) or an email
  address; in a column named like a date of birth, the dates are counted.

The failure names the file, the column and the first row with a count, and **never the value**:
every other failure of that file has its value withheld too (an email in a reference column would
otherwise be echoed by the format check). A refused file with personal data is *not copied* into
quarantine (the report says where the original is, so that it can be deleted and re-requested):
copying it would spread personal data to a second folder that has no retention rule.

**Suppression.** Published CSVs show counts 1 to ``threshold - 1`` (default 1–4) as ``"<5"``
and blank the values derived from them in the same row (``config/privacy.toml``); the warehouse
keeps the exact figures.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scp_metrics.readers import RawTable
from scp_metrics.sources import Source, match_columns

PERSONAL_CHECK = "personal data"
WITHHELD = "(withheld: personal data)"

# --------------------------------------------------------------------------- column names

_NAME_WORDS = (r"(?:patient|victim|client|offender|perpetrator|suspect|person|subject|child|"
               r"parent|carer|first|last|given|family|full|middle|maiden|christian|other|"
               r"preferred|known as|alias)")
_HEADER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a person's name", re.compile(
        rf"^(?:{_NAME_WORDS}\s+)*names?$|\b(?:fore|sur|first|last|given|family|full|maiden)\s?"
        r"names?\b|\binitials?\b")),
    ("an NHS number", re.compile(r"\bnhs\b|nhsno|nhsnum")),
    ("a date of birth", re.compile(r"\bd\s?o\s?b\b|\bbirth|\bborn\b")),
    ("a postcode", re.compile(r"\bpost\s?codes?\b|\bpostal\s?codes?\b")),
    ("an address", re.compile(r"\baddress(?:es)?\b|\bstreet address\b|\bhouse number\b")),
    ("a phone number", re.compile(r"\b(?:tele)?phone\b|\bmobile\b|\btel\b|\bcontact number\b|"
                                  r"\blandline\b")),
    ("an email address", re.compile(r"\be\s?mail\b")),
)

# --------------------------------------------------------------------------- cell content

_NHS = re.compile(r"(?<![\d/.-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d/.-])")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ](?:[A-HK-Y]?[0-9][0-9A-HJKPS-UW]?)\s?"
    r"[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+/.:-])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}"
                    r"[\s-]?\d{3,4}(?![\w/.:-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DATE = re.compile(r"^\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})")


def nhs_number_valid(digits: str) -> bool:
    """Modulus 11 check of a ten-digit NHS number (weights 10..2; 11 → 0; 10 is invalid)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _has_nhs(text: str) -> bool:
    return any(nhs_number_valid("".join(m.groups())) for m in _NHS.finditer(text))


def _has_phone(text: str) -> bool:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if digits.startswith("44"):
            digits = "0" + digits[2:].lstrip("0")
        if len(digits) in (10, 11) and digits.startswith("0") and digits[1] != "0":
            return True
    return False


CONTENT_KINDS: tuple[tuple[str, object], ...] = (
    ("NHS numbers (valid check digit)", _has_nhs),
    ("email addresses", lambda t: "@" in t and bool(_EMAIL.search(t))),
    ("full UK postcodes", lambda t: bool(_POSTCODE.search(t))),
    ("UK phone numbers", _has_phone),
)


def _normalise(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(header).lower()).split())


def header_kind(header: str) -> str | None:
    """What personal identifier a column name announces, if any."""
    text = _normalise(header)
    if not text:
        return None
    for kind, pattern in _HEADER_KINDS:
        if pattern.search(text):
            return kind
    return None


def _content_hits(values: pd.Series) -> dict[str, pd.Series]:
    """Per kind, a mask of the cells that hold one (checked once per distinct value)."""
    text = values.astype(str)
    uniques = pd.Series(text.unique())
    uniques = uniques[uniques.str.contains(r"\d|@", regex=True)]
    out: dict[str, pd.Series] = {}
    if uniques.empty:
        return out
    for kind, test in CONTENT_KINDS:
        hit = {u for u in uniques if test(u)}  # type: ignore[operator]
        if hit:
            out[kind] = text.isin(hit)
    return out


def scan_table(table: RawTable, source: Source) -> list[dict]:
    """Failures (``file, row, column, check, value``) for every column that carries personal
    data; values are never included."""
    known = set(match_columns(source, table.headers).values())
    failures: list[dict] = []

    def fail(row: int | None, column: str | None, check: str) -> None:
        failures.append({"file": table.path.name, "row": row, "column": column,
                         "check": f"{PERSONAL_CHECK}: {check}", "value": WITHHELD})

    for position, header in enumerate(table.headers):
        label = header or f"column {position + 1}"
        column = table.data[position] if position < table.data.shape[1] else pd.Series(dtype=str)
        kind = None if position in known else header_kind(header)
        if kind is not None:
            filled = column.str.strip() != ""
            detail = f"{int(filled.sum())} value(s)"
            if kind == "a date of birth":
                dates = column.str.match(_DATE)
                detail = f"{int(dates.sum())} value(s) look like dates of birth"
            fail(table.header_line, label, f"the column is named like {kind} ({detail}); "
                 "extracts must not carry personal identifiers")
        for what, mask in _content_hits(column).items():
            first = int(mask.to_numpy().nonzero()[0][0])
            fail(table.line_of(first), label,
                 f"{int(mask.sum())} value(s) look like {what}; extracts must not carry "
                 "personal identifiers")
    titles = pd.Series(table.title_lines, dtype=str)
    for what in _content_hits(titles):
        fail(None, "(title rows)", f"a title row holds {what}")
    return failures


def carries_personal_data(failures: pd.DataFrame) -> bool:
    return bool(not failures.empty and failures["check"].astype(str)
                .str.startswith(PERSONAL_CHECK).any())


def guard(table: RawTable, source: Source, result):  # noqa: ANN001, ANN201 - ValidationResult
    """Refuse ``result`` when ``table`` carries personal data (sources with the guard on)."""
    if not source.personal_data_guard:
        return result
    found = scan_table(table, source)
    if not found:
        return result
    others = result.failures.copy()
    others["value"] = WITHHELD
    result.failures = pd.concat([pd.DataFrame(found, columns=others.columns), others],
                                ignore_index=True)
    result.frame = None
    result.notes.append("personal data found: values withheld from every report; the file is "
                        "not copied to quarantine")
    return result


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
