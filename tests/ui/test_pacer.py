"""The loader thread gives way while the app's thread is busy, and only then."""

from __future__ import annotations

import threading
import time

import pytest

from tracetui.ui.feeders import pacer as pacer_module
from tracetui.ui.feeders.pacer import GiveWay

pytestmark = pytest.mark.skipif(not hasattr(time, "pthread_getcpuclockid"), reason="no per-thread CPU clocks")


def _thread(work) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    started = threading.Event()

    def run() -> None:
        started.set()
        work(stop)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    started.wait()
    return t, stop


def test_an_idle_app_thread_is_not_waited_for():
    t, stop = _thread(lambda stop: stop.wait())
    try:
        pacer = GiveWay(t.ident)
        for _ in range(20):
            time.sleep(0.002)  # the loader's piece
            pacer()
        assert pacer.waited < 0.01  # (each call only reads a clock)
    finally:
        stop.set()
        t.join()


def test_a_busy_app_thread_is_given_way_to_but_never_longer_than_max_wait(monkeypatch):
    monkeypatch.setattr(pacer_module, "MAX_WAIT", 0.05)

    def spin(stop: threading.Event) -> None:
        while not stop.is_set():
            sum(range(1000))  # Python work: it holds the interpreter lock

    t, stop = _thread(spin)
    try:
        pacer = GiveWay(t.ident)
        time.sleep(0.05)  # the other thread runs meanwhile
        began = time.perf_counter()
        pacer()
        assert 0 < pacer.waited <= time.perf_counter() - began
        assert time.perf_counter() - began < 5  # bounded by MAX_WAIT (with room for a busy machine)
        # However busy the other thread stays, the loader keeps at least about half of the time.
        began, waited = time.perf_counter(), pacer.waited
        while time.perf_counter() - began < 0.6:
            time.sleep(0.005)  # a piece of the loader's work (it releases the lock here)
            pacer()
        assert pacer.waited - waited < 0.45
    finally:
        stop.set()
        t.join()


def test_without_a_cpu_clock_for_the_thread_it_never_waits(monkeypatch):
    def no_clock(_ident):
        raise OSError("no clock")

    monkeypatch.setattr(time, "pthread_getcpuclockid", no_clock)
    pacer = GiveWay(threading.get_ident())
    pacer()
    assert pacer.waited == 0


def test_after_the_app_thread_ended_it_goes_on_alone():
    t, stop = _thread(lambda stop: stop.wait())
    pacer = GiveWay(t.ident)
    stop.set()
    t.join()
    for _ in range(3):
        pacer()  # its clock is gone (or another thread's, idle): no wait, no error
    assert pacer.waited < 0.01
