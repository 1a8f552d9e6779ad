"""Charts not redrawn when nothing they show has changed: fingerprints and the pack's manifest.

A chart's **fingerprint** is a SHA-256 of everything its picture depends on: the exact arguments
its plot function is called with (the frames after disclosure control, the subject and the
lineage, hence its title, labels and footnote), the file formats, and :func:`code_version` (the
source of the plot modules and of every ``scp_metrics`` module they import, the versions of the
drawing libraries and :data:`CHART_STYLE_VERSION`). The pack writes ``manifest.json`` beside
``index.csv``: each written chart's fingerprint, title and the SHA-256 of each of its files.

The next pack, given the previous folder, copies a chart's files instead of drawing it when the
fingerprint is the same and every file listed is there with the same SHA-256 (drawing is
deterministic, so the copy is the bytes a redraw would give). A missing or unreadable manifest,
a missing, truncated or altered file, or an argument this module cannot fingerprint all mean the
chart is drawn again.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import logging
import math
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CHART_STYLE_VERSION", "MANIFEST_NAME", "ChartSpec", "Reuse", "code_version",
           "fingerprint", "read_manifest", "write_manifest"]

log = logging.getLogger(__name__)

CHART_STYLE_VERSION = 1
"""Bump to redraw every chart once when drawing changes in a way the source hash cannot see
(fonts installed on the machine, a matplotlib style file)."""
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
PLOT_MODULES = ("spc_chart", "trend_chart", "trajectory_chart", "ranking_chart", "funnel_chart")
LIBRARIES = ("matplotlib", "pillow", "numpy", "pandas", "afcharts", "scipy", "statsmodels")


@dataclasses.dataclass(frozen=True)
class ChartSpec:
    """One chart, not yet drawn: ``plot(*args, **kwargs)`` gives its figure; ``name`` is the
    file stem."""

    name: str
    plot: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def draw(self) -> Any:
        return self.plot(*self.args, **self.kwargs)


def _module_file(root: Path, dotted: str) -> Path | None:
    parts = dotted.split(".")[1:]
    for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
        if parts and candidate.is_file():
            return candidate
    return None


def _imported(path: Path, root: Path) -> set[Path]:
    """The ``scp_metrics`` modules ``path`` imports (``from scp_metrics.a import b``: ``a``,
    and ``a.b`` when it is a module)."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] == "scp_metrics":
                module = _module_file(root, name)
                if module is not None:
                    found.add(module)
    return found


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 of what drawing depends on besides the data: :data:`CHART_STYLE_VERSION`, the
    drawing libraries' versions and the source of the plot modules and of every ``scp_metrics``
    module they import, transitively."""
    charts = Path(__file__).resolve().parent
    root = charts.parents[1]  # src/scp_metrics
    todo = [charts / f"{name}.py" for name in PLOT_MODULES]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo += sorted(_imported(path, root) - seen)
    digest = hashlib.sha256(f"style {CHART_STYLE_VERSION}\n".encode())
    for library in LIBRARIES:
        try:
            digest.update(f"{library} {metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} absent\n".encode())
    for path in sorted(seen):
        digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Unfingerprintable(TypeError):
    """An argument of a type :func:`fingerprint` does not know (the chart is always drawn)."""


def _feed(h: Any, value: Any) -> None:  # noqa: C901, PLR0912 - one branch per type
    """Feed a canonical, type-tagged encoding of ``value`` to the hash ``h``."""
    def tag(text: str) -> None:
        h.update(b"\x00" + text.encode() + b"\x01")

    if value is None or value is pd.NA or value is pd.NaT:
        tag(repr(value))
    elif isinstance(value, bool | np.bool_):
        tag(f"bool {bool(value)}")
    elif isinstance(value, int | np.integer):
        tag(f"int {int(value)}")
    elif isinstance(value, float | np.floating):
        number = float(value)
        tag("float nan" if math.isnan(number) else f"float {number.hex()}")
    elif isinstance(value, str):
        tag(f"str {len(value)}")
        h.update(value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, pd.Timestamp | datetime | date | time | pd.Timedelta | np.datetime64):
        tag(f"{type(value).__name__} {value!s}")
    elif isinstance(value, Path):
        tag(f"path {value.as_posix()}")
    elif isinstance(value, pd.DataFrame):
        tag(f"frame {value.shape}")
        _feed(h, value.attrs)
        _feed(h, value.index)
        for column in value.columns:
            _feed(h, column)
            _feed(h, value[column].reset_index(drop=True))
    elif isinstance(value, pd.Series):
        tag(f"series {value.dtype} {len(value)}")
        _feed(h, value.name)
        _feed(h, value.attrs)
        _feed(h, value.index)
        _feed_values(h, value.array)
    elif isinstance(value, pd.Index):
        tag(f"index {type(value).__name__} {value.dtype} {len(value)}")
        _feed(h, list(value.names))
        _feed_values(h, value.array)
    elif isinstance(value, np.ndarray):
        tag(f"ndarray {value.dtype} {value.shape}")
        _feed_values(h, value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        tag(f"dataclass {type(value).__module__}.{type(value).__qualname__}")
        for f in dataclasses.fields(value):
            _feed(h, f.name)
            _feed(h, getattr(value, f.name))
    elif isinstance(value, Mapping):
        tag(f"mapping {len(value)}")
        for key, item in sorted(value.items(), key=lambda kv: repr(kv[0])):
            _feed(h, key)
            _feed(h, item)
    elif isinstance(value, list | tuple):
        tag(f"{type(value).__qualname__} {len(value)}")
        for item in value:
            _feed(h, item)
    elif isinstance(value, set | frozenset):
        tag(f"set {len(value)}")
        for item in sorted(value, key=repr):
            _feed(h, item)
    else:
        raise Unfingerprintable(f"cannot fingerprint a {type(value).__qualname__}")


def _feed_values(h: Any, values: Any) -> None:
    """An array's values: numeric and datetime NumPy arrays as their bytes, the rest one by one."""
    plain = (np.ndarray, pd.arrays.NumpyExtensionArray, pd.arrays.DatetimeArray,
             pd.arrays.TimedeltaArray)
    array = np.asarray(values) if isinstance(values, plain) else np.asarray(values, dtype=object)
    if array.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(array).tobytes())
        return
    items = array.ravel()
    if all(type(item) in _PLAIN for item in items):  # the usual text column: one update
        h.update("\x1f".join([f"{type(item).__name__}:{item!r}" for item in items])
                 .encode("utf-8", "surrogatepass"))
        return
    for item in items:
        _feed(h, item)


_PLAIN = frozenset({str, float, int, bool, type(None), np.float64, np.int64, np.bool_,
                    pd.Timestamp, datetime, date, Decimal})
"""Types whose ``repr`` is exact (floats round-trip) and names its value alone."""


def fingerprint(spec: ChartSpec, formats: Sequence[str], version: str) -> str | None:
    """The chart's fingerprint (None: an argument could not be fingerprinted; draw it)."""
    h = hashlib.sha256(f"chart {MANIFEST_FORMAT} {version}\n".encode())
    try:
        _feed(h, (spec.name, spec.plot.__module__, spec.plot.__qualname__, tuple(formats),
                  spec.args, dict(spec.kwargs)))
    except Unfingerprintable as exc:
        log.info("chart %s is drawn every time: %s", spec.name, exc)
        return None
    return h.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(folder: Path | None) -> dict[str, dict[str, Any]]:
    """The charts a previous pack in ``folder`` recorded (empty when none, or unreadable)."""
    if folder is None:
        return {}
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text())
        charts = data["charts"] if data.get("format") == MANIFEST_FORMAT else {}
        return {str(k): v for k, v in charts.items() if isinstance(v, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


@dataclasses.dataclass(frozen=True)
class Reuse:
    """A previous pack's folder and manifest, and the code version charts are drawn with now."""

    folder: Path | None
    charts: Mapping[str, Mapping[str, Any]]
    version: str

    @classmethod
    def from_folder(cls, folder: Path | None) -> Reuse:
        return cls(folder, read_manifest(folder), code_version())

    def copy(self, name: str, fp: str | None, out: Path,
             names: Sequence[str]) -> dict[str, str] | None:
        """Copy the previous files ``names`` of chart ``name`` into ``out`` when its fingerprint
        is ``fp`` and each file is intact; returns {file name: SHA-256}, or None (draw it)."""
        entry = self.charts.get(name)
        if fp is None or self.folder is None or not entry or entry.get("fingerprint") != fp:
            return None
        files = entry.get("files")
        if not isinstance(files, dict) or sorted(files) != sorted(names):
            return None
        try:
            for file_name, digest in files.items():
                source = self.folder / str(file_name)
                if "/" in str(file_name) or not source.is_file() or file_digest(source) != digest:
                    return None
            for file_name in files:
                shutil.copyfile(self.folder / str(file_name), out / str(file_name))
        except OSError:
            return None
        return {str(n): str(files[n]) for n in names}


def write_manifest(out: Path, entries: Mapping[str, Mapping[str, Any]]) -> Path:
    """``manifest.json`` in ``out``: each chart's fingerprint, title and files' SHA-256."""
    path = out / MANIFEST_NAME
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"format": MANIFEST_FORMAT, "charts": dict(entries)}, indent=1,
                              sort_keys=True) + "\n")
    tmp.replace(path)
    return path
