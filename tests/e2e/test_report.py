"""The year-end projection report on the sample: numbers match the marts, no blanks, small
numbers suppressed, and a real headless browser shows every image."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def report(sample_refresh, tmp_path_factory):
    from scp_metrics.publish.report import make_report
    from scp_metrics.warehouse import connect

    settings, summary = sample_refresh
    out = tmp_path_factory.mktemp("report")
    charts = sorted((settings.outputs_dir / "2009-12" / "charts").glob("*.png"))
    con = connect(settings.warehouse, read_only=True)
    try:
        html_path, pdf_path = make_report(con, settings, "2009-12", out, charts)
        marts = {
            "fytd": con.execute(
                "select indicator_id, numerator, change_pct from mart_indicator_values where "
                "area_code = 'E06000045' and period_type = 'fytd' and period_end = date '2009-12-31'"
            ).df().set_index("indicator_id"),
        }
    finally:
        con.close()
    text = html.unescape(re.sub(r"<[^>]+>", " ", html_path.read_text()))
    return html_path, pdf_path, " ".join(text.split()), marts, charts


def test_the_report_states_the_plans_figures_from_the_marts(report):
    _, _, text, marts, _ = report
    fytd = marts["fytd"]
    all_crime = fytd.loc["all_crime"]
    assert (f"We did reduce all recorded crime (to Dec 2009) by {abs(all_crime['change_pct']):.1f}%"
            in text)
    assert f"{int(all_crime['numerator']):,} from April 2009" in text
    assert (f"burglary in a dwelling rose by {fytd.loc['dwelling_burglary', 'change_pct']:.1f}%"
            in text)
    assert f"criminal damage and arson fell by {abs(fytd.loc['cd_arson', 'change_pct']):.1f}%" in text
    assert "is 13th of 15, up from 14th a year earlier" in text
    assert "is 15th of 15" in text and "is 3rd of 15" in text
    assert "statistically significant fall" in text


def test_the_plans_words_come_from_its_plan_file(report):
    """Issue 15 item 2: the quotes and comparators are the plan file's, read by config/plans."""
    from scp_metrics.config.plans import load_plans
    from scp_metrics.settings import PROJECT_ROOT

    _, _, text, _, _ = report
    (plan,) = [p for p in load_plans(PROJECT_ROOT / "config") if p.covers(2009)]
    for priority in plan.priorities:
        assert f"We said {priority.we_said}" in text
        assert f"We intend to {priority.we_intend}" in text
    assert "against a national average of 26.0% (2008)" in text  # NI 21's comparator
    assert "against a national average of 29.0% (2008)" in text  # NI 41's


def test_every_sentence_is_grammatical_and_free_of_internal_identifiers(report):
    """Issue 15 item 2: capital start, a verb, no method id, column name, path, raw timestamp
    or long float anywhere in the page; method names in plain words in the methods section."""
    from tests.unit.publish.report_grammar import problems

    html_path, _, text, _, _ = report
    page = html_path.read_text()
    assert problems(page) == []
    methods = text[text.index("How each target was projected"):]
    assert "A Poisson regression of the monthly counts" in methods
    assert "Poisson regression" not in text[:text.index("How each target was projected")]


def test_the_data_quality_section_is_collapsed_and_in_the_reports_period(report):
    html_path, _, text, _, _ = report
    quality = text[text.index("Validation findings"):text.index("Methods Rates")]
    # the 27 quarters of ED assaults without a time are one row
    assert quality.count("Emergency Department assaults without a time of assault") == 1
    assert "27 periods, Apr 2003 to Dec 2009" in quality
    assert "Hampshire" not in quality and "2018" not in quality  # breaks outside the report
    assert "Apr 2009 Fire and rescue Incident Recording System" in quality


def test_no_placeholder_is_left_unfilled(report):
    _, _, text, _, _ = report
    assert not re.search(r"\bx%|\by%|\bfrom x to y\b|\bnan\b|\bNone\b", text)
    for label in ("We said", "We did", "We intend to"):
        assert text.count(label) >= 4


def test_small_counts_are_published_as_less_than_five():
    from scp_metrics.publish.suppression import published_count, suppression_rules
    from scp_metrics.settings import PROJECT_ROOT

    rules = suppression_rules(PROJECT_ROOT / "config")
    assert [published_count(n, rules) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5",
                                                                          "1,234"]


def test_the_pdf_has_the_same_content_and_the_charts(report):
    _, pdf_path, _, _, charts = report
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type/Page")
    assert pages >= 3 or len(data) > 50_000


def test_every_image_loads_in_a_headless_browser(report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    html_path, _, _, _, charts = report
    assert charts, "the chart pack wrote no PNGs to embed"
    probe = tmp_path / "probe.html"
    probe.write_text(html_path.read_text().replace(
        "</body>",
        "<script>window.addEventListener('load', () => { const imgs = [...document.images];"
        " document.body.setAttribute('data-images', imgs.length);"
        " document.body.setAttribute('data-broken',"
        " imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length); });</script></body>"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    dom = subprocess.run([browser, *flags, "--dump-dom", probe.as_uri()], capture_output=True,
                         text=True, timeout=120).stdout
    match = re.search(r'data-images="(\d+)" data-broken="(\d+)"', dom)
    assert match, dom[-500:]
    from scp_metrics.publish.report.build import select_report_charts

    embedded = select_report_charts(charts, "E06000045")
    assert len(embedded) >= 10  # trajectories, trends, SPC, rankings, funnel
    assert int(match.group(1)) == len(embedded)
    assert int(match.group(2)) == 0
    shot = html_path.with_suffix(".png")
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1200,2400",
                    html_path.as_uri()], capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_the_sample_workbook_shows_every_number_at_its_contracts_precision(sample_refresh):
    from openpyxl import load_workbook
    from openpyxl.styles.numbers import is_date_format

    from scp_metrics.config.units import unit_named
    from scp_metrics.warehouse import connect
    from scp_metrics.warehouse.contracts import contract_for

    settings, _ = sample_refresh
    book = load_workbook(settings.outputs_dir / "2009-12" / "scp_metrics_tables_2009-12.xlsx",
                         read_only=True)
    con = connect(settings.warehouse, read_only=True)
    try:
        units = dict(con.execute("select indicator_id, unit from ref_indicators").fetchall())
        tracking = con.execute("select * from mart_target_tracking order by all").df()
    finally:
        con.close()
    tables = {"Indicators": "mart_indicator_values", "Peers": "mart_indicator_values",
              "Rankings": "mart_msg_rankings", "Target_detail": "mart_target_tracking",
              "SPC": "mart_spc", "Trends": "mart_trends", "Data_quality": "mart_data_quality"}
    checked = 0
    for sheet, mart in tables.items():
        contract = contract_for(mart)
        rows = book[sheet].iter_rows(min_row=4)  # title, description, note line, then the table
        header = [str(c.value).split(" (")[0] for c in next(rows)]
        for row in rows:  # read-only rows stop at their last value
            record = dict(zip(header, [c.value for c in row] + [None] * len(header), strict=False))
            for name, cell in zip(header, row, strict=False):
                column = contract.columns[name]
                if column.kind == "date":
                    assert cell.value is None or is_date_format(cell.number_format), (sheet, name)
                    continue
                if not isinstance(cell.value, int | float) or isinstance(cell.value, bool):
                    continue
                assert not is_date_format(cell.number_format), (sheet, name, cell.number_format)
                unit = column.unit
                if column.per_row:
                    key = record[column.row_units.column]
                    unit = units[key] if column.row_units.by_indicator else \
                        column.row_units.mapping.get(key, column.row_units.default or key)
                plain = cell.number_format.split(";")[-1]  # a probability's "<1%" sections first
                decimals = len(plain.split(".")[1].rstrip("%")) if "." in plain else 0
                decimals += 2 if plain.endswith("%") else 0  # a 0-1 fraction shown in %
                assert decimals == unit_named(unit).precision, (sheet, name, unit)
                checked += 1
    assert checked > 40_000
    targets = book["Target_detail"].iter_rows(min_row=4, values_only=True)
    header = [str(c).split(" (")[0] for c in next(targets)]
    got = {r[0]: r[header.index("projected_year_end")] for r in targets}
    want = dict(zip(tracking["target_id"], tracking["projected_year_end"], strict=True))
    assert got.keys() == want.keys()
    for target, value in want.items():
        assert (got[target] is None) if value != value else \
            got[target] == pytest.approx(value, rel=1e-12), target
