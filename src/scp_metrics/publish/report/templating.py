"""The report's Jinja2 environment: templates from ``publish/report/templates/``, HTML
autoescaped, an undefined variable an error (a template never prints a blank).

Filters a template may use (numbers are formatted here, by their unit, never in Python text):
``figure(value, unit)`` at the unit's precision, ``ordinal`` (13 → "13th"), ``month``
("Dec 2009"), ``pct`` (a signed change as "7.8%"), ``probability`` ("<1%", ">99%"), ``points``
(a change in percentage points), ``year``, ``period`` (a tracked period in words),
``lowerfirst`` / ``upperfirst``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scp_metrics.publish.charts.wording import ordinal
from scp_metrics.publish.formats import format_number
from scp_metrics.targets.wording import probability_text


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _figure(value: Any, unit: str | None, missing: str = "—") -> str:
    return format_number(value, unit, missing=missing)


def _month(value: Any) -> str:
    return "—" if _missing(value) else f"{pd.Timestamp(value):%b %Y}"


def _long_month(value: Any) -> str:
    return "—" if _missing(value) else f"{pd.Timestamp(value):%B %Y}"


def _pct(value: Any) -> str:
    return "not available" if _missing(value) else f"{format_number(abs(float(value)), '%')}%"


def _points(value: Any) -> str:
    """A change in a percentage, in percentage points: 2.04 → "2.0 percentage points"."""
    if _missing(value):
        return "not available"
    size = format_number(abs(float(value)), "%")
    return f"{size} percentage point" + ("" if size == "1.0" else "s")


def _day(value: Any) -> str:
    """A moment as "5 December 2026 at 07:45"."""
    if _missing(value):
        return "—"
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%B %Y at %H:%M}"


def _year(value: Any) -> str:
    return "—" if _missing(value) else f"{pd.Timestamp(value):%Y}"


_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?: 00:00:00)?")


def _period(value: Any) -> str:
    """A tracked period as stored ("fytd to 2009-12-31", "survey ending 2008-12-31",
    "2009/10") in words: dates as "Dec 2009", "fytd" as "year to date"."""
    if _missing(value):
        return "—"
    text = _ISO_DATE.sub(lambda m: f"{pd.Timestamp(m.group(1)):%b %Y}", str(value))
    return re.sub(r"\bfytd to\b", "year to date to", text)


def lowerfirst(value: Any) -> str:
    """"All recorded crime" → "all recorded crime" inside a sentence; a name stays as it is: an
    acronym ("NI 15", "ED") or a proper name whose next word is capitalised too ("Home Office")."""
    text = str(value)
    words = text.split()
    if not words or (len(words[0]) > 1 and words[0][1].isupper()) or \
            (len(words) > 1 and words[1][:1].isupper()):
        return text
    return text[:1].lower() + text[1:]


_PATH = re.compile(r"\s*\(?(?:\.\./|[\w.-]+/)[\w./-]*\.(?:md|csv|toml|py|sql)\)?")


def _unpath(value: Any) -> str:
    """Text with the project's file paths (``docs/x.md``, ``config/y.csv``) left out."""
    return _PATH.sub("", str(value))


def _upperfirst(value: Any) -> str:
    text = str(value)
    return text[:1].upper() + text[1:]


def _ordinal(value: Any) -> str:
    return "—" if _missing(value) else ordinal(int(value))


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("scp_metrics.publish.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(figure=_figure, month=_month, long_month=_long_month, pct=_pct,
                       ordinal=_ordinal, probability=probability_text, points=_points,
                       year=_year, day=_day, period=_period, lowerfirst=lowerfirst,
                       upperfirst=_upperfirst, unpath=_unpath)
    env.tests["missing"] = _missing
    env.globals["zip"] = zip
    return env


def render(template: str, **context: Any) -> str:
    """``templates/<template>`` rendered with ``context``."""
    return environment().get_template(template).render(**context)
