"""Deterministic synthetic sample data for scp-metrics (see ``data/raw/README.md``).

``generate_sample(out_dir)`` writes every source's files under ``out_dir/<source folder>/``.
The same seed gives byte-identical files; files whose bytes would not change are not rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from scp_metrics.settings import DEFAULT_CONFIG_DIR

from .fire import write_fire
from .ho_csp import write_ho_csp
from .istv import write_istv
from .marac import write_marac
from .msg import write_msg
from .partners import write_partners
from .police import write_police
from .population import write_population
from .survey import write_respondents
from .survey_headline import write_headline

__all__ = ["DEFAULT_SEED", "SOURCES", "generate_sample"]

DEFAULT_SEED = 20100401

Progress = Callable[[str], None] | None
Writer = Callable[[Path, int, Progress, Path], list[Path]]


def _write_place_survey(out_dir: Path, seed: int, progress: Progress, config_dir: Path) -> list[Path]:
    return [write_respondents(out_dir, seed, progress),
            write_headline(out_dir, seed, progress, config_dir)]


def _no_config(write: Callable[[Path, int, Progress], list[Path]]) -> Writer:
    """A writer that needs no catalogue (its areas and codes are its own)."""
    return lambda out_dir, seed, progress, _config_dir: write(out_dir, seed, progress)


# Source folder -> writer(out_dir, seed, progress, config_dir) returning the paths it owns.
SOURCES: dict[str, Writer] = {
    "police_crime": write_police,
    "ho_csp_crime": write_ho_csp,
    "istv": _no_config(write_istv),
    "fire": _no_config(write_fire),
    "marac": _no_config(write_marac),
    "place_survey": _write_place_survey,
    "population": write_population,
    "msg": write_msg,
    "partners": write_partners,  # issue 19: partner KPI returns and action status returns
}


#: Generated in a second process with ``workers`` > 1: the record-level police files, about
#: half of the sample's time (the fire workbooks are most of the rest).
SECOND_PROCESS = ("police_crime",)


def generate_sample(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
    *,
    sources: Iterable[str] | None = None,
    config_dir: Path = DEFAULT_CONFIG_DIR,
    workers: int = 1,
) -> list[Path]:
    """Write the synthetic sample under ``out_dir`` and return every sample file's path, sorted.

    ``sources`` limits generation to some source folders (default: all); each source depends
    only on the seed (and the catalogues of ``config_dir``: areas, offence codes), so a subset
    is byte-identical to the same files in a full run; ``workers`` > 1 writes
    :data:`SECOND_PROCESS` in a second (spawned) process meanwhile: the same files.
    """
    out_dir = Path(out_dir)
    wanted = list(SOURCES) if sources is None else list(sources)
    unknown = sorted(set(wanted) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown sample sources: {unknown}; choose from {sorted(SOURCES)}")
    elsewhere = [name for name in SECOND_PROCESS if name in wanted] if workers > 1 else []
    if elsewhere:  # the largest source in a second process, the others here meanwhile
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            there = pool.submit(generate_sample, out_dir, seed, sources=elsewhere,
                                config_dir=Path(config_dir))
            here = generate_sample(out_dir, seed, progress, config_dir=config_dir,
                                   sources=[n for n in wanted if n not in elsewhere])
            return sorted(here + there.result())
    paths: list[Path] = []
    for name in SOURCES:
        if name in wanted:
            paths.extend(SOURCES[name](out_dir, seed, progress, Path(config_dir)))
    return sorted(paths)
