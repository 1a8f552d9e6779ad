"""Place Survey 2008 respondent-level answers with weights (own area): a snapshot."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field

_STRAND = ["A very big problem", "A fairly big problem", "Not a very big problem",
           "Not a problem at all", "Don't know"]
_AGREE = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree",
          "Strongly disagree", "Don't know"]


def _strand(header: str, what: str) -> Any:
    return field([header], "str", f"How much of a problem is {what} (Place Survey ASB strand).",
                 isin=_STRAND, nullable=True)


class RawPlaceSurveyRespondents(Extract):
    """Place Survey 2008 respondent-level answers with weights (own area)."""

    respondent_id: Series[str] = field(["Respondent ID"], "str", "Respondent identifier.", unique=True)
    ward_name: Series[str] = field(["Ward Name"], "str", "Respondent's ward.", nullable=True)
    weight: Series[float] = field(
        ["Weight"], "float", "Respondent weight to the area's population profile.", gt=0
    )
    q_ni21: Series[str] = field(
        ["Q_NI21"], "str", "Agree the police and council deal with local ASB and crime concerns.",
        isin=_AGREE, nullable=True,
    )
    q_asb_noisy_neighbours: Series[str] = _strand("Q_ASB_NOISY_NEIGHBOURS", "noisy neighbours or loud parties")
    q_asb_teenagers: Series[str] = _strand("Q_ASB_TEENAGERS", "teenagers hanging around the streets")
    q_asb_rubbish: Series[str] = _strand("Q_ASB_RUBBISH", "rubbish or litter lying around")
    q_asb_vandalism: Series[str] = _strand("Q_ASB_VANDALISM", "vandalism, graffiti and damage")
    q_asb_drugs: Series[str] = _strand("Q_ASB_DRUGS", "people using or dealing drugs")
    q_asb_drunk_rowdy: Series[str] = _strand("Q_ASB_DRUNK_ROWDY", "people being drunk or rowdy")
    q_asb_abandoned_cars: Series[str] = _strand("Q_ASB_ABANDONED_CARS", "abandoned or burnt-out cars")
    fieldwork_date: Series[pd.Timestamp] = field(
        ["Fieldwork Date"], "date", "Date the questionnaire was returned.", nullable=True
    )


SOURCE = Source(
    "place_survey", "Place Survey respondents", RawPlaceSurveyRespondents,
    signature=("respondent_id", "weight", "q_ni21"), period_rule="snapshot",
    natural_key=("respondent_id",), personal_data_guard=True,
)
