"""The report's grammar check (report_grammar.py) catches the defects issue 15 found, and
passes the report's own sentence forms; the e2e tests run it on the sample and real-data
reports."""

from __future__ import annotations

import pytest

from tests.unit.publish.report_grammar import identifiers, problems, sentences


def _page(*paragraphs: str) -> str:
    return "<html><body><main>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</main></body></html>"


@pytest.mark.parametrize("bad, why", [
    ("<b>We did</b> Our Place Survey (autumn 2008) found that 23.0% agreed.", "'We did' is followed"),
    ("<b>We intend to</b> NI 21 dealing with local concerns about ASB and crime: from 23% to 30%.",
     "'We intend to' is followed"),
    ("Movements by type: robbery (down 12.0%); sexual offences (down 5.0%).", "has no verb"),
    ("trend_all_crime_E06000045", "does not start with a capital"),
    ("The projection used method poisson_glm.", "an id or column name: poisson_glm"),
    ("The break is cited in ../shared/realdata/README.md for Hampshire.", "a path"),
    ("The quarter began on 2008-07-01 00:00:00 in the data.", "a raw timestamp"),
    ("The difference was 1.5820509132748455 percent.", "a float in full"),
    ("Southampton's position is 13th of 15. it rose last year.", "does not start with a capital"),
])
def test_each_defect_of_the_issue_is_found(bad, why):
    found = problems(_page(bad))
    assert any(why in p for p in found), found


def test_the_reports_own_sentence_forms_pass():
    page = _page(
        "<b>We did</b> reduce all recorded crime (to Dec 2009) by 12.0% (18,401 from April 2009 "
        "against 20,910 in the same months a year earlier), a statistically significant fall at "
        "the 95% level. Our position in the Most Similar Group on all recorded crime (1 = best, "
        "12 months to Dec 2009) is 13th of 15, up from 14th a year earlier.",
        "<b>We intend to</b> raise NI 21 from 23% to 30% and reduce NI 41 from 45% to 35%.",
        "For the target \"NI 15 serious violent crime rate 5% lower than 2008/09 by 2010/11\", the "
        "projected year end is 1.20 against this year's milestone of 1.36 (2009/10).")
    assert problems(page) == []
    assert len(sentences(page)) == 4


def test_tables_are_checked_for_identifiers_but_not_as_sentences():
    page = "<main><table><tr><td>all_crime</td><td>13th of 15</td></tr></table></main>"
    assert sentences(page) == []
    assert identifiers("all_crime 13th of 15") == ["an id or column name: all_crime"]
    assert problems(page) == ["identifier in the text: an id or column name: all_crime"]
