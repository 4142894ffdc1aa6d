"""Clock skew, as `tracetui.analysis.clock_skew.detect` finds it (the one detector; lint only
turns its findings into hits): per pair of services, the estimated offset and the spans."""

from __future__ import annotations

from tracetui.analysis.clock_skew import detect
from tracetui.analysis.lint.findings import WARNING, Hit, in_traces, kind, ms
from tracetui.model.trace import Trace


@kind("clock_skew", WARNING, "Clock skew", ("service", "parent_service"))
def _skew(key, count, traces, cost, extra) -> str:
    service, parent = key
    offset = extra.get("sum_offset_ns", 0) // max(1, extra.get("sum_origins", 1))  # the traces' estimates, weighted
    direction = "behind" if offset > 0 else "ahead of"  # offset: what puts it in the caller's frame
    return (f"the clock of {service} runs about {ms(abs(offset))} {direction} that of {parent}: "
            f"{in_traces(count, 'span', traces)} of {service} start before or end after their caller in {parent}")


def skew_hits(trace: Trace) -> list[Hit]:
    return [Hit("clock_skew", (f.service, f.parent_service), trace.trace_id, list(f.span_ids), len(f.span_ids),
                extra={"sum_offset_ns": f.offset_ns * len(f.span_ids), "sum_origins": len(f.span_ids)})
            for f in detect(trace)]
