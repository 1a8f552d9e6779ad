"""police.uk archives as people download them (ingest/archives.py, issue 16 item 3).

Small archives are built here in tmp: street files are extracted and take the archive's place;
outcomes and stop-and-search are noted and skipped; the caps refuse a zip bomb before a byte is
inflated; a damaged archive or one without street files is refused with its reason.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from scp_metrics.ingest import archives

RANDOM = random.Random(16).randbytes(1_200_000)  # does not compress: a ratio near 1
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context\n")


def street(month: str, n: int) -> bytes:
    rows = "".join(f"id{month}{i},{month},Hampshire Constabulary,Hampshire Constabulary,"
                   f"-1.40{i},50.90{i},On or near Road {i},E01017139,Southampton 001A,"
                   "Burglary,Under investigation,\n" for i in range(n))
    return (HEADER + rows).encode()


def build(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    raw, config = tmp_path / "raw", tmp_path / "config"
    raw.mkdir()
    config.mkdir()
    return raw, config, tmp_path / "wh" / "scp.duckdb"


def test_street_files_take_the_archives_place_and_the_others_are_noted(dirs):
    raw, config, warehouse = dirs
    oct_, nov = street("2018-10", 3), street("2018-11", 2)
    archive = build(raw / "2018-11.zip", {
        "2018-10/2018-10-hampshire-street.csv": oct_,
        "2018-10/2018-10-hampshire-outcomes.csv": b"Crime ID,Month\n",
        "2018-11/2018-11-hampshire-street.csv": nov,
        "2018-11/2018-11-hampshire-stop-and-search.csv": b"Type,Date\n",
        "2018-11/2018-11-dorset-outcomes.csv": b"Crime ID,Month\n",
    })
    loose = raw / "ho.csv"
    loose.write_text("x\n")
    out = archives.expand([archive, loose], warehouse, config)
    assert [p.name for p in out] == ["2018-10-hampshire-street.csv",
                                     "2018-11-hampshire-street.csv", "ho.csv"]
    assert out[0].read_bytes() == oct_ and out[1].read_bytes() == nov  # the same bytes
    assert all(archives.is_member(p, warehouse) for p in out[:2])
    assert not archives.is_member(loose, warehouse)
    assert archives.notes_for(out[0]) == [
        "from the archive 2018-11.zip",
        "skipped in 2018-11.zip (not loaded): 2 outcomes files, 1 stop-and-search files"]
    assert archives.notes_for(out[1]) == ["from the archive 2018-11.zip"]
    # a second refresh reuses the extraction; a removed archive's staging folder goes
    assert archives.expand([archive], warehouse, config) == out[:2]
    archives.expand([loose, raw / "other.zip"], warehouse, config)
    assert not out[0].exists()


def test_a_member_path_cannot_leave_the_staging_folder(dirs):
    raw, config, warehouse = dirs
    archive = build(raw / "evil.zip", {"../../2018-10-hampshire-street.csv": street("2018-10", 1)})
    (member,) = archives.expand([archive], warehouse, config)
    assert archives.staging_root(warehouse) in member.parents
    assert not (raw.parent / "2018-10-hampshire-street.csv").exists()


def test_a_zip_bomb_is_refused_before_anything_is_inflated(dirs):
    raw, config, warehouse = dirs
    bomb = build(raw / "2018-10.zip", {"2018-10/2018-10-hampshire-street.csv":
                                       HEADER.encode() + b"0" * 5_000_000})
    assert archives.expand([bomb], warehouse, config) == [bomb]  # stays, to be refused
    reason = archives.refusal(bomb)
    assert reason.startswith("a compression ratio of at most 200:")
    assert "2018-10-hampshire-street.csv in 2018-10.zip inflates" in reason
    assert not archives.staging_root(warehouse).exists() or not any(
        archives.staging_root(warehouse).rglob("*.csv"))


@pytest.mark.parametrize(("limits", "members", "start"), [
    ("max_members = 2", {f"2018-{m:02d}/2018-{m:02d}-x-street.csv": b"a\n" for m in (1, 2, 3)},
     "at most 2 members in an archive: big.zip has 3"),
    ("max_member_mb = 1", {"2018-01/2018-01-x-street.csv": RANDOM[:1_200_000]},
     "at most 1 MB a member: 2018-01/2018-01-x-street.csv in big.zip inflates to 1 MB"),
    ("max_total_mb = 1\nmax_member_mb = 1",
     {f"2018-0{m}/2018-0{m}-x-street.csv": RANDOM[:600_000] for m in (1, 2)},
     "at most 1 MB of street files in an archive: big.zip inflates to 1 MB"),
])
def test_the_caps_come_from_limits_toml(dirs, limits, members, start):
    raw, config, warehouse = dirs
    (config / "limits.toml").write_text(f"[archives]\n{limits}\n")
    archive = build(raw / "big.zip", members)
    assert archives.expand([archive], warehouse, config) == [archive]
    assert archives.refusal(archive).startswith(start)


def test_an_unknown_cap_is_refused_by_name(tmp_path):
    (tmp_path / "limits.toml").write_text("[archives]\nmax_files = 3\n")
    with pytest.raises(ValueError, match=r"limits.toml \[archives\]: unknown key\(s\) max_files"):
        archives.read_limits(tmp_path)


def test_a_damaged_archive_or_one_without_street_files_is_refused(dirs):
    raw, config, warehouse = dirs
    good = build(raw / "good.zip", {"2018-10/2018-10-x-street.csv": street("2018-10", 2)})
    damaged = raw / "damaged.zip"
    damaged.write_bytes(good.read_bytes()[:60])
    outcomes = build(raw / "outcomes.zip", {"2018-10/2018-10-x-outcomes.csv": b"a\n"})
    assert archives.expand([damaged, outcomes], warehouse, config) == [damaged, outcomes]
    assert archives.refusal(damaged) == ("a readable zip archive: damaged.zip cannot be opened "
                                         "(BadZipFile); download it again and refresh")
    assert archives.refusal(outcomes).startswith(
        "street-level crime files (YYYY-MM/YYYY-MM-<force>-street.csv) in outcomes.zip: it "
        "has none")
