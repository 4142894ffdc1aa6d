"""Where a loader may step aside: `pace()` between two pieces of a long decode.

A loader working in a thread beside a user interface shares the interpreter lock with it:
while both run, each gets about half of it, so every step of the interface takes twice as
long. Whoever runs the loader in a thread may install a pacer for that thread (`pacing`);
the loader calls `pace()` between pieces (each a few milliseconds of work), and the pacer may
wait there while the interface is busy. Without a pacer `pace()` does nothing (the headless
commands, the tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_local = threading.local()


def pace() -> None:
    """Between two pieces of work: let this thread's pacer wait, if one is installed."""
    pacer = getattr(_local, "pacer", None)
    if pacer is not None:
        pacer()


@contextmanager
def pacing(pacer: Callable[[], None]) -> Iterator[None]:
    """Install `pacer` for the loaders run in this thread, for the block."""
    before = getattr(_local, "pacer", None)
    _local.pacer = pacer
    try:
        yield
    finally:
        _local.pacer = before
