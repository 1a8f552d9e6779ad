"""Pandera without Dask's import cost.

On the first schema of a ``DataFrameModel``, Pandera asks which index and series types exist
(``pandera.typing.get_index_types``) and, because Dask is installed (for ``refresh
--task-runner dask``), imports ``dask.dataframe`` to answer: 0.46 s in every process that
validates a file or builds a source's columns (the CLI, each pool worker, each test worker),
measured with cProfile on the small benchmark's ingest. Every model here annotates pandas
types only, so :func:`pandas_only` tells Pandera's typing that Dask's dataframe types are absent
(a stand-in ``pandera.typing.dask`` module) unless something has already imported them. Dask
itself is untouched: the Dask runner and its workers import what they use.
"""

from __future__ import annotations

import sys
import types

MODULE = "pandera.typing.dask"


def pandas_only() -> None:
    """Before Pandera's first model schema: its Dask typing reads as absent (see the module)."""
    if MODULE in sys.modules or "dask.dataframe" in sys.modules:
        return  # already imported: nothing to save, and the real types stay
    stand_in = types.ModuleType(MODULE, "Pandera's Dask typing, absent: see scp_metrics._pandera_types")
    stand_in.DASK_INSTALLED = False  # type: ignore[attr-defined]
    sys.modules[MODULE] = stand_in
