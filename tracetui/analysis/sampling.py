"""Sampling preview: which loaded traces a tail-sampling policy would keep, and what it would lose.

The policy, in the order it decides (the first rule that keeps a trace names why):

1. `keep_errors`: a trace with a span whose status is ERROR;
2. `slower_than_ns`: a trace at least this long; `slower_than_by_op` sets the bound per root
   operation (the root span's name, or `service: name`), which wins over the general one;
3. `rate`: of the rest, a share chosen by trace id as the OpenTelemetry Collector's
   probabilistic sampler does in its default (`proportional`) mode, which is the consistent
   probability sampling of the OpenTelemetry specification (OTEP 235, "TraceState: Probability
   Sampling"): the randomness R is the trace id's last 56 bits (7 bytes), the rejection
   threshold T is `(1 - rate) × 2^56` written with 4 significant hex digits (more when the rate
   is near 0 or 1, as the specification's algorithm does), and a trace is kept when R >= T.
   Ids that are not hex (some Jaeger data) are hashed first (FNV-1a, 64 bits, low 56 bits).

Bytes are the spans' size as OTLP JSON, compact, as tracetui writes it (hex ids, camelCase,
64-bit integers as strings, attributes, events and links as read): what storage is billed by,
give or take the per-batch resource and scope, which are left out (they do not grow with the
spans kept).

What the policy loses: `slow_without_errors`, the dropped traces longer than the p90 duration
(nearest rank) of the loaded traces (the slowest tenth) that have no error (what a keep-errors-only policy misses);
and one `vanished_operation: SERVICE: NAME` per operation (service and span name) that occurs in
the loaded traces but in no kept trace, with the dropped traces that had it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from tracetui.model.packed import unpack, unpack_events
from tracetui.model.span import Event, Link, Span
from tracetui.model.trace import Trace

MAX_THRESHOLD = 1 << 56  # rejection threshold of "keep nothing"
DEFAULT_PRECISION = 4  # hex digits of the threshold (the Collector's `sampling_precision` default)

KEPT_ERROR, KEPT_SLOW, KEPT_RATE = "error", "slow", "rate"
LOST_SLOW = "slow_without_errors"
LOST_OPERATION = "vanished_operation"


@dataclass(frozen=True, slots=True)
class Policy:
    keep_errors: bool = False
    slower_than_ns: int | None = None
    slower_than_by_op: dict[str, int] = field(default_factory=dict)
    rate: float = 0.0  # 0..1

    def bound_for(self, service: str, name: str) -> int | None:
        """The duration at or above which a trace with this root is kept (None: no bound)."""
        by_op = self.slower_than_by_op
        if by_op:
            bound = by_op.get(f"{service}: {name}", by_op.get(name))
            if bound is not None:
                return bound
        return self.slower_than_ns


# -- the probabilistic part (OTEP 235) -----------------------------------------------------------

def rejection_threshold(rate: float, precision: int = DEFAULT_PRECISION) -> int:
    """The 56-bit rejection threshold for keeping `rate` (0..1) of the traces, as the
    specification's `ProbabilityToThresholdWithPrecision` computes it (0: keep all; 2^56: none)."""
    if rate >= 1:
        return 0
    if rate <= 0:
        return MAX_THRESHOLD
    rate = max(rate, 2.0 ** -56)
    # More digits where the rejection probability has leading 0s or Fs (Go's division truncates).
    _, exp_p = math.frexp(rate)
    _, exp_r = math.frexp(1 - rate)
    precision = min(14, max(precision + int(exp_p / -4), precision + int(exp_r / -4)))
    # 2 - rate is in [1, 2): its 52-bit significand is 13 hex digits, rounded here to `precision`
    # (to nearest, ties to even, as Go's strconv formats it).
    mantissa = int((2 - rate).hex()[4:17], 16) << 4  # 14 hex digits
    drop = 4 * (14 - precision)
    if drop:
        q, r = divmod(mantissa, 1 << drop)
        half = 1 << (drop - 1)
        if r > half or (r == half and q & 1):
            q += 1
        if q >> (4 * precision):  # rounded up to 2.0: keep the digits as they were
            q = mantissa >> drop
        mantissa = q << drop
    return mantissa


def threshold_hex(threshold: int) -> str:
    """The `th` value of a threshold: 14 hex digits with trailing zeros left out ("0" for 0)."""
    return f"{threshold:014x}".rstrip("0") or "0"


def randomness(trace_id: str) -> int:
    """The trace's 56 random bits: the last 7 bytes of a hex id, else a hash of the id."""
    tid = trace_id.lower()
    if len(tid) >= 14 and all(c in "0123456789abcdef" for c in tid):
        return int(tid[-14:], 16)
    h = 0xCBF29CE484222325
    for b in trace_id.encode("utf-8", "surrogatepass"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h & (MAX_THRESHOLD - 1)


def kept_by_rate(trace_id: str, threshold: int) -> bool:
    return randomness(trace_id) >= threshold


# -- bytes -----------------------------------------------------------------------------------------

_encode = msgspec.json.Encoder().encode


def _any_value(v: Any) -> dict:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v if math.isfinite(v) else str(v)}
    if isinstance(v, list | tuple):
        return {"arrayValue": {"values": [_any_value(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": _key_values(v)}}
    if v is None:
        return {}
    return {"stringValue": str(v)}


def _key_values(d: dict) -> list[dict]:
    return [{"key": str(k), "value": _any_value(v)} for k, v in d.items()]


def _otlp(raw: Any, convert) -> Any:
    """A span's attributes, events or links in OTLP JSON form: undecoded OTLP JSON as it is."""
    if isinstance(raw, msgspec.Raw):
        return raw
    if raw.__class__ is bytes:  # packed (live mode)
        raw = unpack_events(raw) if convert is _events else unpack(raw)
    return convert(raw)


def _events(events: list[Event]) -> list[dict]:
    return [{"timeUnixNano": str(e.time_ns), "name": e.name, "attributes": _key_values(e.attributes)} for e in events]


def _links(links: list[Link]) -> list[dict]:
    return [{"traceId": ln.trace_id, "spanId": ln.span_id, "attributes": _key_values(ln.attributes)} for ln in links]


def span_bytes(s: Span) -> int:
    """The span's size as compact OTLP JSON (without its resource and scope)."""
    doc: dict[str, Any] = {"traceId": s.trace_id, "spanId": s.span_id}
    if s.parent_id:
        doc["parentSpanId"] = s.parent_id
    doc["name"] = s.name
    doc["kind"] = s.kind
    doc["startTimeUnixNano"] = str(s.start_ns)
    doc["endTimeUnixNano"] = str(s.end_ns)
    if s.raw_attributes:
        doc["attributes"] = _otlp(s.raw_attributes, _key_values)
    if s.raw_events:
        doc["events"] = _otlp(s.raw_events, _events)
    if s.raw_links:
        doc["links"] = _otlp(s.raw_links, _links)
    status: dict[str, Any] = {}
    if s.status_message:
        status["message"] = s.status_message
    if s.status:
        status["code"] = s.status
    doc["status"] = status
    return len(_encode(doc))


def trace_bytes(trace: Trace) -> int:
    return sum(map(span_bytes, trace.spans))


# -- the preview -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Lost:
    reason: str
    traces: list[str]

    def to_json(self) -> dict:
        return {"reason": self.reason, "traces": self.traces}


@dataclass(slots=True)
class Preview:
    total_traces: int = 0
    kept_traces: int = 0
    total_spans: int = 0
    kept_spans: int = 0
    total_bytes: int = 0
    kept_bytes: int = 0
    kept: list[str] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # kept trace id -> KEPT_ERROR / KEPT_SLOW / KEPT_RATE
    threshold: int = MAX_THRESHOLD

    def to_json(self) -> dict:
        """The `tracetui sample --json` contract."""
        return {
            "total_traces": self.total_traces, "kept_traces": self.kept_traces,
            "total_spans": self.total_spans, "kept_spans": self.kept_spans,
            "total_bytes": self.total_bytes, "kept_bytes": self.kept_bytes,
            "kept": self.kept, "lost": [x.to_json() for x in self.lost],
        }

    def share(self, what: str) -> float:
        """Kept share (0..1) of "traces", "spans" or "bytes"."""
        total = getattr(self, f"total_{what}")
        return getattr(self, f"kept_{what}") / total if total else 0.0


def p90(durations: list[int]) -> int | None:
    """The 90th percentile by nearest rank."""
    if not durations:
        return None
    ordered = sorted(durations)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def preview(traces: Iterable[Trace], policy: Policy, sizes: dict[str, int] | None = None) -> Preview:
    """What `policy` keeps of `traces` (in the order given), and what it loses.

    `sizes` caches each trace's bytes by trace id (the TUI passes one dict for every edit of
    the policy); it is filled as needed."""
    traces = list(traces)
    sizes = {} if sizes is None else sizes
    out = Preview(threshold=rejection_threshold(policy.rate))
    threshold = out.threshold
    dropped: list[Trace] = []
    for t in traces:
        n = len(t.spans)
        size = sizes.get(t.trace_id)
        if size is None:
            size = sizes[t.trace_id] = trace_bytes(t)
        out.total_traces += 1
        out.total_spans += n
        out.total_bytes += size
        why = ""
        if policy.keep_errors and t.error_count:
            why = KEPT_ERROR
        else:
            root = t.root
            bound = policy.bound_for(root.service, root.name) if root is not None else policy.slower_than_ns
            if bound is not None and t.duration_ns >= bound:
                why = KEPT_SLOW
            elif threshold < MAX_THRESHOLD and kept_by_rate(t.trace_id, threshold):
                why = KEPT_RATE
        if why:
            out.kept_traces += 1
            out.kept_spans += n
            out.kept_bytes += size
            out.kept.append(t.trace_id)
            out.why[t.trace_id] = why
        else:
            dropped.append(t)
    out.lost = _lost(traces, dropped, out.why)
    return out


def _lost(traces: list[Trace], dropped: list[Trace], kept: dict[str, str]) -> list[Lost]:
    if not dropped:
        return []
    lost: list[Lost] = []
    bound = p90([t.duration_ns for t in traces])
    slow = [t.trace_id for t in dropped if t.duration_ns > bound and not t.error_count]
    if slow:
        lost.append(Lost(LOST_SLOW, slow))
    kept_ops: set[tuple[str, str]] = set()
    for t in traces:
        if t.trace_id in kept:
            kept_ops.update((s.resource.service, s.name) for s in t.spans)
    vanished: dict[tuple[str, str], list[str]] = {}
    for t in dropped:
        for op in {(s.resource.service, s.name) for s in t.spans} - kept_ops:
            vanished.setdefault(op, []).append(t.trace_id)
    for (service, name), ids in sorted(vanished.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lost.append(Lost(f"{LOST_OPERATION}: {service}: {name}", ids))
    return lost


# -- the policy from text (the command line and the TUI's panel) ----------------------------------

def parse_rate(text: str) -> float:
    """`5%`, `5` (percent, as the Collector's `sampling_percentage`), `0.5%` → 0..1."""
    s = text.strip().removesuffix("%").strip()
    try:
        pct = float(s) if s else 0.0
    except ValueError:
        raise ValueError(f"not a rate: {text!r} (try 5%)") from None
    if not 0 <= pct <= 100 or math.isnan(pct):
        raise ValueError(f"a rate is between 0% and 100%: {text!r}")
    return pct / 100


def parse_slower_than(items: Iterable[str]) -> tuple[int | None, dict[str, int]]:
    """`500ms` (every trace) and `OPERATION=200ms` (traces whose root is OPERATION: a span name
    or `service: name`) → (general bound, bounds by operation), in nanoseconds."""
    from tracetui.model.query import parse_duration

    general: int | None = None
    by_op: dict[str, int] = {}
    for item in items:
        op, sep, text = item.rpartition("=")
        try:
            ns = parse_duration(text)
        except ValueError as e:
            raise ValueError(f"--slower-than {item!r}: {e}") from None
        if sep and op.strip():
            by_op[op.strip()] = ns
        else:
            general = ns
    return general, by_op


def make_policy(keep_errors: bool = False, slower_than: Iterable[str] = (), rate: str = "") -> Policy:
    general, by_op = parse_slower_than(slower_than)
    return Policy(keep_errors=keep_errors, slower_than_ns=general, slower_than_by_op=by_op,
                  rate=parse_rate(rate) if rate else 0.0)
