"""The collector policy, in one place: when Python's cyclic garbage collector may run.

Spans are `gc=False` structs, but the lists and dicts that index them are tracked: each full
collection walks everything loaded so far, so a load with the collector on grows superlinearly
(measured for 1M spans: 7.5 s instead of 2.4 s in the loader, before it paused the collector;
100k Jaeger spans: 3.2 s -> 2.1 s). None of these structures make reference cycles, so nothing
is lost by pausing. The rules:

- `gc_paused` (a decorator, or `with gc_paused():`) around code that builds many objects: a
  loader's decode, a tree, a store's add, a view's rows. Never across a `yield` (the caller's
  code runs there): the decorator refuses generator functions.
- `GcHold` for a pause that spans callbacks (the file feeder's background load: paused when the worker
  starts, resumed when the last batch is in the list).
- `freeze_loaded()` once a bulk load is done: what was loaded is moved out of the collector's
  sight, so the analysis that follows allocates without re-walking it. Not on every live batch:
  that froze open screens for good (the receiver collects when the user is idle instead,
  `QuietCollections` in sources/receiver/feed.py). The comparison screen also collects and
  freezes when it opens (`freeze_loaded(collect=True)`): the collections its analysis starts
  then walk only what it makes. What is alive then (the app, the list) lives as long as the app;
  what is frozen and later dropped is still freed when nothing refers to it, unless it is
  part of a reference cycle.

Pauses nest and may overlap across threads: the collector is back on when the last one ends
(if it was on when the first began).
"""

from __future__ import annotations

import functools
import gc
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_depth = 0
_was_enabled = False


def _pause() -> None:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1


def _resume() -> None:
    global _depth
    with _lock:
        _depth -= 1
        if _depth == 0 and _was_enabled:
            gc.enable()


class _Paused:
    """The context manager (one pause per `with`)."""

    __slots__ = ()

    def __enter__(self) -> None:
        _pause()

    def __exit__(self, *exc: object) -> None:
        _resume()


@overload
def gc_paused() -> _Paused: ...
@overload
def gc_paused(func: F) -> F: ...
def gc_paused(func: F | None = None) -> _Paused | F:
    """Collector off inside the block or the decorated function (restored after)."""
    if func is None:
        return _Paused()
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func) or inspect.iscoroutinefunction(func):
        raise TypeError(f"gc_paused cannot pause across a yield or an await ({func.__qualname__})")

    @functools.wraps(func)
    def paused(*args: Any, **kwargs: Any) -> Any:
        _pause()
        try:
            return func(*args, **kwargs)
        finally:
            _resume()

    return paused  # type: ignore[return-value]


class GcHold:
    """A pause begun in one call and ended in another (on any thread): `release()` ends it, once."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        _pause()
        self._held = True

    def release(self, freeze: bool = False) -> None:
        """End the pause (again: nothing); with `freeze`, then `freeze_loaded()`."""
        if self._held:
            self._held = False
            _resume()
            if freeze:
                freeze_loaded()


def freeze_loaded(collect: bool = False) -> None:
    """Keep everything alive now out of later collections (after a bulk load, or at the start of a
    long-running command); `collect` first frees what is already garbage."""
    if collect:
        gc.collect()
    gc.freeze()
