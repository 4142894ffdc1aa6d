"""Clock skew, as `tracetui.analysis.clock_skew.detect` finds it (the one detector; lint only
turns its findings into hits): per pair of services, the estimated offset and the spans."""

from __future__ import annotations

from tracetui.analysis.lint.findings import WARNING, Hit, in_traces, kind, ms
from tracetui.model.trace import Trace


@kind("clock_skew", WARNING, "Clock skew", ("service", "parent_service"))
def _skew(key, count, traces, cost, extra) -> str:
    service, parent = key
    offset = extra.get("offset_ns", 0)
    direction = "behind" if offset > 0 else "ahead of"  # offset: what puts it in the caller's frame
    return (f"the clock of {service} runs about {ms(abs(offset))} {direction} that of {parent}: "
            f"{in_traces(count, 'span', traces)} of {service} start before or end after their caller in {parent}")


def _field(item, name: str):
    return item[name] if isinstance(item, dict) else getattr(item, name)


def skew_hits(trace: Trace) -> list[Hit]:
    try:
        from tracetui.analysis.clock_skew import detect
    except ImportError:  # the detector lands with the clock-skew work (issue 14)
        return []
    out = []
    for item in detect(trace):
        spans = list(_field(item, "span_ids"))
        out.append(Hit("clock_skew", (_field(item, "service"), _field(item, "parent_service")), trace.trace_id,
                       spans, len(spans), extra={"offset_ns": int(_field(item, "offset_ns"))}))
    return out
