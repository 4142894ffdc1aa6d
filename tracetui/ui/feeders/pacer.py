"""The loader thread gives way to the app's thread while that one is busy.

Both threads need the interpreter lock, and a thread waiting for it takes it after the switch
interval (5 ms): while a loader decodes, every step of the app (summarizing arrived traces,
painting the list) got about half the lock and took twice its time (and more on a busy
machine), so a key waited up to ~100 ms while a 1M-span file loaded. The loader calls
`tracetui.loaders.pacing.pace()` between pieces of a few milliseconds; `GiveWay` waits there
while the app's thread is using the processor, read from that thread's CPU clock, never
longer than MAX_WAIT at once. The whole load takes about as long as before: with one lock
the two threads never really ran at the same time, and an idle app's thread costs nothing.
"""

from __future__ import annotations

import time

STEP = 0.001  # how long the loader sleeps at a time while the app's thread is busy
# The app's thread is busy when it used more than this share of the time since the last look:
# since the last piece (while the two threads shared the lock, so it had half of it at most),
# and then, while the loader sleeps, since the last step (it has the lock to itself: an idle
# thread uses ~0, a busy one ~1; a thread the system does not run just now also comes out low,
# and then the loader goes on rather than leave both waiting).
BUSY_SHARE = 0.2
STILL_BUSY_SHARE = 0.5
# The longest wait at one pace(); after a wait that long (the app's thread busy all along: a
# long step, or a screen that never rests) the loader goes on unpaced for as long, so it keeps
# at least half of the time however busy the app is.
MAX_WAIT = 0.1


class GiveWay:
    """A pacer (`tracetui.loaders.pacing`) for a thread that works beside the app's thread
    `thread_id` (`threading.get_ident()` there). `waited`: the seconds spent giving way."""

    def __init__(self, thread_id: int) -> None:
        self.waited = 0.0
        try:
            self._clock: int | None = time.pthread_getcpuclockid(thread_id)
            self._cpu = time.clock_gettime(self._clock)
        except (AttributeError, OSError):  # no per-thread CPU clock here: never wait
            self._clock = None
        self._wall = time.perf_counter()
        self._unpaced_until = 0.0

    def __call__(self) -> None:
        clock = self._clock
        if clock is None:
            return
        try:
            cpu, wall = time.clock_gettime(clock), time.perf_counter()
            if wall < self._unpaced_until:
                self._cpu, self._wall = cpu, wall
                return
            began = wall
            share = BUSY_SHARE
            while cpu - self._cpu > share * (wall - self._wall) and wall - began < MAX_WAIT:
                self._cpu, self._wall = cpu, wall
                time.sleep(STEP)
                cpu, wall = time.clock_gettime(clock), time.perf_counter()
                share = STILL_BUSY_SHARE
        except OSError:  # the app's thread has ended (the app closed during the load): go on alone
            self._clock = None
            return
        self.waited += wall - began
        if wall - began >= MAX_WAIT:
            self._unpaced_until = wall + MAX_WAIT
        self._cpu, self._wall = cpu, wall
