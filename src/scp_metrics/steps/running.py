"""How :func:`scp_metrics.steps.run_refresh` runs each step (directly, or as a Prefect task)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class StepRunner(Protocol):
    """How :func:`run_refresh` runs each step: ``run_step(step, *args)`` returns ``step(*args)``."""

    def __call__(self, step: Callable[..., T], /, *args: Any) -> T: ...


def run_directly(step: Callable[..., T], /, *args: Any) -> T:
    """Run the step in this process, once (the local engine)."""
    return step(*args)
