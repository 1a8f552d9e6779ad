"""NHS England A&E attendances by provider, department type and month."""

from __future__ import annotations

import pandas as pd
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawNhsAeAttendances(Extract):
    """NHS England A&E attendances, 4-hour breaches and emergency admissions by provider,
    department type and month (loaded as context; no indicator uses it yet)."""

    period: Series[pd.Timestamp] = field(["period"], "date", "First day of the month.")
    org_code: Series[str] = field(["org_code"], "str", "ODS code of the provider (RHM = "
                                  "University Hospital Southampton).")
    department_type: Series[str] = field(
        ["type"], "str", "A&E department type: 1 (major), 2 (single specialty), other.",
        isin=["1", "2", "3", "other"],
    )
    attendances: Series[int] = field(["attendances"], "int", "Attendances.", ge=0)
    breaches: Series[int] = field(["breaches"], "int", "Attendances over 4 hours.", ge=0)
    admissions: Series[int] = field(["admissions"], "int", "Emergency admissions via A&E.", ge=0)


SOURCE = Source(
    "nhs_ae", "NHS England A&E attendances by provider and month", RawNhsAeAttendances,
    signature=("org_code", "attendances", "breaches"), period_rule="month",
    period_column="period", natural_key=("period", "org_code", "department_type"),
    coverage_column="org_code",
)
