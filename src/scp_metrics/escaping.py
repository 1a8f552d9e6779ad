"""Text from a delivered file (its name, its cells) made safe for where it is written.

* :func:`neutralise`: a spreadsheet or CSV cell (OWASP "CSV Injection"): text starting with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula by Excel,
  LibreOffice and Google Sheets, so it gets a leading single quote and is shown, never
  evaluated (:mod:`scp_metrics.publish.cells` applies it to frames).
* :func:`log_text`: one line of a log or the terminal: control characters (a newline would
  forge a log line) shown as ``\\n``, ``\\x1b`` …
* :func:`md_cell`: a Markdown table cell or line (``refresh_summary.md``, quarantine reports,
  the Prefect artifact): control characters escaped as in :func:`log_text`, ``|``, backslash,
  backticks and brackets backslash-escaped and ``& < >`` entity-encoded, so a file name cannot
  break a table, add a link or inject HTML.

Pure functions of text; the lowest layer, so ingest, publish and steps share one rule.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MD_SPECIAL = re.compile(r"([\\`\[\]|])")


def neutralise(value: Any) -> Any:
    """The text as a cell should hold it; anything that is not a str unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _control(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}"
                                                      if ord(char) < 0x100 else
                                                      f"\\u{ord(char):04x}")


def log_text(value: Any) -> str:
    """``value`` as text that stays on one line (control characters escaped)."""
    return _CONTROL.sub(_control, "" if value is None else str(value))


def md_cell(value: Any) -> str:
    """``value`` as literal text in a Markdown table cell (one line, nothing interpreted)."""
    text = log_text(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)
