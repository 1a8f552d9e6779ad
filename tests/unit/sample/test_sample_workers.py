"""``generate_sample(workers=2)`` writes the police files in a second process: the same files,
byte for byte, and the same sorted list as one process writes."""

from pathlib import Path

from scp_metrics.sample import generate_sample


def _contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_two_processes_write_the_files_one_writes(tmp_path):
    sources = ["police_crime", "marac", "msg"]
    one = generate_sample(tmp_path / "one", sources=sources)
    two = generate_sample(tmp_path / "two", sources=sources, workers=2)
    assert [p.relative_to(tmp_path / "two") for p in two] == \
        [p.relative_to(tmp_path / "one") for p in one]
    assert any(p.parts[0] == "police_crime" for p in (q.relative_to(tmp_path / "one") for q in one))
    assert _contents(tmp_path / "two") == _contents(tmp_path / "one")
