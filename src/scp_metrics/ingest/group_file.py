"""A user's Most Similar Group membership file (``scp-metrics rank --group-file``): read and
validated like any extract, refused in one sentence naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scp_metrics.ingest.engine import validate_file

__all__ = ["GroupFileError", "read_group_file"]


class GroupFileError(ValueError):
    """A membership file that cannot be used (message is one sentence)."""


def read_group_file(path: Path | str, *, config_dir: Path) -> pd.DataFrame:
    """Read and validate a user's membership CSV (``group_id, area_code, area_name``).

    Parameters
    ----------
    path : path-like
        A CSV (or any format the readers accept) whose header row holds ``group_id``,
        ``area_code`` and ``area_name``; validated against
        :class:`scp_metrics.sources.msg_membership.RawMsgMembership` (ONS-style codes, no
        member twice in a group).
    config_dir : path-like
        The config folder whose catalogues the members' codes must be in.

    Returns
    -------
    pandas.DataFrame
        ``group_id, area_code, area_name``, trimmed, codes upper-case.

    Raises
    ------
    GroupFileError
        With one sentence naming the file, row, column and problem.
    """
    path = Path(path)
    if not path.is_file():
        raise GroupFileError(f"group file {path} does not exist")
    result = validate_file(path, config_dir=config_dir)
    if result.source is None or result.source.name != "msg_membership":
        what = "an unrecognised file" if result.source is None else result.source.title
        if not result.failures.empty and result.source is None:
            what = f"unreadable ({result.failures.iloc[0]['value']})"
        raise GroupFileError(f"group file {path.name} is {what}, not a membership table with "
                             "columns group_id, area_code, area_name")
    if not result.ok:
        first = result.failures.iloc[0]
        where = f"row {first['row']}, " if pd.notna(first["row"]) else ""
        column = f"column {first['column']}, " if first["column"] else ""
        extra = len(result.failures) - 1
        more = f" (and {extra} more problems)" if extra else ""
        raise GroupFileError(f"group file {path.name}: {where}{column}check '{first['check']}' "
                             f"failed for value {first['value']!r}{more}")
    assert result.frame is not None  # a valid result carries its frame
    frame = result.frame[["group_id", "area_code", "area_name"]].copy()
    frame["group_id"] = frame["group_id"].astype(str).str.strip()
    frame["area_code"] = frame["area_code"].astype(str).str.strip().str.upper()
    frame["area_name"] = frame["area_name"].astype(str).str.strip()
    return frame.reset_index(drop=True)
