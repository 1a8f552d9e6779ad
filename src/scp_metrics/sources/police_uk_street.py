"""data.police.uk street-level crime and anti-social behaviour, one file per force and month."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, FrameCheck, Source, field


class RawPoliceUkStreet(Extract):
    """data.police.uk street-level crime and anti-social behaviour: one row per crime or
    incident, one file per force and month (``YYYY-MM-<force>-street.csv``, plain or gzipped).

    Rows are never de-duplicated: anti-social behaviour has no Crime ID and separate incidents
    at one snapped location are exact duplicate rows. The local authority of a row is its LSOA
    name without the trailing `` NNNX`` (placed by ``stg_police_uk``).
    """

    crime_id: Series[str] = field(
        ["Crime ID"], "str",
        "Crime identifier (64 hex characters); empty for anti-social behaviour. Not always "
        "unique: a crime can appear on more than one row (reported, never refused).",
        nullable=True,
    )
    month: Series[str] = field(
        ["Month"], "str", "Month of the crime or incident, YYYY-MM.",
        str_matches=r"^\d{4}-(0[1-9]|1[0-2])$",
    )
    reported_by: Series[str] = field(["Reported by"], "str", "Force that supplied the row.")
    falls_within: Series[str] = field(
        ["Falls within"], "str", "Force whose area the row falls within (the file's force)."
    )
    longitude: Series[float] = field(
        ["Longitude"], "float", "Snapped (anonymised) longitude; empty without a location.",
        nullable=True, ge=-180, le=180,
    )
    latitude: Series[float] = field(
        ["Latitude"], "float", "Snapped (anonymised) latitude; empty without a location.",
        nullable=True, ge=-90, le=90,
    )
    location: Series[str] = field(
        ["Location"], "str", "Snap-point description ('On or near …', 'No Location').",
        nullable=True,
    )
    lsoa_code: Series[str] = field(
        ["LSOA code"], "str", "2011 Lower Super Output Area code; empty without a location.",
        nullable=True, str_matches=r"^[EW]01\d{6}$",
    )
    lsoa_name: Series[str] = field(
        ["LSOA name"], "str",
        "LSOA name, '<local authority> NNNX' (e.g. 'Southampton 023C'); empty without a location.",
        nullable=True,
    )
    crime_type: Series[str] = field(
        ["Crime type"], "str",
        "police.uk crime category (config/police_uk_crime_types.csv), incl. anti-social behaviour.",
    )
    last_outcome_category: Series[str] = field(
        ["Last outcome category"], "str", "Latest outcome at extraction time; empty for ASB.",
        nullable=True,
    )
    context: Series[str] = field(["Context"], "str", "Free-text context (usually empty).",
                                 nullable=True)

    @pa.dataframe_check(description="LSOA code and LSOA name are both present or both empty")
    def lsoa_code_with_name(cls, df: pd.DataFrame) -> Series[bool]:
        return df["lsoa_code"].isna() == df["lsoa_name"].isna()


SOURCE = Source(
    "police_uk_street", "data.police.uk street-level crime and ASB (force, month)",
    RawPoliceUkStreet, signature=("month", "falls_within", "lsoa_name", "crime_type"),
    period_rule="month", period_column="month", replace_key=("falls_within",),
    natural_key=("period_start", "falls_within"),
    frame_checks={"lsoa_code_with_name": FrameCheck(("lsoa_code", "lsoa_name"), "lsoa_name")},
)


def notes(repeated_ids: int, repeated_rows: int, without_id: int, without_lsoa: int) -> list[str]:
    """Facts about a file worth a line in the ledger (none of them refuse it), from its counts:
    Crime IDs on more than one row, rows without a Crime ID, rows without an LSOA."""
    out = []
    if repeated_rows:
        out.append(f"{repeated_ids:,} Crime IDs appear on more than one row "
                   f"({repeated_rows:,} rows): every row is counted, as police.uk does")
    if without_id:
        out.append(f"{without_id:,} rows without a Crime ID (anti-social behaviour), "
                   "not de-duplicated")
    if without_lsoa:
        out.append(f"{without_lsoa:,} rows without an LSOA (no location): loaded, "
                   "reported as unplaced")
    return out
