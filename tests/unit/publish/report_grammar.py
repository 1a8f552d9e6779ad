"""A grammar check for the report's prose, used on the sample and on the real-data report.

Every sentence of a paragraph, list item or caption must start with a capital letter and have a
finite verb; after the plan's labels ("We did", "We intend to") the sentence must go on with a
lower-case verb, not a new sentence ("We did Our Place Survey found", "We intend to NI 21 ...").
The whole visible text (tables too) must hold no internal identifier: a method id or column name
(a word with an underscore), a path, a raw timestamp or ISO date, or a float printed in full.
"""

from __future__ import annotations

import html
import re

__all__ = ["identifiers", "problems", "sentences", "visible_text"]

# Finite verbs and auxiliaries the report's sentences are built on (a sentence with none of these
# is a fragment such as "Movements by type: robbery (down 12%)" or a file name).
_VERB_WORDS = """
am is are was were be been being has have had do does did can cannot could will would may might
must shall should fell rose reduce increase raise keep follows follow uses use counts count means
mean shows show gives give covers cover crosses cross comes come changed started found lists list
falls fall passed measure measures ranks rank says say judged sets set takes take include
includes makes make earn earns hold holds compares compared affects marks marked recalculated
fitted needs apply applies draws drawn written published left leaves went stayed stays chose
calibrated called tested read reads loaded reported located placed counted run runs
"""
VERBS = frozenset(_VERB_WORDS.split())

_SPLIT = re.compile(r"(?<=[.!?])[\"”)]?\s+")
_ABBREVIATIONS = ("e.g.", "i.e.", "ch.", "cf.", "no.", "vs.")
_LABELS = re.compile(r"\b(We did|We intend to|We said)\s+(\S+)")
IDENTIFIER_PATTERNS = {
    "an id or column name": re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+(?![\w-])"),
    "a path": re.compile(r"(\.\./|/work/|~/|\b[\w.-]+/[\w/.-]*\.(?:md|csv|toml|py|sql|json|xlsx|"
                         r"png|html|txt|gz|duckdb)\b)"),
    "a raw timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}:\d{2}:\d{2}\b"),
    "a float in full": re.compile(r"\b\d+\.\d{4,}\b"),
}


def visible_text(page: str) -> str:
    """The page's text as a reader sees it (no style, script or image data)."""
    page = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<head\b.*?</head>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _blocks(page: str) -> list[str]:
    page = re.sub(r"(?is)<(style|script|table|nav)\b.*?</\1>", " ", page)
    out = []
    for match in re.finditer(r"(?is)<(p|li|figcaption|caption)\b[^>]*>(.*?)</\1>", page):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())
        if text:
            out.append(text)
    return out


def sentences(page: str) -> list[str]:
    """Every sentence of the page's paragraphs, list items and captions."""
    out = []
    for block in _blocks(page):
        protected = block
        for abbr in _ABBREVIATIONS:
            protected = protected.replace(abbr, abbr.replace(".", "\0"))
        out += [s.replace("\0", ".").strip() for s in _SPLIT.split(protected) if s.strip()]
    return out


def sentence_problems(sentence: str) -> list[str]:
    found = []
    first = re.sub(r"^[\"“(]+", "", sentence)
    if not first[:1].isupper():
        found.append("does not start with a capital")
    words = {w.lower() for w in re.findall(r"[A-Za-z']+", sentence)}
    if not words & VERBS:
        found.append("has no verb")
    for label, after in _LABELS.findall(sentence):
        if after[:1].isupper() or after[:1].isdigit():
            found.append(f"'{label}' is followed by {after!r}, not a verb")
    return found


def identifiers(text: str) -> list[str]:
    """The internal identifiers in ``text``, each as "kind: match"."""
    return [f"{kind}: {m.group(0)}" for kind, pattern in IDENTIFIER_PATTERNS.items()
            for m in pattern.finditer(text)]


def problems(page: str) -> list[str]:
    """Everything wrong with the page's prose: "sentence — problem" lines (empty: none)."""
    out = [f"{s!r}: {p}" for s in sentences(page) for p in sentence_problems(s)]
    out += [f"identifier in the text: {i}" for i in identifiers(visible_text(page))]
    return out
