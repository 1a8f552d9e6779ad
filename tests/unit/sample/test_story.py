"""The synthetic sample tells the 2010-11 plan's story (checked with pandas, not the warehouse)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scp_metrics.sample import DEFAULT_SEED, generate_sample
from scp_metrics.sample import fire as fire_module
from scp_metrics.sample.crime_plan import build_crime_plan
from scp_metrics.sample.fire import fire_workbook
from scp_metrics.sample.periods import Quarter
from scp_metrics.sample.police import police_records
from scp_metrics.sample.writers import csv_bytes

QUARTERS = [f"{fy}-{(fy + 1) % 100:02d}_Q{q}" for fy in range(2003, 2010) for q in range(1, 5)][:27]
NI15 = {"1", "2", "4.1", "4.2", "4.4", "4.8", "5", "5A", "5B", "5C", "8F", "8H", "37.1"}
VAP = "Violence against the person"
FIRE_HEADER = ["Incident Number", "Incident Date", "Incident Time", "Incident Type", "Motive",
               "Property Type", "Ward Name"]  # fmt: skip
CHEAP_SOURCES = ["marac", "place_survey", "population", "msg"]
CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def sample(sample_raw: Path) -> Path:
    return sample_raw  # the session's sample (tests/conftest.py), written once


@pytest.fixture(scope="module")
def codes() -> pd.DataFrame:
    return pd.read_csv(CONFIG / "offence_codes.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def crimes(sample: Path, codes: pd.DataFrame) -> pd.DataFrame:
    files = sorted((sample / "police_crime").glob("*.csv"))
    frame = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
    )
    frame["recorded"] = pd.to_datetime(frame["Recorded Date"], format="%d/%m/%Y")
    frame["offence"] = pd.to_datetime(frame["Offence Date"], format="%d/%m/%Y")
    group = dict(zip(codes["offence_code"], codes["offence_group"], strict=True))
    frame["group"] = frame["HO Offence Code"].map(group)
    hour = pd.to_numeric(frame["Offence Time"].str[:2], errors="coerce")
    frame["night"] = (hour >= 20) | (hour < 6)
    return frame


def apr_dec(dates: pd.Series, year: int) -> pd.Series:
    return (dates >= pd.Timestamp(year, 4, 1)) & (dates <= pd.Timestamp(year, 12, 31))


def change(frame: pd.DataFrame, mask: pd.Series, column: str = "recorded") -> float:
    now = int((mask & apr_dec(frame[column], 2009)).sum())
    before = int((mask & apr_dec(frame[column], 2008)).sum())
    return 100 * (now / before - 1)


def fy_of(dates: pd.Series) -> pd.Series:
    return dates.dt.year - (dates.dt.month < 4).astype(int)


@pytest.mark.parametrize(
    ("label", "expected", "tolerance"),
    [
        ("all", -12, 1),
        ("vap", -7, 2),
        ("robbery", -12, 2),
        ("tmv", -26, 2),
        ("tfv", -36, 2),
        ("damage", -16, 2),
        ("sexual", -5, 2),
        ("dwelling_burglary", 17, 2),
        ("city_centre_night_vap", -17, 2),
    ],
)
def test_recorded_crime_tells_the_plans_story(crimes, label, expected, tolerance):
    code = crimes["HO Offence Code"]
    masks = {
        "all": pd.Series(True, index=crimes.index),
        "vap": crimes["group"] == VAP,
        "robbery": code.isin(["34A", "34B"]),
        "tmv": code.isin(["48", "37.2"]),
        "tfv": code == "45",
        "damage": crimes["group"] == "Criminal damage",
        "sexual": crimes["group"] == "Sexual offences",
        "dwelling_burglary": code.isin(["28", "29"]),
        "city_centre_night_vap": (crimes["group"] == VAP)
        & (crimes["City Centre Flag"] == "Y")
        & crimes["night"],
    }
    assert change(crimes, masks[label]) == pytest.approx(expected, abs=tolerance)


def test_violence_is_a_fifth_domestic_and_a_quarter_city_centre(crimes):
    vap = crimes[(crimes["group"] == VAP) & apr_dec(crimes["recorded"], 2009)]
    assert 100 * (vap["Domestic Abuse Flag"] == "Y").mean() == pytest.approx(21.5, abs=1)
    assert 100 * (vap["City Centre Flag"] == "Y").mean() == pytest.approx(24.8, abs=1)


def test_record_level_volumes_and_trend_are_realistic(crimes):
    by_fy = crimes.groupby(fy_of(crimes["recorded"])).size()
    assert 34_000 <= by_fy[2003] <= 38_000
    assert 27_000 <= by_fy[2008] <= 28_500
    falls = 1 - by_fy.loc[2004:2008].to_numpy() / by_fy.loc[2003:2007].to_numpy()
    assert ((falls > 0.03) & (falls < 0.06)).all()
    per_quarter = crimes.groupby(crimes["recorded"].dt.to_period("Q")).size()
    assert 6_000 <= per_quarter.median() <= 9_000


def test_violence_peaks_in_summer_and_december_and_burglary_in_winter(crimes):
    month = crimes["recorded"].dt.month
    vap = crimes["group"] == VAP
    by_month = crimes[vap].groupby(month[vap]).size()
    assert by_month[[7, 12]].mean() > by_month[[1, 2, 4]].mean() * 1.1
    burglary = crimes["HO Offence Code"].isin(["28", "29"])
    by_month = crimes[burglary].groupby(month[burglary]).size()
    assert by_month[[11, 12, 1]].mean() > by_month[[5, 6, 7]].mean() * 1.15


def test_most_serious_violence_jumps_with_the_april_2008_counting_rules(crimes):
    msv = crimes[crimes["HO Offence Code"].isin(NI15)]
    by_fy = msv.groupby(fy_of(msv["recorded"])).size()
    assert by_fy[2008] > 1.6 * by_fy[2007]


def test_extract_rows_are_internally_consistent(crimes, codes):
    assert crimes["Crime Reference"].is_unique
    assert (crimes["offence"] <= crimes["recorded"]).all()
    assert ((crimes["recorded"] - crimes["offence"]).dt.days <= 60).all()
    nte = (crimes["City Centre Flag"] == "Y") & crimes["night"]
    assert ((crimes["NTE Flag"] == "Y") == nte).all()
    assert 0.02 <= (crimes["Offence Time"] == "").mean() <= 0.04
    assert crimes["Ward Name"].nunique() == 16
    assert crimes["LSOA Code"].str.fullmatch(r"E01017\d{3}").all()
    valid_from = pd.to_datetime(
        crimes["HO Offence Code"].map(
            dict(zip(codes["offence_code"], codes["valid_from"], strict=True))
        )
    )
    valid_to = pd.to_datetime(
        crimes["HO Offence Code"]
        .map(dict(zip(codes["offence_code"], codes["valid_to"], strict=True)))
        .replace("", "2099-12-31")
    )
    assert ((crimes["recorded"] >= valid_from) & (crimes["recorded"] <= valid_to)).all()


@pytest.fixture(scope="module")
def ho_csp(sample: Path, codes: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for path in sorted((sample / "ho_csp_crime").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["file"] = path.stem[-10:]
        frame["new_edition"] = "Offence Count" in frame.columns
        frames.append(
            frame.rename(
                columns={"Police Force": "Force Name", "Offence Count": "Number of Offences"}
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["count"] = table["Number of Offences"].astype(int)
    lookup = pd.read_csv(CONFIG / "area_name_lookup.csv", dtype=str)
    table["area_code"] = table["CSP Name"].map(
        dict(zip(lookup["name"], lookup["area_code"], strict=True))
    )
    group = dict(zip(codes["offence_code"], codes["offence_group"], strict=True))
    table["group"] = table["Offence Code"].map(group)
    return table


def test_every_ho_csp_name_maps_and_every_quarter_has_all_15_areas(ho_csp):
    assert ho_csp["area_code"].notna().all()
    assert (ho_csp.groupby("file")["area_code"].nunique() == 15).all()
    assert sorted(ho_csp["file"].unique()) == QUARTERS
    assert (ho_csp["count"] > 0).all()


def test_ho_csp_header_quirks_follow_the_edition(sample, ho_csp):
    for path in sorted((sample / "ho_csp_crime").glob("*.csv")):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        new = path.stem.endswith(("2009-10_Q1", "2009-10_Q2", "2009-10_Q3"))
        assert ("Police Force" in header and "Offence Count" in header) == new
        assert ("Force Name" in header and "Number of Offences" in header) == (not new)
    new_groups = ho_csp.loc[ho_csp["new_edition"], "Offence Group"]
    assert (new_groups == new_groups.str.upper()).all()
    old_groups = ho_csp.loc[~ho_csp["new_edition"], "Offence Group"]
    assert (old_groups != old_groups.str.upper()).any()


def test_southampton_ho_rows_are_the_extract_except_the_documented_difference(crimes, ho_csp):
    fy = fy_of(crimes["recorded"])
    q = ((crimes["recorded"].dt.month - 4) % 12) // 3 + 1
    label = fy.astype(str) + "-" + ((fy + 1) % 100).map("{:02d}".format) + "_Q" + q.astype(str)
    extract = crimes.groupby(
        [label.rename("file"), crimes["HO Offence Code"].rename("code")]
    ).size()
    soton = ho_csp[ho_csp["area_code"] == "E06000045"]
    table = soton.set_index(["file", "Offence Code"])["count"].rename_axis(["file", "code"])
    diff = table.sub(extract, fill_value=0)
    assert diff[diff != 0].to_dict() == {("2008-09_Q2", "49"): 110}


def _rates(ho_csp: pd.DataFrame, population: pd.Series, files: list[str]) -> pd.DataFrame:
    rows = ho_csp[ho_csp["file"].isin(files)]
    groups = {
        "all_crime": pd.Series(True, index=rows.index),
        "vap": rows["group"] == VAP,
        "msv": rows["Offence Code"].isin(NI15),
        "damage": rows["group"] == "Criminal damage",
    }
    counts = pd.DataFrame(
        {k: rows[m].groupby("area_code")["count"].sum() for k, m in groups.items()}
    )
    return counts.div(population, axis=0) * 1000


@pytest.mark.parametrize(
    "files",
    [
        ["2009-10_Q1", "2009-10_Q2", "2009-10_Q3"],
        ["2008-09_Q4", "2009-10_Q1", "2009-10_Q2", "2009-10_Q3"],
    ],
    ids=["april_december_2009", "rolling_year_to_december_2009"],
)
def test_southampton_holds_the_plans_msg_positions(ho_csp, populations, files):
    rates = _rates(ho_csp, populations[2008], files)
    ranks = rates.rank(method="min").loc["E06000045"].astype(int).to_dict()
    assert ranks == {"all_crime": 13, "vap": 15, "msv": 3, "damage": 13}
    ratio = rates["all_crime"] / rates.loc["E06000045", "all_crime"]
    assert ratio.min() >= 0.55 and ratio.max() <= 1.2


@pytest.fixture(scope="module")
def populations(sample: Path) -> dict[int, pd.Series]:
    out = {}
    for year in range(2001, 2009):
        path = sample / "population" / f"ons_mye2_persons_mid-{year}.xlsx"
        frame = pd.read_excel(path, sheet_name="MYE2 - Persons", header=4, dtype={"Code": str})
        out[year] = frame.set_index("Code")["All ages"]
    return out


def test_population_workbooks_have_the_mye2_layout(sample):
    path = sample / "population" / "ons_mye2_persons_mid-2008.xlsx"
    sheet = openpyxl.load_workbook(path)["MYE2 - Persons"]
    assert sheet["A1"].value.startswith("Mid-2008 Population Estimates: Persons")
    assert sheet["A2"].value is None and sheet["A4"].value is None
    assert "Synthetic" in sheet["A3"].value
    header = [c.value for c in sheet[5]]
    assert header[:5] == ["Code", "Name", "Geography", "All ages", "0"] and header[-1] == "90"
    frame = pd.read_excel(path, sheet_name="MYE2 - Persons", header=4, dtype={"Code": str})
    ages = frame[[str(a) for a in range(91)]]
    assert (ages.sum(axis=1) == frame["All ages"]).all()
    geo = frame.set_index("Code")["Geography"]
    assert geo["E92000001"] == "Country" and geo["E08000026"] == "Metropolitan District"
    assert len(frame) == 16


def test_populations_are_realistic_and_grow(populations):
    assert populations[2008]["E06000045"] == pytest.approx(234_000, rel=0.01)
    assert populations[2008]["E06000023"] == pytest.approx(420_000, rel=0.02)
    assert (populations[2008] > populations[2001]).all()


@pytest.fixture(scope="module")
def istv(sample: Path) -> pd.DataFrame:
    frames = []
    for path in sorted((sample / "istv").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["file"] = path.stem[-10:]
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["arrival"] = pd.to_datetime(
        frame["ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT"]
    )
    frame["assault"] = pd.to_datetime(frame["ASSAULT DATE AND TIME"].replace("", None))
    return frame


def test_ed_assaults_at_night_fall_twelve_percent(istv):
    hour = istv["assault"].dt.hour
    night = (hour >= 20) | (hour < 4)
    night_of = (istv["assault"] - pd.to_timedelta((hour < 4).astype(int), unit="D")).dt.normalize()
    assert change(istv.assign(night_of=night_of), night, "night_of") == pytest.approx(-12, abs=2)


def test_ed_attendances_have_realistic_volume_timing_and_periods(istv):
    per_year = istv.groupby(fy_of(istv["arrival"])).size()
    assert per_year.loc[2003:2008].between(1_800, 2_300).all()
    hour = istv["assault"].dt.hour
    known = istv["assault"].notna()
    assert 0.55 <= ((hour >= 20) | (hour < 4))[known].mean() <= 0.62
    assert 0.03 <= (~known).mean() <= 0.05
    delay = (istv["arrival"] - istv["assault"])[known]
    assert (delay >= pd.Timedelta(0)).all() and (delay <= pd.Timedelta(hours=6)).all()
    start = pd.to_datetime(istv["REPORTING PERIOD START DATE"])
    end = pd.to_datetime(istv["REPORTING PERIOD END DATE"]) + pd.Timedelta(days=1)
    assert ((istv["arrival"] >= start) & (istv["arrival"] < end)).all()
    assert (istv["SITE CODE (OF TREATMENT)"] == "RHM01").all()
    other = istv["ASSAULT METHOD"] == "Other"
    assert (istv.loc[other, "ASSAULT METHOD OTHER DESCRIPTION"] != "").all()
    assert (istv.loc[~other, "ASSAULT METHOD OTHER DESCRIPTION"] == "").all()


@pytest.fixture(scope="module")
def fire(sample: Path) -> pd.DataFrame:
    rows = []
    for path in sorted((sample / "fire").glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][0].startswith(
            "Hampshire Fire and Rescue Service - Incidents in Southampton"
        )
        assert all(v is None for v in values[1])
        assert list(values[2]) == FIRE_HEADER
        rows.extend(values[3:])
    frame = pd.DataFrame(
        rows, columns=["number", "date", "time", "type", "motive", "property", "ward"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_fire_incidents_have_realistic_volumes_and_the_irs_step(fire):
    assert fire["time"].str.fullmatch(r"\d\d:\d\d").all()
    per_year = fire.groupby(fy_of(fire["date"])).size()
    assert per_year.loc[2003:2008].between(2_300, 3_000).all()
    assert per_year[2008] == pytest.approx(2_500, rel=0.08)
    deliberate = fire["motive"] == "Deliberate"
    fy2008 = fy_of(fire["date"]) == 2008
    assert 200 <= (deliberate & fy2008 & (fire["type"] == "Primary Fire")).sum() <= 300
    assert 580 <= (deliberate & fy2008 & (fire["type"] == "Secondary Fire")).sum() <= 720
    assert change(fire, deliberate, "date") == pytest.approx(15, abs=2)
    assert fire["number"].is_unique


def test_marac_repeat_flag_is_exactly_a_hearing_in_the_previous_year(sample):
    files = sorted((sample / "marac").glob("*.csv"))
    assert [f.stem[-10:] for f in files] == QUARTERS[16:]
    cases = pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True)
    cases["heard"] = pd.to_datetime(cases["Case Heard Date"], format="%d/%m/%Y")
    cases = cases.sort_values("heard", kind="stable")
    previous = cases.groupby("Victim Reference")["heard"].shift()
    expected = (cases["heard"] - previous).dt.days.le(365)
    assert ((cases["Repeat Flag"] == "Y") == expected).all()
    assert cases["Victim Reference"].str.fullmatch(r"V\d{6}").all()
    by_fy = cases.groupby(fy_of(cases["heard"]))
    assert by_fy.size()[2008] == pytest.approx(350, rel=0.1)
    share = by_fy["Repeat Flag"].apply(lambda s: (s == "Y").mean())
    assert share[2008] == pytest.approx(0.30, abs=0.03) and share[2009] == pytest.approx(
        0.30, abs=0.03
    )


@pytest.fixture(scope="module")
def survey(sample: Path) -> pd.DataFrame:
    path = sample / "place_survey" / "place_survey_2008_southampton_respondents.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _weighted(hit: pd.Series, weight: pd.Series) -> float:
    return float(100 * (weight * hit).sum() / weight.sum())


def test_place_survey_gives_the_plans_perception_figures(survey):
    w = survey["Weight"].astype(float)
    assert 1_000 <= len(survey) <= 1_200 and (w > 0).all()
    assert w.mean() == pytest.approx(1, abs=0.02) and 0.3 <= w.std() <= 0.5
    ni21 = survey["Q_NI21"]
    assert _weighted(ni21.isin(["Strongly agree", "Tend to agree"]), w) == pytest.approx(23, abs=1)
    assert _weighted(ni21 == "Don't know", w) == pytest.approx(25, abs=1)
    drunk = survey["Q_ASB_DRUNK_ROWDY"]
    answered = drunk != "Don't know"
    big = drunk.isin(["A very big problem", "A fairly big problem"])
    assert _weighted(big[answered], w[answered]) == pytest.approx(45, abs=1)
    points = {"A very big problem": 3, "A fairly big problem": 2, "Not a very big problem": 1}
    score = sum(survey[c].map(points).fillna(0) for c in survey.columns if c.startswith("Q_ASB_"))
    assert 20 <= _weighted(score >= 11, w) <= 25


def test_place_survey_headline_matches_southampton_respondents(sample, survey):
    path = sample / "place_survey" / "place_survey_2008_headline.xlsx"
    head = pd.read_excel(path, header=2, dtype={"Authority Code": str})
    assert head["Authority Code"].nunique() == 15 and len(head) == 45
    assert head["Confidence Interval (+/-)"].between(1.8, 4.0).all()
    assert head["Unweighted Base"].between(850, 1_300).all()
    soton = head[head["Authority Code"] == "E06000045"].set_index("Indicator")["Percentage"]
    w = survey["Weight"].astype(float)
    ni21 = _weighted(survey["Q_NI21"].isin(["Strongly agree", "Tend to agree"]), w)
    assert soton["NI 21"] == round(ni21, 1)
    drunk = survey["Q_ASB_DRUNK_ROWDY"]
    answered = drunk != "Don't know"
    ni41 = _weighted(
        drunk.isin(["A very big problem", "A fairly big problem"])[answered], w[answered]
    )
    assert soton["NI 41"] == round(ni41, 1)


def test_msg_membership_lists_southampton_and_its_14_peers(sample):
    msg = pd.read_csv(sample / "msg" / "msg_membership_E06000045.csv", dtype=str)
    areas = pd.read_csv(CONFIG / "areas.csv", dtype=str)
    assert list(msg.columns) == ["group_id", "area_code", "area_name"]
    assert (msg["group_id"] == "E06000045").all()
    assert msg["area_code"].tolist() == areas["area_code"].tolist()
    assert msg["area_name"].tolist() == areas["area_name"].tolist()


@pytest.mark.parametrize(
    ("folder", "pattern"),
    [
        ("police_crime", "police_recorded_crime_E06000045_{}.csv"),
        ("ho_csp_crime", "ho_csp_recorded_crime_{}.csv"),
        ("istv", "istv_ed_assaults_RHM01_{}.csv"),
        ("fire", "hfrs_incidents_southampton_{}.xlsx"),
    ],
)
def test_quarterly_sources_cover_april_2003_to_december_2009(sample, folder, pattern):
    names = sorted(p.name for p in (sample / folder).iterdir())
    assert names == sorted(pattern.format(q) for q in QUARTERS)


def _digests(root: Path, folders: list[str]) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted((root / folder).iterdir())
    }


def test_same_seed_gives_byte_identical_files(sample, tmp_path):
    written = generate_sample(tmp_path, sources=CHEAP_SOURCES)
    assert written == sorted(written) and len(written) == 11 + 2 + 8 + 1
    assert _digests(tmp_path, CHEAP_SOURCES) == _digests(sample, CHEAP_SOURCES)


def test_one_quarter_regenerates_byte_identically_from_a_cold_start(sample):
    build_crime_plan.cache_clear()
    fire_module._monthly_counts.cache_clear()
    quarter = Quarter(2009, 3)
    police = csv_bytes(police_records(build_crime_plan(DEFAULT_SEED, CONFIG), quarter, DEFAULT_SEED))
    assert (
        police
        == (
            sample / "police_crime" / f"police_recorded_crime_E06000045_{quarter.label}.csv"
        ).read_bytes()
    )
    workbook = fire_workbook(quarter, DEFAULT_SEED)
    assert (
        workbook
        == (sample / "fire" / f"hfrs_incidents_southampton_{quarter.label}.xlsx").read_bytes()
    )


def test_regenerating_leaves_identical_files_untouched(tmp_path):
    first = generate_sample(tmp_path, sources=["population", "msg"])
    old = 1_000_000_000_000_000_000  # 2001-09-09, in nanoseconds
    for path in first:
        os.utime(path, ns=(old, old))
    again = generate_sample(tmp_path, sources=["population", "msg"])
    assert again == first
    assert all(p.stat().st_mtime_ns == old for p in first)


def test_a_different_seed_gives_different_data(sample, tmp_path):
    generate_sample(tmp_path, seed=7, sources=["marac"])
    name = "marac/marac_cases_southampton_2009-10_Q3.csv"
    assert (tmp_path / name).read_bytes() != (sample / name).read_bytes()


def test_the_areas_come_from_the_config_folder_it_is_given(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    areas = (CONFIG / "areas.csv").read_text().splitlines()
    (config / "areas.csv").write_text("\n".join(areas[:4]) + "\n")  # header and three areas
    written = generate_sample(tmp_path / "raw", sources=["msg"], config_dir=config)
    members = pd.read_csv(written[0], dtype=str)
    assert list(members["area_code"]) == [line.split(",")[0] for line in areas[1:4]]
