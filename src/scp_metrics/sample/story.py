"""The numbers the sample is built to tell: the 2010-11 plan's story and the peers around it.

Every target here is April-December 2009 against April-December 2008 (Southampton) unless
stated; the generator hits them exactly on the realised 2008 counts, so they hold for any seed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_CRIME_CHANGE",
    "CATEGORY_CHANGES",
    "CITY_CENTRE_SHARE_OF_VAP",
    "CITY_CENTRE_NIGHT_FRACTION",
    "DOMESTIC_SHARE_OF_VAP",
    "ED_NIGHT_CHANGE",
    "ED_OTHER_CHANGE",
    "FIRE_DELIBERATE_STEP",
    "HO_RECONCILIATION",
    "MARAC_REPEAT_PROBABILITY",
    "NI15_CODES",
    "PEERS",
    "PeerProfile",
    "Reconciliation",
    "VAP_CHANGE",
]


ALL_CRIME_CHANGE = -0.12
VAP_CHANGE = -0.07
# Story categories (disjoint); "vap_non" and "other" are solved so VAP and all crime hit target.
CATEGORY_CHANGES: dict[str, float] = {
    "vap_ccn": -0.17,  # city-centre violence at night (20:00-05:59): the NTE story
    "vap_ccd": -0.06,  # city-centre violence by day
    "sexual": -0.05,
    "robbery": -0.12,
    "dwelling_burglary": +0.17,
    "tmv": -0.26,  # theft or unauthorised taking of a motor vehicle (48, 37.2)
    "tfv": -0.36,  # theft from a vehicle (45)
    "damage": -0.16,  # criminal damage and arson
}

# Violence against the person: share in the city centre before the NTE story (so that after
# the 2009 fall it is 24.8%), and the night-time fraction of city-centre violence.
CITY_CENTRE_SHARE_OF_VAP = 0.264
CITY_CENTRE_NIGHT_FRACTION = 0.65
DOMESTIC_SHARE_OF_VAP = 0.215

# Home Office most serious violence (NI 15) codes, as in the plan's definition.
NI15_CODES = frozenset(
    {"1", "2", "4.1", "4.2", "4.4", "4.8", "5", "5A", "5B", "5C", "8F", "8H", "37.1"}
)

# ED assaults (ISTV): night = assault time 20:00-03:59, attributed to the night it began.
ED_NIGHT_CHANGE = -0.12
ED_OTHER_CHANGE = -0.04

# Fire: the Incident Recording System counts suspected-deliberate fires from April 2009.
FIRE_DELIBERATE_STEP = 1.15

# MARAC: chance that a case is a victim heard in the previous 12 months.
MARAC_REPEAT_PROBABILITY = 0.31


@dataclass(frozen=True)
class Reconciliation:
    """Extra offences in the Home Office CSP table only (not in the force extract)."""

    fy: int
    q: int
    code: str
    extra: int


# The deliberate reconciliation difference the indicator engine should flag.
HO_RECONCILIATION = Reconciliation(fy=2008, q=2, code="49", extra=110)


@dataclass(frozen=True)
class PeerProfile:
    """A peer's 2009/10 rates as multiples of Southampton's, and its own yearly fall.

    ``annual_fall`` is the peer's year-on-year reduction (0.05 = 5% a year) back to 2003/04.
    """

    hcsp_name: str
    all_crime: float
    vap: float
    msv: float
    damage: float
    annual_fall: float
    population_2008: int
    growth: float


# Southampton 2009/10 positions (1 = lowest rate of 15): all crime 13th, VAP 15th, NI 15 3rd,
# criminal damage 13th. Multipliers keep clear gaps (widest for NI 15, whose counts are small).
PEERS: dict[str, PeerProfile] = {
    "E06000045": PeerProfile("Southampton", 1.0, 1.0, 1.0, 1.0, 0.0, 234_100, 0.0105),
    "E06000044": PeerProfile("Portsmouth", 0.92, 0.86, 1.50, 0.90, 0.040, 197_700, 0.0060),
    "E06000023": PeerProfile("Bristol", 0.90, 0.80, 1.60, 0.85, 0.050, 421_300, 0.0085),
    "E06000026": PeerProfile("Plymouth", 0.78, 0.82, 1.45, 0.88, 0.030, 252_800, 0.0045),
    "E06000028": PeerProfile("Bournemouth", 0.80, 0.70, 1.40, 0.72, 0.040, 163_600, 0.0060),
    "E06000016": PeerProfile("Leicester", 0.88, 0.84, 1.55, 0.80, 0.050, 294_700, 0.0080),
    "E06000018": PeerProfile("Nottingham", 1.14, 0.92, 1.85, 1.10, 0.065, 292_400, 0.0090),
    "E06000015": PeerProfile("Derby", 0.76, 0.66, 1.42, 0.82, 0.050, 242_100, 0.0055),
    "E06000038": PeerProfile("Reading", 0.82, 0.72, 0.66, 0.70, 0.040, 145_300, 0.0070),
    "E06000042": PeerProfile("Milton Keynes", 0.64, 0.60, 0.55, 0.78, 0.030, 233_400, 0.0130),
    "E06000043": PeerProfile("Brighton and Hove", 0.86, 0.68, 1.36, 0.76, 0.040, 256_600, 0.0050),
    "E06000010": PeerProfile("Kingston upon Hull", 1.08, 0.90, 1.45, 1.18, 0.030, 262_400, 0.0035),
    "E06000032": PeerProfile("Luton", 0.84, 0.75, 1.65, 0.74, 0.050, 191_200, 0.0060),
    "E08000026": PeerProfile("Coventry", 0.72, 0.62, 1.48, 0.72, 0.040, 306_600, 0.0060),
    "E06000021": PeerProfile("Stoke-on-Trent", 0.80, 0.70, 1.38, 0.92, 0.050, 239_300, 0.0020),
}
