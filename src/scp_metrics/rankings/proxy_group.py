"""A proxy peer group from open data: the nearest neighbours of an area by ONS population data.

When no Most Similar Group is delivered, an area's peers are the 15 local authorities nearest
to it on size, density and age structure, by CIPFA's nearest-neighbour method as its public
descriptions give it: every variable is standardised (mean 0, standard deviation 1 across the
candidate areas), the weighted Euclidean distance between areas is computed, and distances are
rebased so that the area's farthest candidate is 1. ``docs/proxy-peer-group.md`` says what the
method follows, what it cannot follow (CIPFA's 40 variables and weights are not public) and why
the variables and weights below were chosen. The group is labelled :data:`PROXY_GROUP_LABEL`
wherever it appears; a delivered MSG file always wins over it.

Everything here is pure: frames in, frames out. The caller reads the ONS workbook (sheets
``MYE 5`` and ``MYE2 - Persons``, header row found, title rows dropped).

References
----------
.. [1] CIPFA. *Nearest Neighbours Model (England)*, CIPFAstats (method summary: variables
   standardised to mean 0 and standard deviation 1, Euclidean distance between every pair of
   authorities, summed over the variables with weights, rebased so that the farthest neighbour
   is 1). Described publicly e.g. in Hartlepool Borough Council, *JSNA: Statistical
   Neighbours*.
.. [2] Office for National Statistics. *Population estimates for the UK, England and Wales,
   Scotland and Northern Ireland: mid-2019* (April 2020 local authority codes), tables MYE2
   (single year of age) and MYE5 (population density).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_VARIABLES",
    "GROUP_COLUMNS",
    "LOWER_TIER",
    "PROXY_GROUP_LABEL",
    "Variable",
    "derive_features",
    "nearest_neighbours",
]

PROXY_GROUP_LABEL = "proxy group (open data)"

#: ONS ``Geography1`` labels of the areas a Community Safety Partnership can cover (district
#: level: England's unitaries, districts, metropolitan districts and London boroughs, Welsh
#: unitaries, Scottish council areas, Northern Irish districts). Counties, metropolitan
#: counties, regions and countries are left out.
LOWER_TIER = ("Unitary Authority", "Non-metropolitan District", "Metropolitan District",
              "London Borough", "Council Area", "Local Government District")

#: Age bands whose shares of the population describe age structure (the 45-64 share is what
#: is left, so it would add nothing).
AGE_SHARES = {"share_0_15": (0, 15), "share_16_24": (16, 24), "share_25_44": (25, 44),
              "share_65_plus": (65, None)}

FEATURE_COLUMNS = ["area_code", "area_name", "geography", "population", "density_per_sq_km",
                   "log10_population", "log10_density", *AGE_SHARES]
GROUP_COLUMNS = ["group_id", "group_label", "area_code", "area_name", "distance", "rank"]


@dataclass(frozen=True)
class Variable:
    """A feature column, the subject it describes and its weight in the squared distance."""

    column: str
    subject: str
    weight: float


#: Three subjects weighted equally (a third each): size, density and age structure; the four
#: age shares split the age subject's third between them.
DEFAULT_VARIABLES: tuple[Variable, ...] = (
    Variable("log10_population", "size", 1 / 3),
    Variable("log10_density", "density", 1 / 3),
    *(Variable(column, "age structure", 1 / 12) for column in AGE_SHARES),
)


def _require(frame: pd.DataFrame, columns: Sequence[str], sheet: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{sheet}: no column {', '.join(repr(c) for c in missing)}")


def _age(label: object) -> int | None:
    """An MYE2 column label as an age: 0, '0', 0.0 or '0.0' → 0; '90+' → 90; else None."""
    text = str(label).strip()
    if text.endswith("+"):
        text = text[:-1]
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value >= 0 else None


def _numbers(values: pd.Series, sheet: str, column: str) -> pd.Series:
    out = pd.to_numeric(values, errors="coerce")
    bad = out.isna() & values.notna()
    if bad.any():
        raise ValueError(f"{sheet}: column {column!r} has a value that is not a number "
                         f"({values[bad].iloc[0]!r})")
    return out.astype(float)


def derive_features(mye5: pd.DataFrame, mye2: pd.DataFrame, year: int,
                    geographies: Sequence[str] = LOWER_TIER) -> pd.DataFrame:
    """Per-area features for :func:`nearest_neighbours` from the ONS workbook's sheets.

    Parameters
    ----------
    mye5 : pandas.DataFrame
        Sheet ``MYE 5`` below its header row: ``Code, Name, Geography1``,
        ``Estimated Population mid-<year>`` and ``<year> people per sq. km``.
    mye2 : pandas.DataFrame
        Sheet ``MYE2 - Persons`` below its header row: ``Code, Geography1, All ages`` and one
        column per single year of age (``0`` … ``89``, ``90+``). Its shares describe the
        sheet's own mid-year.
    year : int
        The mid-year whose population and density are taken from ``MYE 5``.
    geographies : sequence of str
        ``Geography1`` labels kept (default :data:`LOWER_TIER`).

    Returns
    -------
    pandas.DataFrame
        :data:`FEATURE_COLUMNS`, one row per area in both sheets with a positive population,
        sorted by ``area_code``: population and density (MYE 5), their base-10 logarithms,
        and the shares of the MYE2 population aged 0-15, 16-24, 25-44 and 65+.

    Raises
    ------
    ValueError
        When a column is missing, a value is not a number, or the single-year ages do not run
        0 … 90 (the message names the sheet and the column).
    """
    pop_col, density_col = f"Estimated Population mid-{year}", f"{year} people per sq. km"
    _require(mye5, ["Code", "Name", "Geography1", pop_col, density_col], "MYE 5")
    _require(mye2, ["Code", "Geography1", "All ages"], "MYE2 - Persons")
    ages = {col: age for col in mye2.columns if (age := _age(col)) is not None}
    if sorted(ages.values()) != list(range(91)):
        raise ValueError("MYE2 - Persons: the single-year columns must be ages 0 to 89 and 90+")

    keep5 = mye5[mye5["Geography1"].astype(str).str.strip().isin(geographies)]
    base = pd.DataFrame({
        "area_code": keep5["Code"].astype(str).str.strip(),
        "area_name": keep5["Name"].astype(str).str.strip(),
        "geography": keep5["Geography1"].astype(str).str.strip(),
        "population": _numbers(keep5[pop_col], "MYE 5", pop_col),
        "density_per_sq_km": _numbers(keep5[density_col], "MYE 5", density_col),
    })
    keep2 = mye2[mye2["Geography1"].astype(str).str.strip().isin(geographies)]
    by_age = pd.DataFrame({age: _numbers(keep2[col], "MYE2 - Persons", str(col))
                           for col, age in ages.items()})
    total = by_age.sum(axis=1)
    shares = pd.DataFrame({"area_code": keep2["Code"].astype(str).str.strip()})
    for name, (lo, hi) in AGE_SHARES.items():
        upper = 90 if hi is None else hi
        shares[name] = by_age[list(range(lo, upper + 1))].sum(axis=1) / total
    features = base.merge(shares, on="area_code", how="inner")
    features = features[(features["population"] > 0) & (features["density_per_sq_km"] > 0)]
    features = features.assign(log10_population=np.log10(features["population"]),
                               log10_density=np.log10(features["density_per_sq_km"]))
    return features[FEATURE_COLUMNS].sort_values("area_code").reset_index(drop=True)


def nearest_neighbours(features: pd.DataFrame, area_code: str, *, n: int = 15,
                       variables: Sequence[Variable] = DEFAULT_VARIABLES,
                       pool: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``n`` areas nearest to ``area_code``, CIPFA style, as a membership table.

    Parameters
    ----------
    features : pandas.DataFrame
        ``area_code``, ``area_name`` and every ``variables`` column, one row per area
        (:func:`derive_features`).
    area_code : str
        The focus area.
    n : int, default 15
        How many neighbours (CIPFA lists 15; a Home Office MSG of "15 CSPs" counts the area
        itself, i.e. ``n = 14``).
    variables : sequence of Variable
        Columns and weights (default :data:`DEFAULT_VARIABLES`).
    pool : sequence of str, optional
        The candidate area codes (the focus area is added). Default: every area of ``features``
        in the focus area's country (first letter of the code: E England, W Wales, …).

    Returns
    -------
    pandas.DataFrame
        :data:`GROUP_COLUMNS`: ``group_id`` = the focus area's code (the membership convention
        of ``stg_msg_membership``: the focus area is a member), ``group_label`` =
        :data:`PROXY_GROUP_LABEL`, the focus area at rank 0 and distance 0, then its ``n``
        neighbours ranked 1 … n by distance (ties by area code). ``distance`` is the weighted
        Euclidean distance of standardised variables, rebased so that the focus area's
        farthest candidate is 1.

    Raises
    ------
    ValueError
        When the focus area is not in ``features``, a variable column is missing or has a
        missing value in the pool, a weight is negative, or the pool has fewer than ``n``
        other areas.

    Notes
    -----
    Each variable x is standardised over the pool, z = (x − mean) / sd with the population
    standard deviation (ddof = 0); a variable constant over the pool carries no information and
    contributes 0. Distance d(a, b) = √(Σ_v w_v (z_av − z_bv)²).
    """
    _require(features, ["area_code", "area_name", *(v.column for v in variables)], "features")
    if any(v.weight < 0 for v in variables):
        raise ValueError("variable weights must be zero or more")
    codes = features["area_code"].astype(str)
    if area_code not in set(codes):
        raise ValueError(f"area {area_code} is not in the features")
    in_pool = (codes.str[0] == area_code[0]) if pool is None else codes.isin({*pool, area_code})
    frame = features[in_pool.to_numpy()].drop_duplicates("area_code").reset_index(drop=True)
    if len(frame) - 1 < n:
        raise ValueError(f"only {len(frame) - 1} candidate areas for {area_code}; {n} needed")
    values = frame[[v.column for v in variables]].to_numpy(dtype=float)
    if np.isnan(values).any():
        row, col = np.argwhere(np.isnan(values))[0]
        raise ValueError(f"area {frame['area_code'].iloc[row]} has no value for "
                         f"{variables[col].column}")
    sd = values.std(axis=0)
    z = np.where(sd > 0, (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    weights = np.array([v.weight for v in variables])
    focus = int(np.flatnonzero(frame["area_code"].to_numpy() == area_code)[0])
    diff = z - z[focus]
    distance = np.sqrt((weights * diff * diff).sum(axis=1))
    farthest = distance.max()
    rebased = distance / farthest if farthest > 0 else distance
    out = frame[["area_code", "area_name"]].assign(distance=rebased)
    others = out.drop(index=focus).sort_values(["distance", "area_code"], kind="mergesort")
    group = pd.concat([out.iloc[[focus]], others.head(n)], ignore_index=True)
    group["distance"] = group["distance"].astype(float)
    group.loc[0, "distance"] = 0.0
    group["rank"] = np.arange(len(group))
    group.insert(0, "group_label", PROXY_GROUP_LABEL)
    group.insert(0, "group_id", area_code)
    return group[GROUP_COLUMNS]
