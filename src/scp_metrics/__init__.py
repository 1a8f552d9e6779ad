"""scp-metrics: performance-indicator analytics for Community Safety Partnerships."""

__version__ = "0.1.0"
