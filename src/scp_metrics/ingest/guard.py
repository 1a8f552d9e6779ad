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
import unicodedata

import pandas as pd

from scp_metrics.ingest.text import TextTable, sql_text
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

_NHS = re.compile(r"(?<![\d/.-])(\d{3})[ .-]{0,2}(\d{3})[ .-]{0,2}(\d{4})(?![\d/])"
                  r"(?![.-]\d)")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ](?:[A-HK-Y]?[0-9][0-9A-HJKPS-UW]?)\s?"
    r"[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+/.:-])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}"
                    r"[\s-]?\d{3,4}(?![\w/.:-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DATE = re.compile(r"^\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})")
_MONTHS = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*")
_DOB = re.compile(
    r"(?:\bd\s?\.?\s?o\s?\.?\s?b\b|\bdate\s+of\s+birth\b|\bbirth\s?date\b|\bborn\b(?:\s+on)?)"
    r"\W{0,3}(?:\d{1,2}[ /.-]{1,2}(?:\d{1,2}|" + _MONTHS + r")[ /.-]{1,2}\d{2,4}|"
    r"\d{4}-\d{2}-\d{2}|(?:" + _MONTHS + r")\s+\d{1,2},?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+"
    + _MONTHS + r"\s+\d{2,4})", re.IGNORECASE)
_NAMED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z]+|(?i:\b(?:fore|sur|first |last |"
                    r"full )?name\b)\s*[:=]\s*[A-Za-z]")

#: Unicode separators written between the digit groups of an NHS number (every space,
#: dash and dot of Unicode, besides ASCII ones): mapped to ASCII before matching; invisible
#: format characters (zero-width space, word joiner, BOM …) removed.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d\u058a\u05be\u1806\u2e3a"
                     r"\u2e3b\u30fc_~]")
_DOTS = re.compile(r"[\u00b7\u2024\u2027\u2219\u22c5\u30fb\uff0e\uff65\u3002]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060-\u2064\ufeff\u180e]")


def unify(text: str) -> str:
    """``text`` as the content tests read it: Unicode NFKC (full-width digits and letters as
    ASCII), every Unicode space as one ASCII space, every dash as ``-``, every dot as ``.``,
    invisible format characters removed; other Unicode digits as ASCII digits."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", _DASHES.sub("-", _DOTS.sub(".", text)))
    if not text.isascii():
        text = "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii()
                       and unicodedata.digit(c, None) is not None else c for c in text)
    return text


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
    ("dates of birth", lambda t: bool(_DOB.search(t))),
    ("people's names (a title or a name label before a name)", lambda t: bool(_NAMED.search(t))),
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
_MAY_HOLD = re.compile(r"\d|@|\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b|(?i:name)")


def _kinds(text: str) -> tuple[str, ...]:
    found = _TESTED.get(text)
    if found is None:
        plain = unify(text)
        found = tuple(kind for kind, test in CONTENT_KINDS if test(plain))  # type: ignore[operator]
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
PREFILTER = (r"(?s)@|＠|\p{Nd}{3}\PN{0,4}\p{Nd}{3}\PN{0,4}\p{Nd}{4}|\p{Nd}\pL\pL|"
             r"(?:\+44|0044|0).{0,6}\p{Nd}{2}.{0,4}\p{Nd}{3}.{0,4}\p{Nd}{3}|"
             r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b|(?i:name|d\W{0,3}o\W{0,3}b|birth|born)")


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
        candidates = prefiltered_texts(table, [i for i in range(table.width) if i not in counts])
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
    return failures + scan_headers(table)


def scan_headers(table: TextTable) -> list[dict]:
    """Failures for header cells whose *text* holds personal data (an NHS number, a postcode,
    a date of birth, ``Name: …`` as a header): checked for every source, as headers are echoed
    in notes ("column(s) not in the data dictionary …") and the ledger."""
    headers = pd.Series([str(h) for h in table.headers], dtype=str)
    return [{"file": table.path.name, "row": table.header_line, "column": "(header row)",
             "check": f"{PERSONAL_CHECK}: a header cell holds {what}; extracts must not carry "
                      "personal identifiers", "value": WITHHELD}
            for what in _content_hits(headers)]


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def redact_notes(notes: list[str], source: Source) -> list[str]:
    """``notes`` with every quoted text that is not one of ``source``'s declared headers
    replaced by ``'(withheld)'``: a file with personal data echoes none of its texts (an extra
    column's header, a total row's label, a sheet's name)."""
    declared = {h for column in source.columns for h in column.headers}

    def keep(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0)[1:-1] in declared else "'(withheld)'"

    return [_QUOTED.sub(keep, note) for note in notes]


def prefiltered_texts(table: TextTable, positions: list[int]) -> dict[int, list[str]]:
    """Per column, its distinct texts that :data:`PREFILTER` matches (one scan)."""
    if not positions:
        return {}
    pattern = sql_text(PREFILTER)
    lists = ", ".join(f"list(distinct {table.cell(i)}) filter (where regexp_matches("
                      f"{table.cell(i)}, {pattern}))" for i in positions)
    row = table.con.execute(f"select {lists} from {table.ref} r where {table.keep}").fetchall()[0]
    return {i: list(values or []) for i, values in zip(positions, row, strict=True)}


def carries_personal_data(failures: pd.DataFrame) -> bool:
    return bool(not failures.empty and failures["check"].astype(str)
                .str.startswith(PERSONAL_CHECK).any())


def withhold(found: list[dict], failures: list[dict], notes: list[str],
             source: Source | None = None) -> list[dict]:
    """The failures of a file in which ``found`` (from :func:`scan_table`) is personal data:
    those first, every other value withheld; the notes say so, their quoted texts withheld
    (:func:`redact_notes`, given the ``source``)."""
    if source is not None:
        notes[:] = redact_notes(notes, source)
    notes.append("personal data found: values withheld from every report; the file is not "
                 "copied to quarantine")
    return [*found, *({**f, "value": WITHHELD} for f in failures)]


GUARDED_VALUE = "(withheld: person-level source)"


def withhold_values(failures: list[dict]) -> list[dict]:
    """Failures of a person-level source (``personal_data_guard``): no value is ever shown,
    even of an ordinary refusal (a bad date, a duplicate reference); file, row, column and
    check say where to look in the original."""
    return [{**f, "value": f["value"] if f["value"] in _OWN_WORDS else GUARDED_VALUE}
            for f in failures]


#: Values a failure carries that are the engine's own words, not the file's.
_OWN_WORDS = (WITHHELD, GUARDED_VALUE, None, "", "missing", "header only")
