"""Progress a person can see during the long publishing phases: a line when a phase starts, a
line every few seconds while it runs (elapsed time, and the ETA where the phase can count its
items), and a line with what it wrote when it ends."""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterator

Progress = Callable[[str], None]

EVERY_SECONDS = 5.0
"""How often a running phase says it is still running."""


@contextlib.contextmanager
def heartbeat(progress: Progress | None, label: str,
              every: float = EVERY_SECONDS) -> Iterator[Progress | None]:
    """Yields ``progress`` for the phase's own lines; while the phase has said nothing for
    ``every`` seconds, says ``"<label>: still running (N s)"`` (nothing when ``progress`` is
    None). The lines come from a thread that runs in a copy of the caller's context, so a
    Prefect task's logger still finds its run."""
    if progress is None:
        yield None
        return
    started = time.monotonic()
    last = [started]
    stop = threading.Event()
    context = contextvars.copy_context()

    def said(message: str) -> None:
        last[0] = time.monotonic()
        progress(message)

    def beat() -> None:
        while not stop.wait(1.0):
            now = time.monotonic()
            if now - last[0] >= every:
                last[0] = now
                context.run(progress, f"  {label}: still running ({now - started:.0f} s)")

    thread = threading.Thread(target=beat, name=f"progress-{label}", daemon=True)
    thread.start()
    try:
        yield said
    finally:
        stop.set()
        thread.join()


class Counter:
    """Called with ``(done, total)`` as a phase's items finish; says ``done of total`` with an
    ETA every ``every`` seconds (not for the last item: the phase's own end line follows)."""

    def __init__(self, progress: Progress | None, label: str, every: float = 3.0) -> None:
        self.progress, self.label, self.every = progress, label, every
        self.started = self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.progress is None or now - self.last < self.every or done >= total:
            return
        self.last = now
        rate = done / (now - self.started)
        eta = (total - done) / rate if rate > 0 else 0.0
        self.progress(f"  {self.label}: {done} of {total} "
                      f"({now - self.started:.0f} s, about {eta:.0f} s to go)")
