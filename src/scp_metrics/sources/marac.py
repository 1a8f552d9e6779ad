"""MARAC cases heard, pseudonymised, one file per quarter."""

from __future__ import annotations

import pandas as pd
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawMaracCases(Extract):
    """MARAC cases heard (pseudonymised)."""

    case_heard_date: Series[pd.Timestamp] = field(
        ["Case Heard Date", "Date Heard"], "date", "Date the MARAC heard the case."
    )
    victim_reference: Series[str] = field(
        ["Victim Reference", "Victim Ref"], "str", "Pseudonymised victim reference.",
        str_matches=r"^V\d{6}$",
    )
    risk_level: Series[str] = field(["Risk Level"], "str", "Assessed risk level.", nullable=True)
    referring_agency: Series[str] = field(
        ["Referring Agency"], "str", "Agency that referred the case.", nullable=True
    )
    repeat_flag: Series[bool] = field(
        ["Repeat Flag", "Repeat"], "flag", "Victim heard at MARAC in the previous 12 months."
    )


SOURCE = Source(
    "marac", "MARAC cases", RawMaracCases,
    signature=("case_heard_date", "victim_reference", "repeat_flag"),
    period_rule="quarter", period_column="case_heard_date", personal_data_guard=True,
    month_column="case_heard_date", natural_key=("victim_reference", "case_heard_date"),
)
