"""Work done in small steps: a generator that yields often (between two traces, two units, two
keys) and returns its result. `run` drives one to the end at once (the headless command); a
caller with an event loop drives it a few milliseconds at a time and answers keys in between
(`tracetui.ui.slices`), so nothing here needs a thread.

What a step yields: None, or `(what, done, total)` for a progress line ("analysing", 120, 1000).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

from tracetui.model.gcpause import gc_paused

T = TypeVar("T")
Step = tuple[str, int, int] | None
Steps = Generator[Step, None, T]


def run(steps: Steps[T]) -> T:
    """Drive the steps to the end (the collector paused: they build many small objects)."""
    with gc_paused():
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
