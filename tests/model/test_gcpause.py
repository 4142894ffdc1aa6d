"""The collector policy (model/gcpause.py): one place decides when the cyclic collector runs."""

from __future__ import annotations

import ast
import gc
import threading
from pathlib import Path

import pytest

from tracetui.model.gcpause import GcHold, gc_paused

PACKAGE = Path(__file__).resolve().parents[2] / "tracetui"


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    assert gc.isenabled()  # every test leaves it as it found it
    if not was:
        gc.disable()


def test_as_a_decorator_and_as_a_block_nested():
    seen = []

    @gc_paused
    def build(n: int) -> int:
        seen.append(gc.isenabled())
        with gc_paused():
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())  # still off: the outer pause holds
        return n * 2

    assert build(21) == 42 and build.__name__ == "build"
    assert seen == [False, False, False] and gc.isenabled()


def test_an_exception_still_turns_it_back_on():
    @gc_paused
    def fails() -> None:
        raise ValueError("x")

    with pytest.raises(ValueError):
        fails()
    assert gc.isenabled()


def test_it_never_pauses_across_a_yield():
    def gen():
        yield 1

    async def coro():
        return 1

    for f in (gen, coro):
        with pytest.raises(TypeError, match="yield"):
            gc_paused(f)


def test_a_collector_turned_off_by_someone_else_stays_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_pauses_that_overlap_on_two_threads_end_with_the_collector_on():
    # Thread A pauses, B pauses, A ends, B ends: on only after B (a pause that recorded "was off"
    # because A had paused must not leave it off for good).
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    states = []

    def a():
        with gc_paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b():
        a_in.wait(5)
        with gc_paused():
            b_in.set()
            a_out.wait(5)
            states.append(gc.isenabled())

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert states == [False] and gc.isenabled()


def test_a_hold_ends_once_and_can_freeze_what_was_loaded():
    hold = GcHold()
    assert not gc.isenabled()
    hold.release(freeze=True)
    hold.release()  # again: nothing
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.unfreeze()


def test_no_other_module_switches_the_collector():
    # The policy lives in one place: no gc.disable/enable/freeze anywhere else in the package.
    offenders = []
    modules = list(PACKAGE.rglob("*.py"))
    assert len(modules) > 50  # the package itself, not an empty folder
    for path in modules:
        if path.name == "gcpause.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "gc"
                    and node.attr in ("disable", "enable", "freeze", "unfreeze")):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} gc.{node.attr}")
    assert offenders == []
