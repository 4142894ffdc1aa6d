"""Long work on the app's event loop without stalling it: the work is a generator of small steps
(`tracetui.analysis.compare.steps`), driven here a slice of at most `SLICE_SECONDS` at a time;
between slices the loop answers keys and paints. Cancelling the task (a Textual worker) stops
the work at the next slice.

Why not a thread: the work is pure Python, so a thread holds the GIL for 5 ms switch intervals
at a time and the app's thread waits behind it for every GIL hand-over (measured: the screen's
worst event-loop delay was ~300 ms with the analysis in a thread). Why not a process: the data
is the app's store (1.4 GB for 1M spans); a forked child works, but its results (rows holding
span durations) cross back pickled, cancelling means killing it and losing the facts it had
computed, and forking a process that runs Textual's threads risks a lock held at fork time.

The cyclic collector is paused within each slice (as around any bulk building, model/gcpause.py)
and runs between them. Holding it paused from the first slice to the last was tried: the first
young collection afterwards then walked everything allocated meanwhile (80-190 ms in one step).
What made full collections expensive while the screen computed was the analysis's own objects
(730k tracked: trees of the traces built for their facts, per-operation facts and their
duration lists; a full collection took 0.33 s): now 27k (trees dropped once a trace's facts are
known, `OpFacts` untracked with its durations as bytes, operation keys shared; a trace's pair ids
a tuple), and the comparison screen freezes what is alive when it opens. When the work is done,
a full collection runs in a turn of its own, before the result is shown.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

from tracetui.analysis.compare.steps import Steps, T
from tracetui.model.gcpause import gc_paused

SLICE_SECONDS = 0.012  # the longest stretch of work between two turns of the event loop
# Turns of the loop given between two slices. A key travels through several message queues
# (driver, app, screen, widget, and back for the bindings), one hop per turn: with one turn per
# slice, Tab took 0.7-1 s to move the focus while the tables computed at 1M spans. A turn with
# nothing to do costs microseconds.
TURNS = 12


async def run_in_slices(steps: Steps[T], progress: Callable[[str, int, int], None] | None = None,
                        budget: float | None = None) -> T:
    """Drive `steps` to the end, `budget` seconds (default SLICE_SECONDS) at a time, and return
    their result; `progress(what, done, total)` after each slice that reported progress."""
    budget = SLICE_SECONDS if budget is None else budget
    clock = time.perf_counter
    while True:
        last = None
        end = clock() + budget
        with gc_paused():
            try:
                while True:  # one step at least
                    step = next(steps)
                    if step is not None:
                        last = step
                    if clock() >= end:
                        break
            except StopIteration as done:
                result = done.value
                break
        if last is not None and progress is not None:
            progress(*last)
        for _ in range(TURNS):
            await asyncio.sleep(0)
    # The work's allocations have made a full collection due: run it now, in a turn of its own,
    # rather than let it start in the repaint that shows the result (the two took 60-90 ms
    # together at 1M spans; each alone 15-35 ms).
    gc.collect()
    for _ in range(TURNS):
        await asyncio.sleep(0)
    return result
