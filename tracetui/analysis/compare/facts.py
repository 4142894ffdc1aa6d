"""What the comparison needs of each trace, computed once per trace (the expensive part) so
that moving the split between selection and baseline only adds figures up again.

Per trace: per operation (service, span name) its time on the critical path, its self time,
its spans' durations and errors; and the (key, value) pairs of its span and resource attributes
(with a (key, PRESENT) marker for each key, so that "(absent)" can be counted).
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

import msgspec

from tracetui.analysis.compare.steps import Steps, run
from tracetui.analysis.critical_path import critical_path
from tracetui.analysis.self_time import self_times
from tracetui.model.gcpause import gc_paused
from tracetui.model.span import STATUS_ERROR, Span
from tracetui.model.trace import Trace

Op = tuple[str, str]  # (service, span name)
Pair = tuple[str, Any]  # (attribute key, value)
# The pair ids a trace or a span holds, distinct, in no order. A tuple and not a frozenset: a
# tuple of ints drops out of the cyclic collector's sight at its first collection, a set never
# does. A comparison at 1M spans keeps ~20k of them (half a million ids), and each full
# collection between two slices of the screen's work walked them all (40-85 ms).
PairIds = tuple[int, ...]


def pair_union(parts: Iterable[PairIds]) -> PairIds:
    """The distinct ids of several `PairIds`."""
    return tuple(frozenset().union(*parts))


class _Present:
    """The marker value of the (key, PRESENT) pair a trace holds for each key it has."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PRESENT"


PRESENT = _Present()

_SERVICE, _NAME, _STATUS = attrgetter("resource.service"), attrgetter("name"), attrgetter("status")
_START, _END = attrgetter("start_ns"), attrgetter("end_ns")


class OpFacts(msgspec.Struct, gc=False):
    """One operation in one trace: time on the critical path and self time (summed over its
    spans), its span count, errors, and span durations.

    Neither it nor its durations (int64s as bytes once the trace's facts are done: `as_ints`)
    is tracked by the cyclic collector: a comparison keeps ~100k of them (1,000 traces at 1M
    spans), and each full collection walked them and their lists while the screen computed (0.3 s)."""

    cp_ns: int = 0
    self_ns: int = 0
    spans: int = 0
    errors: int = 0
    durations: array | bytes = msgspec.field(default_factory=lambda: array("q"))


def as_ints(durations: bytes) -> memoryview:
    """`OpFacts.durations` as ints."""
    return memoryview(durations).cast("q")


class TraceFacts:
    __slots__ = ("trace_id", "duration_ns", "start_ns", "errors", "ops", "pairs")

    def __init__(self, trace_id: str, duration_ns: int, start_ns: int, errors: int, ops: dict[Op, OpFacts],
                 pairs: PairIds) -> None:
        self.trace_id, self.duration_ns, self.start_ns, self.errors = trace_id, duration_ns, start_ns, errors
        self.ops, self.pairs = ops, pairs


def hashable_value(v: Any) -> Any:
    """An attribute value as a set member: text and numbers as they are; booleans as `true` and
    `false`; NaN, lists, maps and anything else as text (JSON for lists and maps)."""
    if isinstance(v, bool):
        return "true" if v else "false"  # as the filter language reads it (and True == 1 in a set)
    if isinstance(v, str | int):
        return v
    if isinstance(v, float):
        return v if not math.isnan(v) else "NaN"
    if isinstance(v, list | dict):
        try:
            return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return str(v)
    return "" if v is None else str(v)


class PairTable:
    """Every (key, value) pair met, numbered: sets of small ints hash and merge several times
    faster than sets of tuples (a trace holds hundreds of pairs, merged from its spans)."""

    def __init__(self) -> None:
        self.ids: dict[Pair, int] = {}
        self.pairs: list[Pair] = []

    def id_of(self, pair: Pair) -> int:
        i = self.ids.get(pair)
        if i is None:
            i = self.ids[pair] = len(self.pairs)
            self.pairs.append(pair)
        return i

    def ids_of(self, attributes: dict[str, Any]) -> PairIds:
        """The ids of an attribute map's pairs and of a (key, PRESENT) pair for each key."""
        id_of = self.id_of
        out: list[int] = []
        for k, v in attributes.items():
            out.append(id_of((k, hashable_value(v))))
            out.append(id_of((k, PRESENT)))
        return tuple(out)  # distinct: one pair of each kind per key


class AttributeCache:
    """Pair ids of each distinct undecoded attribute list (spans of one operation often carry the
    same bytes) and of each resource; bounded, cleared when it grows past `limit` entries."""

    def __init__(self, table: PairTable | None = None, limit: int = 200_000) -> None:
        self.table = table if table is not None else PairTable()
        self.raw: dict[bytes, PairIds] = {}
        self.resources: dict[int, tuple[Any, PairIds]] = {}
        self.ops: dict[Op, Op] = {}  # each operation's key, shared by the facts of every trace
        self.limit = limit

    def of_span(self, s: Span) -> PairIds:
        raw = s.raw_attributes
        if raw is None:
            return _EMPTY
        if isinstance(raw, dict):
            return self.table.ids_of(raw)
        key = bytes(raw)
        got = self.raw.get(key)
        if got is None:
            if len(self.raw) >= self.limit:
                self.raw.clear()
            got = self.raw[key] = self.table.ids_of(s.attributes)  # (the common kinds decoded in C)
        return got

    def of_resource(self, s: Span) -> PairIds:
        res = s.resource
        hit = self.resources.get(id(res))
        if hit is None or hit[0] is not res:
            if len(self.resources) >= self.limit:
                self.resources.clear()
            hit = self.resources[id(res)] = (res, self.table.ids_of(res.attributes))
        return hit[1]


_EMPTY: PairIds = ()


def trace_facts(trace: Trace, cache: AttributeCache) -> TraceFacts:
    """The facts of one trace (its tree is built if need be)."""
    return run(trace_facts_steps(trace, cache))


CHUNK = 256  # spans between two steps of a big trace's facts


def trace_facts_steps(trace: Trace, cache: AttributeCache) -> Steps[TraceFacts]:
    """`trace_facts` in steps (see steps.py): a trace of 2,000 spans takes ~60 ms in all."""
    spans = trace.spans
    trace.ensure_built()
    yield None
    on_path: dict[int, int] = {}
    get = on_path.get
    for pos, start, end in critical_path(trace):
        on_path[pos] = get(pos, 0) + end - start
    yield None
    selfs = self_times(trace)
    ops: dict[Op, OpFacts] = {}
    keys = list(zip(map(_SERVICE, spans), map(_NAME, spans), strict=True))
    durations = list(map(int.__sub__, map(_END, spans), map(_START, spans)))
    statuses = list(map(_STATUS, spans))
    yield None
    shared = cache.ops.setdefault
    for pos, key in enumerate(keys):
        f = ops.get(key)
        if f is None:
            f = ops[shared(key, key)] = OpFacts()  # one key tuple per operation for all traces
        f.self_ns += selfs[pos]
        f.spans += 1
        f.durations.append(durations[pos])
        if statuses[pos] == STATUS_ERROR:
            f.errors += 1
    for pos, t in on_path.items():
        ops[keys[pos]].cp_ns += t
    for f in ops.values():
        f.durations = f.durations.tobytes()  # type: ignore[union-attr]
    yield None
    span_pairs = cache.of_span
    resource_pairs = cache.of_resource
    distinct: dict[int, PairIds] = {}
    for n, s in enumerate(spans, 1):
        p = span_pairs(s)
        if p:
            distinct[id(p)] = p
        r = resource_pairs(s)
        if r:
            distinct[id(r)] = r
        if n % CHUNK == 0:
            yield None
    pairs = pair_union(distinct.values())
    return TraceFacts(trace.trace_id, trace.duration_ns, trace.start_ns, trace.error_count, ops, pairs)


@gc_paused
def facts_of(traces: Iterable[Trace], cache: AttributeCache, progress: Callable[[int], None] | None = None,
             every: int = 256) -> list[TraceFacts]:
    """The facts of every trace, in order; `progress(done)` every `every` traces."""
    out: list[TraceFacts] = []
    for i, t in enumerate(traces, 1):
        out.append(trace_facts(t, cache))
        if progress is not None and i % every == 0:
            progress(i)
    return out
