"""Whether one series' statistics could be computed: the ``series_status`` and ``note`` columns
of every per-series mart (``mart_spc``, ``mart_trends``, ``mart_msg_rankings``,
``mart_target_tracking``, ``mart_target_trajectory``).

Partners deliver on their own timetables, so a series may be short, holed or odd in ways no
test foresaw. One series that cannot be computed must never stop the build: its rows say
``failed`` and the ``note`` says why (the exception's type and message: statistics carry no
personal data), every other series is computed as usual, ``mart_data_quality`` lists it and the
refresh exits 1 naming it.
"""

from __future__ import annotations

__all__ = ["FAILED", "OK", "SERIES_STATUSES", "failure_note"]

OK = "ok"
FAILED = "failed"
SERIES_STATUSES = (OK, FAILED)


def failure_note(what: str, exc: BaseException) -> str:
    """``"<what> not computed: <ExceptionType>: <message>"`` (the message cut at 300
    characters)."""
    message = " ".join(str(exc).split())
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{what} not computed: {type(exc).__name__}: {message}" if message else \
        f"{what} not computed: {type(exc).__name__}"
