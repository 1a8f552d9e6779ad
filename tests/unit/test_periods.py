from datetime import date

import pytest

from scp_metrics.periods import (
    Quarter,
    financial_year_label,
    parse_financial_year,
    population_year_for,
    quarter_from_name,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2009, 4, 1), Quarter(2009, 1)),
        (date(2009, 6, 30), Quarter(2009, 1)),
        (date(2009, 12, 31), Quarter(2009, 3)),
        (date(2010, 1, 1), Quarter(2009, 4)),
        (date(2010, 3, 31), Quarter(2009, 4)),
    ],
)
def test_quarter_containing_follows_the_april_financial_year(day, expected):
    assert Quarter.containing(day) == expected


def test_quarter_bounds_and_labels():
    q = Quarter(2009, 4)
    assert (q.start, q.end) == (date(2010, 1, 1), date(2010, 3, 31))
    assert q.label == "2009/10 Q4"
    assert q.file_tag == "2009-10_Q4"
    assert q.next() == Quarter(2010, 1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("police_recorded_crime_E06000045_2009-10_Q3.csv", Quarter(2009, 3)),
        ("ho_table_2008_09 Q1.xlsx", Quarter(2008, 1)),
        ("extract_2009-11_Q3.csv", None),
        ("population.xlsx", None),
    ],
)
def test_quarter_from_name_reads_the_financial_quarter_tag(name, expected):
    assert quarter_from_name(name) == expected


def test_financial_year_labels_round_trip():
    assert financial_year_label(2009) == "2009/10"
    assert financial_year_label(1999) == "1999/00"
    assert parse_financial_year("2009/10") == 2009
    assert parse_financial_year("2009-2010") == 2009
    with pytest.raises(ValueError):
        parse_financial_year("2009/11")


def test_population_year_is_the_mid_year_inside_the_financial_year():
    assert population_year_for(date(2009, 12, 31)) == 2009
    assert population_year_for(date(2010, 3, 31)) == 2009
    assert population_year_for(date(2010, 4, 30)) == 2010
