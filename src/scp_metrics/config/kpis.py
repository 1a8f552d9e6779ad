"""The KPI register (``config/kpi_register.toml``): every indicator the partnership is held to.

One ``[[kpi]]`` per indicator of the plan's Appendix 3 (NI 15, 17, 19, 20, 21, 30, 32, 38, 39,
40, 110, 111, 115) plus the plan's local measures (Neighbourhood Watch schemes, Community
Payback hours, Acceptable Behaviour Contracts agreed and breached): definition, unit, polarity,
lead agency and officer (or the responsible group), designated flag and where the figure comes
from. Targets are not here: they are in the plan files (``config/plans/*.toml``).

The loader is strict: an unknown key, unit, polarity or source, a missing key, a wrong type or a
repeated id is refused with a :class:`KpiRegisterError` naming the file, the KPI and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "kpi_register.toml"


@dataclass(frozen=True)
class Unit:
    """What a KPI's value means and which interval suits it.

    ``interval`` names the function that gives its limits: ``rate_ci`` / ``wilson_ci`` /
    ``poisson`` (``rate_ci(count, 1, multiplier=1)``) of :mod:`scp_metrics.stats.intervals`,
    ``dsr`` (:func:`scp_metrics.stats.dsr.dsr`), or ``none`` (a tally or a ratio whose
    interval, if any, comes with the partner's return and is carried through as given).
    """

    label: str
    measure: str
    multiplier: int
    interval: str


UNITS: dict[str, Unit] = {
    "rate_per_1000": Unit("rate per 1,000 residents", "rate", 1000, "rate_ci"),
    "rate_per_100000_aged_10_17": Unit("rate per 100,000 aged 10-17", "rate", 100_000, "rate_ci"),
    "dsr_per_100000": Unit("directly standardised rate per 100,000", "dsr", 100_000, "dsr"),
    "percentage": Unit("%", "percentage", 100, "wilson_ci"),
    "percentage_change": Unit("% change on the baseline", "percentage_change", 100, "none"),
    "reoffences_per_offender": Unit("re-offences per offender", "ratio", 1, "none"),
    "ratio": Unit("ratio (actual / predicted)", "ratio", 1, "none"),
    "count": Unit("count", "count", 1, "poisson"),
    "number": Unit("number", "count", 1, "none"),
    "hours": Unit("hours", "count", 1, "none"),
}

#: The unit of ``config/units.py`` each KPI unit is shown in (precision, Excel format).
CONTRACT_UNITS: dict[str, str] = {
    "rate_per_1000": "rate per 1,000",
    "rate_per_100000_aged_10_17": "rate per 100,000",
    "dsr_per_100000": "rate per 100,000",
    "percentage": "%",
    "percentage_change": "%",
    "reoffences_per_offender": "ratio",
    "ratio": "ratio",
    "count": "count",
    "number": "count",
    "hours": "count",
}

POLARITIES = ("lower", "higher")
DELIVERED_BY = ("police_crime", "marac", "place_survey", "partner_return")
_DESIGNATED_UNKNOWN = "unknown"

_REQUIRED = ("id", "title", "definition", "unit", "polarity", "lead_agency", "lead_officer",
             "designated", "plan_ref", "delivered_by", "notes")
_OPTIONAL = ("ni", "responsible_group")


class KpiRegisterError(ValueError):
    """The KPI register is malformed; the message names the file, the KPI and the key."""


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    definition: str
    unit: str
    polarity: str
    lead_agency: str
    lead_officer: str
    designated: bool | None
    """True / False as the plan marks it; None where the plan's row is not available."""
    plan_ref: str
    delivered_by: str
    notes: str
    ni: int | None = None
    responsible_group: str = ""
    """The SCP group the Action Plan makes responsible ("" unless the register names one)."""

    @property
    def unit_spec(self) -> Unit:
        return UNITS[self.unit]

    @property
    def owner(self) -> str:
        """Lead agency with its officer and responsible group, as one label:
        ``"Police (Supt. Matthew Greening)"``, ``"SCC (MAPC)"``, ``"SCC Probation"``."""
        who = "; ".join(w for w in (self.lead_officer, self.responsible_group) if w)
        return f"{self.lead_agency} ({who})" if who else self.lead_agency


@dataclass(frozen=True)
class KpiRegister:
    kpis: tuple[Kpi, ...]

    def __iter__(self) -> Iterator[Kpi]:
        return iter(self.kpis)

    def __len__(self) -> int:
        return len(self.kpis)

    def get(self, kpi_id: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        raise KeyError(f"no KPI {kpi_id!r} in config/{FILE_NAME}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.kpis)


def _text(item: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = item[key]
    if not isinstance(value, str):
        raise KpiRegisterError(f"{where}, key {key}: expected text, got {value!r}")
    if not allow_empty and not value.strip():
        raise KpiRegisterError(f"{where}, key {key}: empty")
    return value.strip()


def _choice(item: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
    value = _text(item, key, where)
    if value not in allowed:
        raise KpiRegisterError(f"{where}, key {key}: unknown {key} {value!r} "
                               f"(known: {', '.join(allowed)})")
    return value


def _designated(item: dict[str, Any], where: str) -> bool | None:
    value = item["designated"]
    if isinstance(value, bool):
        return value
    if value == _DESIGNATED_UNKNOWN:
        return None
    raise KpiRegisterError(f"{where}, key designated: expected true, false or "
                           f"{_DESIGNATED_UNKNOWN!r}, got {value!r}")


def _kpi(item: Any, index: int, file_name: str) -> Kpi:
    if not isinstance(item, dict):
        raise KpiRegisterError(f"{file_name}, [[kpi]] number {index}: not a table")
    label = item.get("id") if isinstance(item.get("id"), str) else f"number {index}"
    where = f"{file_name}, [[kpi]] {label}"
    unknown = sorted(set(item) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise KpiRegisterError(f"{where}: unknown key {', '.join(unknown)} "
                               f"(known: {', '.join(_REQUIRED + _OPTIONAL)})")
    missing = [k for k in _REQUIRED if k not in item]
    if missing:
        raise KpiRegisterError(f"{where}: missing key {', '.join(missing)}")
    ni = item.get("ni")
    if ni is not None and (isinstance(ni, bool) or not isinstance(ni, int) or ni <= 0):
        raise KpiRegisterError(f"{where}, key ni: expected a positive whole number, got {ni!r}")
    return Kpi(
        id=_text(item, "id", where),
        title=_text(item, "title", where),
        definition=_text(item, "definition", where),
        unit=_choice(item, "unit", where, tuple(UNITS)),
        polarity=_choice(item, "polarity", where, POLARITIES),
        lead_agency=_text(item, "lead_agency", where),
        lead_officer=_text(item, "lead_officer", where, allow_empty=True),
        designated=_designated(item, where),
        plan_ref=_text(item, "plan_ref", where),
        delivered_by=_choice(item, "delivered_by", where, DELIVERED_BY),
        notes=_text(item, "notes", where, allow_empty=True),
        ni=ni,
        responsible_group=_text(item, "responsible_group", where, allow_empty=True)
        if "responsible_group" in item else "",
    )


def read_kpi_register(config_dir: Path) -> KpiRegister:
    """Load and validate ``config/kpi_register.toml``.

    Raises
    ------
    KpiRegisterError
        On a TOML syntax error, a top-level key other than ``kpi``, an unknown or missing key in
        a ``[[kpi]]``, an unknown unit, polarity or ``delivered_by``, a wrong type, or an id used
        twice. The message names the file, the KPI (its id, or its position) and the key.
    """
    path = Path(config_dir) / FILE_NAME
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise KpiRegisterError(f"{path.name}: not valid TOML ({exc})") from None
    extra = sorted(set(data) - {"kpi"})
    if extra:
        raise KpiRegisterError(f"{path.name}: unknown top-level key {', '.join(extra)} "
                               "(only [[kpi]] tables)")
    items = data.get("kpi", [])
    if not isinstance(items, list) or not items:
        raise KpiRegisterError(f"{path.name}: no [[kpi]] tables")
    kpis = tuple(_kpi(item, i, path.name) for i, item in enumerate(items, start=1))
    seen: set[str] = set()
    for kpi in kpis:
        if kpi.id in seen:
            raise KpiRegisterError(f"{path.name}, [[kpi]] {kpi.id}, key id: used twice")
        seen.add(kpi.id)
    return KpiRegister(kpis)
