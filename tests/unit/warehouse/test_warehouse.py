"""Loading and SQL models on an in-memory DuckDB."""

from datetime import date

import pandas as pd
import pytest

from scp_metrics.ingest.engine import ingest
from scp_metrics.settings import get_settings
from scp_metrics.sources import SOURCES_BY_NAME
from scp_metrics.warehouse import connect
from scp_metrics.warehouse.build import build_models

TODAY = date(2010, 1, 15)


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


def load(con, path, run_id="run1"):
    result, outcome = ingest(con, path, config_dir=get_settings().config_dir,
                             sha256=path.name + run_id, run_id=run_id, today=TODAY)
    assert outcome is not None, result.failures
    return outcome


@pytest.fixture
def built(con, mini_raw):
    for path in sorted(mini_raw.iterdir()):
        load(con, path)
    build_models(con, get_settings(home_area="E06000045"))
    return con


def mart(con, indicator_id="all_crime", **where):
    where = {"indicator_id": indicator_id, **where}
    clause = " and ".join(f"{k} = ?" for k in where) or "true"
    return con.execute(f"select * from mart_indicator_values where {clause} "
                       "order by period_type, period_start, period_end", list(where.values())).df()


def test_months_come_from_the_record_level_extract_for_the_home_area(built):
    months = mart(built, area_code="E06000045", period_type="month")
    assert months["numerator"].tolist() == [2, 1, 1, 1, 1, 1]
    assert months["denominator"].unique().tolist() == [234600]
    assert months["population_year"].unique().tolist() == [2008]  # mid-2009 not loaded: fallback
    assert (months["source"] == "record_level").all()


def test_quarters_and_fytd_add_up_and_the_csp_table_serves_the_peers(built):
    south = mart(built, area_code="E06000045", period_type="quarter")
    assert south["numerator"].tolist() == [4, 3]
    fytd = mart(built, area_code="E06000045", period_type="fytd")
    assert fytd["numerator"].tolist() == [2, 3, 4, 5, 6, 7]
    portsmouth = mart(built, area_code="E06000044")
    assert portsmouth[["period_type", "numerator", "source"]].values.tolist() == [
        ["fytd", 1514, "ho_csp_table"], ["quarter", 1514, "ho_csp_table"]]
    row = portsmouth.iloc[0]
    assert row["value"] == pytest.approx(1514 / 197700 * 1000, rel=1e-12)
    assert row["ci95_lower"] < row["value"] < row["ci95_upper"]
    assert row["area_name"] == "Portsmouth"


def test_no_rolling_year_or_financial_year_is_reported_from_partial_data(built):
    assert mart(built, period_type="rolling_12m").empty
    assert mart(built, period_type="financial_year").empty


def test_csp_names_map_to_ons_codes_through_the_lookup(built):
    bristol = mart(built, area_code="E06000023", period_type="quarter")
    assert bristol["area_name"].tolist() == ["Bristol, City of"]
    assert bristol["numerator"].tolist() == [900]


def test_small_counts_use_exact_limits(built):
    row = mart(built, area_code="E06000045", period_type="month").iloc[1]
    assert row["ci_method"] == "Exact"
    # exact Poisson limits for 1 event: 0.0253178..., 5.5716434... per 234,600 x 1000
    assert row["ci95_lower"] == pytest.approx(0.025317807984289897 / 234.6, rel=1e-9)
    assert row["ci95_upper"] == pytest.approx(5.571643390938898 / 234.6, rel=1e-9)


def test_the_mart_has_the_contract_columns(built):
    columns = mart(built, area_code="E06000045").columns.tolist()
    assert columns[:13] == ["indicator_id", "area_code", "area_name", "period_type",
                            "period_start", "period_end", "numerator", "denominator", "value",
                            "ci95_lower", "ci95_upper", "unit", "population_year"]


def test_raw_tables_match_the_source_registry(con):
    cols = con.execute("select column_name from information_schema.columns "
                       "where table_name = 'raw_marac' order by ordinal_position").fetchall()
    expected = [c.name for c in SOURCES_BY_NAME["marac"].columns]
    assert [c[0] for c in cols] == [*expected, "period_start", "batch_id", "source_row"]
    assert isinstance(pd.Timestamp("2009-01-01"), pd.Timestamp)


def test_indicators_count_only_their_own_offence_codes(built):
    assert mart(built, "vap", area_code="E06000045", period_type="quarter")["numerator"].tolist() == [2, 1]
    assert mart(built, "dwelling_burglary", area_code="E06000044",
                period_type="quarter")["numerator"].tolist() == [310]
    assert mart(built, "NI20", area_code="E06000044", period_type="quarter")["numerator"].tolist() == [1204]


def test_shares_of_violence_are_percentages_of_violence_with_wilson_intervals(built):
    shares = mart(built, "vap_domestic_share", area_code="E06000045", period_type="quarter")
    assert shares[["numerator", "denominator", "value", "ci_method"]].values.tolist() == [
        [1, 2, 50.0, "Wilson"], [0, 1, 0.0, "Wilson"]]
    assert shares["population_year"].isna().all()
    night = mart(built, "vap_city_centre_night", area_code="E06000045", period_type="quarter")
    assert night["value"].tolist() == [1.0, 1.0]
    assert night["denominator"].isna().all()


def test_a_code_valid_from_mid_quarter_counts_in_that_quarter(con, mini_raw, tmp_path):
    # 92D (cannabis possession) is valid from 29 January 2004, inside 2003/04 Q4
    header = ("Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,"
              "Offence Group,Offence Subgroup,Offence Code,Number of Offences")
    path = tmp_path / "ho_2003-04_Q4.csv"
    path.write_text(header + "\n2003/04,4,Hampshire,Portsmouth,Cannabis,Drug offences,Drugs,92D,10\n"
                    "2003/04,4,Hampshire,Portsmouth,Burglary,Burglary,Domestic,28,5\n")
    load(con, path)
    load(con, mini_raw / "ons_mye2_persons_mid-2008.xlsx")
    build_models(con, get_settings(home_area="E06000045"))
    assert mart(con, area_code="E06000044", period_type="quarter")["numerator"].tolist() == [15]
