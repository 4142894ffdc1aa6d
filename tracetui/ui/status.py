"""What the status bar shows: one value, replaced as a whole (`TraceTuiApp.status`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Status:
    """What the status bar shows."""

    spans: int = 0
    traces: int = 0
    loading: bool = False
    fraction: float | None = None
    problems: int = 0
    skipped: int = 0
    evicted_traces: int = 0
    duplicate_spans: int = 0
    logs: int = 0  # log records stored (under traces, waiting for their spans, of no trace)
    traceless_logs: int = 0  # of those, records that name no trace
    failure: str = ""
    indexing: float | None = None  # the filter index being built: the fraction done
    note: str = ""  # the feeders' notes after the counts, e.g. "● live 127.0.0.1:4318 · 2,300 spans/s"
    live: str = ""  # the feeders' notes at the end (NOTE_AT_END), e.g. a backend's search and follow state
