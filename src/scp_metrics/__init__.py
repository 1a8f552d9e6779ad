"""scp-metrics: performance-indicator analytics for Community Safety Partnerships."""

__version__ = "0.1.0"

from scp_metrics._pandera_types import pandas_only as _pandas_only  # noqa: E402

_pandas_only()  # Pandera's first model schema without importing dask.dataframe (0.46 s)
