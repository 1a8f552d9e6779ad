"""The report's Jinja2 environment: templates from ``publish/report/templates/``, HTML
autoescaped, an undefined variable an error (a template never prints a blank).

Filters a template may use (numbers are formatted here, by their unit, never in Python text):
``figure(value, unit)`` at the unit's precision, ``ordinal`` (13 → "13th"), ``month``
("Dec 2009"), ``pct`` (a signed change as "7.8%"), ``probability`` ("<1%", ">99%").
"""

from __future__ import annotations

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


def _ordinal(value: Any) -> str:
    return "—" if _missing(value) else ordinal(int(value))


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("scp_metrics.publish.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(figure=_figure, month=_month, long_month=_long_month, pct=_pct,
                       ordinal=_ordinal, probability=probability_text)
    env.tests["missing"] = _missing
    env.globals["zip"] = zip
    return env


def render(template: str, **context: Any) -> str:
    """``templates/<template>`` rendered with ``context``."""
    return environment().get_template(template).render(**context)
