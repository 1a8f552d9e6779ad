"""Personal data guard: record-level extracts must arrive anonymised.

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
"""

from __future__ import annotations

import re

import pandas as pd

from scp_metrics.ingest.text import TextTable
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


#: Texts already tested (what they hold, if anything): the tests are pure functions of a text,
#: and most texts (dates, times, codes) repeat from file to file.
_TESTED: dict[str, tuple[str, ...]] = {}
_TESTED_LIMIT = 200_000
_MAY_HOLD = re.compile(r"\d|@")


def _kinds(text: str) -> tuple[str, ...]:
    found = _TESTED.get(text)
    if found is None:
        found = tuple(kind for kind, test in CONTENT_KINDS if test(text))  # type: ignore[operator]
        if len(_TESTED) > _TESTED_LIMIT:
            _TESTED.clear()
        _TESTED[text] = found
    return found


def _content_hits(values: pd.Series) -> dict[str, pd.Series]:
    """Per kind, a mask of the cells that hold one (checked once per distinct value)."""
    text = values.astype(str)
    hits: dict[str, set[str]] = {}
    for value in text.unique():
        if _MAY_HOLD.search(value):
            for kind in _kinds(value):
                hits.setdefault(kind, set()).add(value)
    return {kind: text.isin(hits[kind]) for kind, _ in CONTENT_KINDS if kind in hits}


#: A superset, in DuckDB's regular expressions, of the cells :data:`CONTENT_KINDS` can flag
#: (NHS numbers, emails, postcodes, phone numbers): only cells it matches are tested in Python.
PREFILTER = (r"(?s)@|\p{Nd}{3}[ -]?\p{Nd}{3}[ -]?\p{Nd}{4}|[0-9]\pL\pL|"
             r"(?:\+44|0044|0).{0,4}\p{Nd}{2}.{0,2}\p{Nd}{3}.{0,2}\p{Nd}{3}")


def scan_table(table: TextTable, source: Source,
               counts: dict[int, dict[str, int]] | None = None,
               candidates: dict[int, list[str]] | None = None) -> list[dict]:
    """Failures (``file, row, column, check, value``) for every column that carries personal
    data; values are never included. ``counts``: the distinct texts (and their rows) of the
    columns already counted (tested whole); every other column is tested on the texts
    :data:`PREFILTER` lets through (``candidates``, when already gathered)."""
    counts = counts or {}
    known = set(match_columns(source, table.headers).values())
    failures: list[dict] = []

    def fail(row: int | None, column: str | None, check: str) -> None:
        failures.append({"file": table.path.name, "row": row, "column": column,
                         "check": f"{PERSONAL_CHECK}: {check}", "value": WITHHELD})

    if candidates is None:
        candidates = _candidates(table, [i for i in range(table.width) if i not in counts])
    for position, header in enumerate(table.headers):
        label = header or f"column {position + 1}"
        kind = None if position in known else header_kind(header)
        if kind is not None:
            texts = counts.get(position) or table.counts(position)
            filled = sum(n for t, n in texts.items() if t.strip() != "")
            detail = f"{filled} value(s)"
            if kind == "a date of birth":
                dates = sum(n for t, n in texts.items() if _DATE.match(t))
                detail = f"{dates} value(s) look like dates of birth"
            fail(table.header_line, label, f"the column is named like {kind} ({detail}); "
                 "extracts must not carry personal identifiers")
        values = list(counts[position]) if position in counts else candidates[position]
        distinct = pd.Series(values, dtype=object).astype(str)
        for what, mask in _content_hits(distinct).items():
            hit = sorted(set(distinct[mask]))
            rows, first = table.con.execute(
                f"select count(*), min({table.line}) from {table.ref} r where {table.keep} and "
                f"{table.cell(position)} in (select unnest(?::varchar[]))", [hit]).fetchall()[0]
            fail(int(first), label, f"{int(rows)} value(s) look like {what}; extracts must not "
                 "carry personal identifiers")
    titles = pd.Series(table.title_lines, dtype=str)
    for what in _content_hits(titles):
        fail(None, "(title rows)", f"a title row holds {what}")
    return failures


def _candidates(table: TextTable, positions: list[int]) -> dict[int, list[str]]:
    """Per column, its distinct texts that :data:`PREFILTER` matches (one scan)."""
    if not positions:
        return {}
    pattern = "'" + PREFILTER.replace("'", "''") + "'"
    lists = ", ".join(f"list(distinct {table.cell(i)}) filter (where regexp_matches("
                      f"{table.cell(i)}, {pattern}))" for i in positions)
    row = table.con.execute(f"select {lists} from {table.ref} r where {table.keep}").fetchall()[0]
    return {i: list(values or []) for i, values in zip(positions, row, strict=True)}


def carries_personal_data(failures: pd.DataFrame) -> bool:
    return bool(not failures.empty and failures["check"].astype(str)
                .str.startswith(PERSONAL_CHECK).any())


def withhold(found: list[dict], failures: list[dict], notes: list[str]) -> list[dict]:
    """The failures of a file in which ``found`` (from :func:`scan_table`) is personal data:
    those first, every other value withheld; the notes say so."""
    notes.append("personal data found: values withheld from every report; the file is not "
                 "copied to quarantine")
    return [*found, *({**f, "value": WITHHELD} for f in failures)]
