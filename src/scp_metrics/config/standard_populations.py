"""Standard populations for direct standardisation (``config/standard_populations.csv``).

One row per (standard, age band): ``standard, age_band, age_from, age_to, population, source``.
``age_to`` is empty for the open top band ("85+"). The file ships the 1976 European Standard
Population (``esp1976``: the NI handbook's standard for NI 39) and the 2013 one (``esp2013``:
Fingertips' standard since 2014, PHEindicatormethods' ``esp2013``). Another standard is another
block of rows. :func:`scp_metrics.stats.dsr.dsr` takes ``StandardPopulation.population`` and
:func:`scp_metrics.stats.dsr.band_totals` takes ``StandardPopulation.bands``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "standard_populations.csv"
COLUMNS = ("standard", "age_band", "age_from", "age_to", "population", "source")


class StandardPopulationError(ValueError):
    """The standard populations file is malformed; the message names file, line and column."""


@dataclass(frozen=True)
class StandardPopulation:
    name: str
    age_bands: tuple[str, ...]
    bands: tuple[tuple[int, int | None], ...]
    """Inclusive (age_from, age_to); age_to None for the open top band."""
    population: tuple[float, ...]
    source: str

    @property
    def total(self) -> float:
        return float(sum(self.population))


def _int(text: str, where: str, column: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise StandardPopulationError(f"{where}, column {column}: {text!r} is not a whole "
                                      "number of years") from None
    if value < 0:
        raise StandardPopulationError(f"{where}, column {column}: {value} is negative")
    return value


@dataclass(frozen=True)
class _Band:
    standard: str
    label: str
    age_from: int
    age_to: int | None
    population: float
    source: str
    where: str


def _band(record: dict[str, str], where: str) -> _Band:
    name = record["standard"].strip()
    if not name:
        raise StandardPopulationError(f"{where}, column standard: empty")
    lo = _int(record["age_from"].strip(), where, "age_from")
    hi_text = record["age_to"].strip()
    hi = _int(hi_text, where, "age_to") if hi_text else None
    if hi is not None and hi < lo:
        raise StandardPopulationError(f"{where}, column age_to: {hi} is below age_from {lo}")
    try:
        population = float(record["population"])
    except ValueError:
        raise StandardPopulationError(f"{where}, column population: {record['population']!r} "
                                      "is not a number") from None
    if not population >= 0:
        raise StandardPopulationError(f"{where}, column population: {population:g} must be "
                                      "zero or more")
    return _Band(name, record["age_band"].strip(), lo, hi, population, record["source"].strip(),
                 where)


def _standard(name: str, bands: list[_Band], file_name: str) -> StandardPopulation:
    expected: int | None = 0
    for i, band in enumerate(bands):
        if expected is None or band.age_from != expected:
            raise StandardPopulationError(f"{band.where}, column age_from: {name} bands must run "
                                          f"on without gap or overlap; got {band.age_from}")
        if band.age_to is None and i != len(bands) - 1:
            raise StandardPopulationError(f"{band.where}, column age_to: only {name}'s last band "
                                          "may be open-ended")
        expected = None if band.age_to is None else band.age_to + 1
    if expected is not None:
        raise StandardPopulationError(f"{file_name}: {name}'s last band must be open-ended "
                                      "(empty age_to)")
    return StandardPopulation(
        name=name,
        age_bands=tuple(b.label for b in bands),
        bands=tuple((b.age_from, b.age_to) for b in bands),
        population=tuple(b.population for b in bands),
        source=bands[0].source,
    )


def read_standard_populations(config_dir: Path) -> dict[str, StandardPopulation]:
    """Every standard in ``config/standard_populations.csv``, by name.

    Raises
    ------
    StandardPopulationError
        When the header is not the expected one, a value is not a number, or a standard's bands
        do not run from age 0 without gap or overlap to an open top band. The message names the
        file, the line and the column.
    """
    path = Path(config_dir) / FILE_NAME
    by_standard: dict[str, list[_Band]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            raise StandardPopulationError(f"{path.name}: the header must be "
                                          f"{','.join(COLUMNS)}; got {','.join(header)}")
        for line, record in enumerate(reader, start=2):
            band = _band(record, f"{path.name}, line {line}")
            by_standard.setdefault(band.standard, []).append(band)
    return {name: _standard(name, bands, path.name) for name, bands in by_standard.items()}
