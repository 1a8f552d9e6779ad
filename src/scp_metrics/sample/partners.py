"""Partner KPI returns and action status returns for the sample (issue 19).

``partners/partner_return_<quarter>.csv``: one return a quarter from 2008/09 Q1 to 2009/10 Q3
(the sample's last quarter), each agency's rows for the KPIs it leads, in the template of
``docs/templates/partner_return.csv``. The figures tell the plan's story:

* first-time entrants (NI 111): 400 in the 12 months to December 2008, 320 to December 2009
  (down 20%), per 100,000 of the 22,600 aged 10-17;
* Neighbourhood Watch schemes: 177 at March 2008, 200 at March 2009 (+13%), 224 at December
  2009 on the way to 230 (+15%, 30% over two years);
* Community Payback: 4,800 + 5,100 + 5,100 = 15,000 hours in April-December 2009;
* Acceptable Behaviour Contracts (SCC): 150 young people agreed one in the 12 months to December
  2008, 171 to December 2009 (up 14%); breaches 60 and 57 (down 5%);
* NI 39 alcohol-harm admissions: 2008/09 Q1 and Q2 as published by the PCT (value and
  interval), from 2008/09 Q3 by age band on the 1976 European Standard Population (the DSR is
  computed, so 2009/10 Q3 is tested against 2008/09 Q3: up 4.1%);
* NI 110 and NI 115 (TellUs) in Q3 of each year only.

``action_status/action_status_<quarter>.csv``: the Performance Management Group's status of every
action of ``config/action_plan.csv`` in 2010/11 Q1 and Q2 (the plan's year): most on track, some
complete, a few past their timing and not complete (overdue), placeholders not started.
Everything is deterministic (no random draws): the same files for every seed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from scp_metrics.config.actions import read_action_plan
from scp_metrics.config.standard_populations import read_standard_populations
from scp_metrics.periods import Quarter

from .writers import csv_bytes, write_bytes

__all__ = ["ACTION_COLUMNS", "RETURN_COLUMNS", "action_status_rows", "partner_return_rows",
           "write_partners"]

RETURN_COLUMNS = ["Indicator", "Financial Year", "Financial Quarter", "Agency", "Numerator",
                  "Denominator", "Value", "Published Lower", "Published Upper", "Age Band",
                  "Standard Population", "Note"]
ACTION_COLUMNS = ["Action ID", "Financial Year", "Financial Quarter", "Status", "RAG",
                  "Status Date", "Note"]

QUARTERS = [Quarter(2008, q) for q in (1, 2, 3, 4)] + [Quarter(2009, q) for q in (1, 2, 3)]
STATUS_QUARTERS = [Quarter(2010, 1), Quarter(2010, 2)]

# Per quarter (2008/09 Q1 ... 2009/10 Q3):
FTE_12M = [430, 420, 400, 385, 360, 340, 320]  # NI 111: 12 months to the quarter's end
POP_10_17 = 22_600
NW_SCHEMES = [183, 189, 195, 200, 206, 214, 224]
CP_HOURS = [2_600, 2_900, 3_100, 3_400, 4_800, 5_100, 5_100]
ABC_AGREED = [141, 146, 150, 153, 158, 165, 171]  # 12 months to the quarter's end
ABC_BREACHES = [62, 61, 60, 59, 59, 58, 57]
TREATMENT = [1_050, 1_062, 1_071, 1_080, 1_094, 1_110, 1_131]  # NI 40, 12 months
REOFFENCES = [(512, 410), (505, 412), (498, 415), (490, 418), (470, 420), (455, 421), (440, 423)]
CLASS_A = [(330, 350), (326, 352), (321, 353), (318, 355), (309, 356), (301, 357), (297, 358)]
PPO_CHANGE = [-12.0, -14.5, -16.0, -18.0, -19.5, -21.0, -22.5]
TELLUS = {(2008, 3): ((1_340, 2_000), (232, 2_000)), (2009, 3): ((1_390, 2_000), (205, 2_000))}
NI39_PUBLISHED = [(1_812.0, 1_770.9, 1_853.8), (1_826.0, 1_784.8, 1_868.0)]
# NI 39 by 1976 ESP age band: the city's population and the admissions per 100,000 a year in
# 2009/10 Q1 (12 months to the quarter's end), with a quarter-on-quarter growth of 1%.
AGE_POPULATION = [14_100, 12_300, 12_400, 16_900, 27_800, 19_800, 16_300, 15_300, 14_200,
                  13_300, 12_600, 11_000, 10_100, 8_300, 7_300, 6_300, 4_800, 4_600]
AGE_RATE = [35, 20, 120, 900, 1_500, 1_500, 1_650, 1_900, 2_200, 2_500, 2_800, 3_000, 3_200,
            3_300, 3_500, 3_600, 3_700, 3_900]


def _fy(quarter: Quarter) -> str:
    return f"{quarter.fy_start}/{(quarter.fy_start + 1) % 100:02d}"


def _row(kpi: str, quarter: Quarter, agency: str, *, numerator: object = "",
         denominator: object = "", value: object = "", lower: object = "", upper: object = "",
         band: str = "", standard: str = "", note: str = "") -> list[str]:
    return [kpi, _fy(quarter), str(quarter.number), agency, str(numerator), str(denominator),
            str(value), str(lower), str(upper), band, standard, note]


def partner_return_rows(quarter: Quarter, index: int, age_bands: tuple[str, ...]) -> list[list[str]]:
    """One quarter's return (``index``: position in :data:`QUARTERS`)."""
    yot, probation, pct = "Wessex YOT", "Hampshire Probation Area", "SCPCT"
    rows = [
        _row("NI19", quarter, yot, numerator=REOFFENCES[index][0],
             denominator=REOFFENCES[index][1], note="cohort of the 12 months to the quarter"),
        _row("NI30", quarter, probation, value=PPO_CHANGE[index]),
        _row("NI38", quarter, probation, numerator=CLASS_A[index][0],
             denominator=CLASS_A[index][1]),
        _row("NI40", quarter, "DAT", numerator=TREATMENT[index]),
        _row("NI111", quarter, yot, numerator=FTE_12M[index], denominator=POP_10_17,
             note="12 months to the quarter's end"),
        _row("neighbourhood_watch_schemes", quarter, "SCC Police", value=NW_SCHEMES[index]),
        _row("community_payback_hours", quarter, "SCC Probation", value=CP_HOURS[index]),
        _row("acceptable_behaviour_contracts", quarter, "SCC", numerator=ABC_AGREED[index],
             note="12 months to the quarter's end"),
        _row("acceptable_behaviour_contract_breaches", quarter, "SCC",
             numerator=ABC_BREACHES[index], note="12 months to the quarter's end"),
    ]
    if index < len(NI39_PUBLISHED):
        value, lower, upper = NI39_PUBLISHED[index]
        rows.append(_row("NI39", quarter, pct, value=value, lower=lower, upper=upper,
                         note="as published (NWPHO), 12 months to the quarter's end"))
    else:
        growth = 1.01 ** (index - 4)
        for band, pop, rate in zip(age_bands, AGE_POPULATION, AGE_RATE, strict=True):
            rows.append(_row("NI39", quarter, pct, numerator=round(pop * rate / 1e5 * growth),
                             denominator=pop, band=band, standard="esp1976"))
    tellus = TELLUS.get((quarter.fy_start, quarter.number))
    if tellus:
        rows.append(_row("NI110", quarter, "SCC", numerator=tellus[0][0],
                         denominator=tellus[0][1], note="TellUs survey"))
        rows.append(_row("NI115", quarter, "SCC", numerator=tellus[1][0],
                         denominator=tellus[1][1], note="TellUs survey"))
    return rows


def action_status_rows(actions: list, quarter: Quarter) -> list[list[str]]:
    """Every action's status in ``quarter`` (deterministic, by position in the register)."""
    rows = []
    for i, action in enumerate(actions):
        due = action.due
        if action.placeholder:
            status, rag, note = "Not started", "", "placeholder row of the draft plan"
        elif due is not None and due <= quarter.end and i % 3 == 0:
            status, rag, note = "On track", "Amber", "slipped: due date passed"
        elif due is not None and due <= quarter.end:
            status, rag, note = "Complete", "Green", ""
        elif i % 7 == 3:
            status, rag, note = "At risk", "Amber", "funding not yet confirmed"
        elif action.timing_kind == "start" and quarter.number == 1:
            status, rag, note = "Not started", "", ""
        else:
            status, rag, note = "On track", "Green", ""
        date = quarter.end + pd.Timedelta(days=20)
        rows.append([action.action_id, _fy(quarter), str(quarter.number), status, rag,
                     f"{date:%d/%m/%Y}", note])
    return rows


def write_partners(out_dir: Path, seed: int, progress: Callable[[str], None] | None,
                   config_dir: Path) -> list[Path]:
    """Write the partner returns and action status returns (``seed`` unused: no draws)."""
    del seed
    bands = read_standard_populations(config_dir)["esp1976"].age_bands
    paths = []
    for index, quarter in enumerate(QUARTERS):
        if progress:
            progress(f"partner return {quarter.label}")
        frame = pd.DataFrame(partner_return_rows(quarter, index, bands), columns=RETURN_COLUMNS)
        path = out_dir / "partners" / f"partner_return_{quarter.file_tag}.csv"
        paths.append(write_bytes(path, csv_bytes(frame)))
    actions = list(read_action_plan(config_dir))
    for quarter in STATUS_QUARTERS:
        frame = pd.DataFrame(action_status_rows(actions, quarter), columns=ACTION_COLUMNS)
        path = out_dir / "action_status" / f"action_status_{quarter.file_tag}.csv"
        paths.append(write_bytes(path, csv_bytes(frame)))
    return paths
