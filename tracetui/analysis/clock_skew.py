"""Clock skew, per pair of services: a callee that does not fit in its caller.

A SERVER span that starts before its caller (of another service) or ends after it, when it is
not longer than its caller; a CONSUMER span that starts before its producer. Each such span is
an *origin*; its service's clock is taken to be off by the shift that puts it back (centred in
the caller's latency, as Jaeger's adjuster does: model/skew.py holds the rules and the shifts).

`detect(trace)` reports one `SkewFinding` per (service, parent service): the median of the
origins' shifts as the estimated offset, and the origins' span ids and positions. The findings
are measured on the times as read and are the same whether the trace is shown adjusted or not.

Sign: `offset_ns` is what is added to the service's times to put them in its caller's frame:
positive when the service's clock is behind its caller's (its spans seemed to start early).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.trace import Trace


@dataclass(frozen=True, slots=True)
class SkewFinding:
    """`service`'s clock against `parent_service`'s, seen on the spans at `positions`.

    `span_ids` and `positions` list the callees that did not fit (in start order); `adjusted`
    counts every span the adjustment moves for them (their subtrees in their own service).
    """

    service: str
    parent_service: str
    offset_ns: int
    span_ids: tuple[str, ...]
    positions: tuple[int, ...]
    adjusted: int

    def to_json(self) -> dict:
        """The `summary --json` shape: `{"service", "parent_service", "offset_ns", "spans"}`."""
        return {"service": self.service, "parent_service": self.parent_service, "offset_ns": self.offset_ns,
                "spans": list(self.span_ids)}


def detect(trace: Trace) -> list[SkewFinding]:
    """The clock skew findings of `trace`, by service then parent service (empty when none)."""
    shifts = trace.clock_shifts
    if not shifts:
        return []
    spans, origins, parent_of, shift = trace.spans, shifts.origins, shifts.parent_of, shifts.shift
    groups: dict[tuple[str, str], list[int]] = {}
    for pos in origins:
        key = (spans[pos].service, spans[parent_of[pos]].service)
        groups.setdefault(key, []).append(pos)
    out = []
    for (service, parent_service), positions in sorted(groups.items()):
        from statistics import median_low  # with random, fractions, decimal: ~3 ms, only when a clock is off

        # Raw start order (the shift is subtracted when the trace is shown adjusted).
        positions.sort(key=lambda p: (spans[p].start_ns - trace.shift_of(p), p))
        out.append(SkewFinding(
            service=service,
            parent_service=parent_service,
            offset_ns=median_low([shift[p] for p in positions]),
            span_ids=tuple(spans[p].span_id for p in positions),
            positions=tuple(positions),
            adjusted=sum(shifts.moved_by[p] for p in positions),
        ))
    return out


def adjusted_count(trace: Trace) -> int:
    """How many spans of `trace` adjustment moves (whether it is on or not)."""
    return len(trace.clock_shifts)
