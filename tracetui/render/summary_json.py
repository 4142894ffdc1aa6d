"""The `summary --json` documents (the contract in the README) and trace lookup by id.

Kept apart from the rich tables so that `tracetui summary --json` never imports rich (about a
tenth of the command's time on a 100k-span file).
"""

from __future__ import annotations

from collections.abc import Iterator

from tracetui.analysis import critical_path, self_times
from tracetui.analysis.clock_skew import detect
from tracetui.analysis.summary import summary_row_json
from tracetui.model import TraceStore
from tracetui.model.gcpause import gc_paused
from tracetui.model.skew import NO_SHIFTS
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.render.text import json_bytes

ROWS_PER_PART = 2048  # rows turned into text at a time by `summary_json_text`


@gc_paused  # a row (a dict, a list) per trace: 111k rows of the sdk shape spent 0.2 s in collections
def summary_json(store: TraceStore) -> dict:
    return {"traces": [_trace_fields(t) for t in store.sorted_by_start()]}


def summary_json_text(store: TraceStore, rows_per_part: int = ROWS_PER_PART) -> Iterator[bytes]:
    """`summary_json(store)` as `json_bytes` writes it, in parts to be written one after the other:
    the same bytes, but only `rows_per_part` rows exist at a time. All of them at once, the rows
    of 111k traces (1M spans) and their text took 26k pages of new memory and 0.45-0.6 s; a part at
    a time reuses the same memory: 0.24 s."""
    traces = store.sorted_by_start()
    yield b'{"traces":['
    for i in range(0, len(traces), rows_per_part):
        with gc_paused():
            text = json_bytes([_trace_fields(t) for t in traces[i:i + rows_per_part]])
        if i:
            yield b","
        yield text[1:-1]  # the rows without the brackets of their list
    yield b"]}"


def _trace_fields(trace: Trace) -> dict:
    """A TRACE object of the contract: the summary row and its clock skew findings."""
    shifts = trace.clock_shifts
    # (Mostly none: then no call of `detect` and no comprehension, 0.1 s over 111k traces.)
    return summary_row_json(trace, [] if shifts is NO_SHIFTS or not shifts else [f.to_json() for f in detect(trace)])


def trace_json(trace: Trace) -> dict:
    out = _trace_fields(trace)
    sections = sorted(critical_path(trace), key=lambda s: (s.start_ns, s.end_ns))
    spans = trace.spans
    out["critical_path"] = [
        {"span_id": spans[s.pos].span_id, "start_unix_nano": s.start_ns, "end_unix_nano": s.end_ns}
        for s in sections
    ]
    selfs = self_times(trace)
    out["spans"] = [
        {
            "span_id": s.span_id,
            "parent_span_id": spans[trace.parent[i]].span_id if trace.parent[i] != NO_PARENT else (s.parent_id or None),
            "service": s.service,
            "name": s.name,
            "kind": s.kind_name,
            "start_unix_nano": s.start_ns,
            "end_unix_nano": s.end_ns,
            "self_time_ns": selfs[i],
            "status": s.status_name,
        }
        for i, s in ((i, spans[i]) for i in trace.order)
    ]
    out["logs"] = [
        {"span_id": r.span_id or None, "time_unix_nano": r.time_ns, "severity": r.severity_name, "body": r.body}
        for r in trace.logs
    ]
    return {"trace": out}


def find_trace(store: TraceStore, wanted: str) -> tuple[Trace | None, str]:
    """A trace by id, case-insensitive, or by a unique prefix. Returns (trace, error)."""
    key = wanted.strip().lower()
    for candidate in (key, key.removeprefix("0x")):
        t = store.get(candidate)
        if t is not None:
            return t, ""
    matches = [t for tid, t in store.traces.items() if tid.lower().startswith(key)]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"trace id prefix {wanted!r} matches {len(matches):,} traces"
    return None, f"no trace {wanted!r} among {len(store)} loaded traces"
