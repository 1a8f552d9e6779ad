"""Action status returns: the Performance Management Group's quarterly status of each action of
the plan's action plan (``config/action_plan.csv``).

One row per action and quarter: the action's id as the register writes it (``1/general/2``),
its status (not started, on track, at risk, complete, dropped), an optional RAG, the date the
status was given and a note. A re-sent return replaces the same actions' rows of that quarter; an
action id not in the register is refused naming the file, row and column
(:mod:`scp_metrics.ingest.checks`). ``docs/partner-returns.md`` describes the template
(``docs/templates/action_status.csv``).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, FrameCheck, Source, field

STATUS_WORDS = ("not started", "on track", "at risk", "complete", "dropped")
KEY = ("action_id", "financial_year", "financial_quarter")


class RawActionStatus(Extract):
    """Quarterly status of the action plan's actions."""

    action_id: Series[str] = field(
        ["Action ID", "Action"], "str", "The action's id in config/action_plan.csv "
        "(priority/section/number, e.g. 1/general/2).",
    )
    financial_year: Series[str] = field(
        ["Financial Year"], "str", "Financial year of the status, e.g. 2009/10.",
        str_matches=r"^\d{4}/\d{2}$",
    )
    financial_quarter: Series[int] = field(
        ["Financial Quarter", "Quarter"], "int", "Quarter of the status (1 = April-June).",
        isin=[1, 2, 3, 4],
    )
    status: Series[str] = field(
        ["Status"], "str", "Not started, On track, At risk, Complete or Dropped.",
        str_matches=r"(?i)^(not started|on track|at risk|complete|dropped)$",
    )
    rag: Series[str] = field(["RAG"], "str", "Green, Amber or Red, as the lead gives it.",
                             nullable=True, str_matches=r"(?i)^(green|amber|red)$")
    status_date: Series[pd.Timestamp] = field(
        ["Status Date", "Date"], "date", "When the status was given.", nullable=True,
    )
    note: Series[str] = field(["Note"], "str", "The lead's note.", nullable=True)

    @pa.dataframe_check(description="one row per action, year and quarter")
    def one_row_per_action(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(list(KEY), keep=False)


SOURCE = Source(
    "action_status", "Action plan status returns", RawActionStatus,
    signature=("action_id", "status"),
    period_rule="financial_quarter",
    replace_key=("action_id",),
    natural_key=KEY,
    frame_checks={"one_row_per_action": FrameCheck(KEY, "action_id")},
)
