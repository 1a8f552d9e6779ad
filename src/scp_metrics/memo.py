"""A content-addressed disk memo for expensive, pure computations (the projection back-tests).

A refresh rebuilds every mart; the target-tracking back-tests refit ETS and Poisson-GLM
projections for every origin of every target series, which at national scale costs minutes on
every build although a new quarter changes none of the history they are fitted on. Their result
depends only on their arguments and on the code that computes them, so it is stored under a
hash of both: the same data and the same code give the stored result, anything else computes
again. Entries live beside the warehouse being built (``<warehouse>.cache/<namespace>/<hash>.pkl``,
not warehouse content), which the caller names: an in-memory warehouse, or none, stores nothing.
Deleting the folder only costs the recomputation.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@lru_cache(maxsize=32)
def code_version(modules: tuple[str, ...]) -> str:
    """A hash of the source of ``modules`` (a change to any of them invalidates the memo)."""
    digest = hashlib.sha256()
    for name in modules:
        try:
            digest.update(inspect.getsource(importlib.import_module(name)).encode())
        except (ImportError, OSError, TypeError):
            digest.update(name.encode())
    return digest.hexdigest()


def cache_dir(namespace: str, warehouse: str | os.PathLike | None) -> Path | None:
    """``<warehouse>.cache/<namespace>``, or None (no disk memo) for no or an in-memory warehouse.

    Parameters
    ----------
    namespace
        Sub-folder of the cache, one per kind of result.
    warehouse
        The warehouse file being built (``Settings.warehouse`` of the refresh), not the
        environment's default: the cache sits beside the warehouse it was computed for.
    """
    if warehouse is None or str(warehouse) in ("", ":memory:"):
        return None
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".cache") / namespace


def memo_path(namespace: str, key: object, *, modules: tuple[str, ...],
              warehouse: str | os.PathLike | None) -> Path | None:
    """Where :func:`disk_memo` keeps the result for ``key`` (None: no disk memo); a caller can
    tell from it whether a result is stored without computing it."""
    folder = cache_dir(namespace, warehouse)
    if folder is None:
        return None
    digest = hashlib.sha256(pickle.dumps((key, code_version(modules)), protocol=4)).hexdigest()
    return folder / f"{digest}.pkl"


def disk_memo(namespace: str, key: object, compute: Callable[[], T], *,
              modules: tuple[str, ...], warehouse: str | os.PathLike | None) -> T:
    """``compute()``, or its stored result for the same ``key`` and the same code.

    Parameters
    ----------
    namespace
        Sub-folder of the cache (:func:`cache_dir`).
    key
        Everything the result depends on besides the code (picklable; hashed).
    compute
        The pure computation.
    modules
        Modules whose source is part of the key (:func:`code_version`).
    warehouse
        The warehouse the result is computed for; ``None`` or ``":memory:"``: compute, store nothing.
    """
    path = memo_path(namespace, key, modules=modules, warehouse=warehouse)
    if path is None:
        return compute()
    folder = path.parent
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by this module only
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        pass
    value = compute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=4)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the recomputation
    return value
