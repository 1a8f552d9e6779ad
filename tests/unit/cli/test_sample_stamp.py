"""``scp-metrics sample`` generates the sample once: a repeat with the same generator code and
config and untouched files says so and generates nothing (the second ``make demo``)."""

from pathlib import Path

import pytest

import scp_metrics.sample as sample
from scp_metrics.cli import main


@pytest.fixture
def fake_generator(monkeypatch):
    calls: list[Path] = []

    def generate(out, progress=None, config_dir=None, **_kw):  # noqa: ANN001, ANN202
        calls.append(Path(out))
        paths = []
        for name, text in (("police_crime/a.csv", "x,y\n1,2\n"), ("msg/b.csv", "m\n3\n")):
            path = Path(out) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_file() or path.read_text() != text:
                path.write_text(text)
            paths.append(path)
        return paths

    monkeypatch.setattr(sample, "generate_sample", generate)
    return calls


def test_a_repeat_generates_nothing_and_says_the_sample_is_current(tmp_path, fake_generator,
                                                                   capsys):
    out = tmp_path / "sample"
    assert main(["sample", "--out", str(out)]) == 0
    assert len(fake_generator) == 1
    assert "Sample extracts: 2 files" in capsys.readouterr().out
    assert main(["sample", "--out", str(out)]) == 0
    assert len(fake_generator) == 1  # not called again
    said = capsys.readouterr().out.strip()
    assert said.startswith("Sample extracts: 2 files in ") and "already generated" in said
    assert len(said.splitlines()) <= 2  # one sentence (wrapped for a long path)


def test_a_changed_file_a_missing_file_or_regenerate_generate_again(tmp_path, fake_generator):
    out = tmp_path / "sample"
    main(["sample", "--out", str(out)])
    (out / "msg" / "b.csv").write_text("m\n4\n")  # edited by hand: size differs
    main(["sample", "--out", str(out)])
    assert len(fake_generator) == 2
    assert (out / "msg" / "b.csv").read_text() == "m\n3\n"
    (out / "police_crime" / "a.csv").unlink()
    main(["sample", "--out", str(out)])
    assert len(fake_generator) == 3
    main(["sample", "--out", str(out), "--regenerate"])
    assert len(fake_generator) == 4
    main(["sample", "--out", str(out)])
    assert len(fake_generator) == 4


def test_a_changed_config_generates_again(tmp_path, fake_generator, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "areas.csv").write_text("area_code\nE06000045\n")
    monkeypatch.setenv("SCP_CONFIG_DIR", str(config))
    out = tmp_path / "sample"
    main(["sample", "--out", str(out)])
    main(["sample", "--out", str(out)])
    assert len(fake_generator) == 1
    (config / "areas.csv").write_text("area_code\nE06000045\nE06000046\n")
    main(["sample", "--out", str(out)])
    assert len(fake_generator) == 2
