"""Area features for the proxy peer group (``config/area_features.csv``).

One row per local authority that can be a Community Safety Partnership: its ONS code, name and
geography type, resident population and density (ONS ``MYE 5``) and the shares of its population
aged 0-15, 16-24, 25-44 and 65+ (ONS ``MYE2 - Persons``), with the base-10 logarithms of
population and density. :func:`scp_metrics.rankings.proxy_group.nearest_neighbours` groups areas
on them when no Most Similar Group file is delivered (``docs/proxy-peer-group.md``).

The file is written from the ONS mid-year workbook by ``scp-metrics plan peer-features
--workbook ukmidyearestimates….xls`` (:func:`scp_metrics.rankings.proxy_group.derive_features`);
the committed one is mid-2019, April 2020 codes. The loader refuses a missing column or a value
that is not a number, naming the file, row and column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["FILE_NAME", "COLUMNS", "AreaFeaturesError", "read_area_features"]

FILE_NAME = "area_features.csv"
TEXT_COLUMNS = ("area_code", "area_name", "geography")
NUMBER_COLUMNS = ("population", "density_per_sq_km", "log10_population", "log10_density",
                  "share_0_15", "share_16_24", "share_25_44", "share_65_plus")
COLUMNS = (*TEXT_COLUMNS, *NUMBER_COLUMNS)


class AreaFeaturesError(ValueError):
    """``config/area_features.csv`` is not usable (the message names row and column)."""


def read_area_features(config_dir: Path) -> pd.DataFrame:
    """The features of every area (:data:`COLUMNS`, sorted by code); empty with the columns
    when the file does not exist (then no proxy group can be built, and the marts say so)."""
    path = Path(config_dir) / FILE_NAME
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=object if c in TEXT_COLUMNS else float)
                             for c in COLUMNS})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise AreaFeaturesError(f"{path.name}: no column {', '.join(missing)}; write the file "
                                "again with 'scp-metrics plan peer-features --workbook …'")
    for column in NUMBER_COLUMNS:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # the header is line 1
            raise AreaFeaturesError(f"{path.name}, row {row}, column {column}: "
                                    f"{frame[column].iloc[row - 2]!r} is not a number; correct "
                                    "it or write the file again")
        frame[column] = values.astype(float)
    repeated = frame["area_code"].duplicated()
    if repeated.any():
        row = int(repeated.to_numpy().nonzero()[0][0]) + 2
        raise AreaFeaturesError(f"{path.name}, row {row}, column area_code: "
                                f"{frame['area_code'].iloc[row - 2]} appears twice")
    return frame[list(COLUMNS)].sort_values("area_code").reset_index(drop=True)
