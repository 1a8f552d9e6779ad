"""Probabilities as a person reads them: whole percentages, never 0% or 100%."""

from __future__ import annotations

import pytest

from scp_metrics.targets.wording import PROBABILITY_NUMBER_FORMAT, probability_text


@pytest.mark.parametrize(("p", "text"), [
    (0.0, "<1%"), (1e-9, "<1%"), (0.0049, "<1%"), (0.005, "1%"), (0.2, "20%"), (0.125, "13%"),
    (0.5, "50%"), (0.994, "99%"), (0.995, ">99%"), (0.99999, ">99%"), (1.0, ">99%"),
    (float("nan"), "—"), (None, "—"),
])
def test_a_probability_reads_as_a_whole_percentage_never_0_or_100(p, text):
    assert probability_text(p) == text


def test_the_workbook_format_applies_the_same_thresholds():
    assert PROBABILITY_NUMBER_FORMAT == '[<0.005]"<1%";[>=0.995]">99%";0%'
