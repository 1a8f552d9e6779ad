"""Published Place Survey 2008 headline percentages, every council: a snapshot."""

from __future__ import annotations

from pandera.typing.pandas import Series

from scp_metrics.sources.source import Extract, Source, field


class RawPlaceSurveyHeadline(Extract):
    """Published Place Survey 2008 headline percentages, every council."""

    authority_code: Series[str] = field(
        ["Authority Code", "Area Code"], "str", "ONS code of the council.", str_matches=r"^[EW]0\d{7}$"
    )
    authority_name: Series[str] = field(["Authority Name", "Area Name"], "str", "Council name.")
    indicator: Series[str] = field(
        ["Indicator"], "str", "National Indicator (NI 17, NI 21, NI 41).", isin=["NI 17", "NI 21", "NI 41"]
    )
    percentage: Series[float] = field(["Percentage"], "float", "Headline %.", ge=0, le=100)
    ci_half_width: Series[float] = field(
        ["Confidence Interval (+/-)"], "float", "95% CI half-width, percentage points.", ge=0,
        nullable=True,
    )
    unweighted_base: Series[int] = field(
        ["Unweighted Base"], "int", "Respondents answering.", ge=0, nullable=True
    )


SOURCE = Source(
    "place_survey_headline", "Place Survey headline percentages", RawPlaceSurveyHeadline,
    signature=("authority_code", "indicator", "percentage"), period_rule="snapshot",
    natural_key=("authority_code", "indicator"), coverage_column="authority_code",
)
