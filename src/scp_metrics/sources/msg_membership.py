"""Most Similar Group membership (each CSP's own, asymmetric group): a snapshot."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, FrameCheck, Source, field


class RawMsgMembership(Extract):
    """Most Similar Group membership (each CSP's own, asymmetric group)."""

    group_id: Series[str] = field(
        ["group_id"], "str", "The group (usually the ONS code of the area whose group it is)."
    )
    area_code: Series[str] = field(
        ["area_code"], "str", "ONS code of a member.", str_matches=r"^[EW]0\d{7}$"
    )
    area_name: Series[str] = field(["area_name"], "str", "Member name.")

    @pa.dataframe_check(description="each area appears once per group")
    def unique_member(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["group_id", "area_code"], keep=False)


SOURCE = Source(
    "msg_membership", "Most Similar Group membership", RawMsgMembership,
    signature=("group_id", "area_code", "area_name"), period_rule="snapshot",
    natural_key=("group_id", "area_code"), coverage_column="area_code",
    frame_checks={"unique_member": FrameCheck(("group_id", "area_code"), "area_code")},
)
