"""The fast path: spans decoded straight into the model, checked in bulk.

The typed path (typed.py) decodes into wire structs, then builds every `Span` in a Python loop: for
1M spans that loop cost more than the decode itself. Here msgspec decodes each span directly
into a subclass of `Span` with the same fields, renamed to the OTLP keys (times as decimal
strings become ints with `strict=False`; the nested `status` lands in the `status` field as an
object and is flattened). A short loop then moves each span into the `Span` class itself (same
layout, so `__class__` can be reassigned), sets its resource and scope, and shares repeated
strings; the compiled helper (model/speedups.py) does the same when it is built. Ids are checked
in bulk; a document with anything unusual (upper-case or base64 ids, missing ids, ends before
starts) is fixed span by span, and one that does not fit the types at all (enum names,
`{"low","high"}` times) goes the typed path.
"""

from itertools import islice
from typing import Any

from tracetui.loaders.otlp_json.typed import (
    resource_of,
    resource_spans_of,
    scope_of,
    span_ids,
    span_where,
)
from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.vocabulary import ends_before_start
from tracetui.model import speedups
from tracetui.model.ids import normalize_id
from tracetui.model.span import NO_SCOPE, Span
from tracetui.model.store import DistinctSpans

_HEX_LOWER = b"0123456789abcdef"
_ZERO16 = "0" * 16


def _ids_ok(ids: list[str], trace_ids: list[str]) -> bool:
    """Whether every id is already lower-case hex of its size (span and parent ids 16, trace ids
    32 or 16) and none all zeros: then `normalize_id` would return each unchanged."""
    if not set(map(len, ids)) <= {16} or not set(map(len, trace_ids)) <= {16, 32}:
        return False
    joined = "".join(ids) + "".join(trace_ids)
    if not joined.isascii() or joined.encode().translate(None, _HEX_LOWER):
        return False
    # A false alarm (zeros across two ids) only sends these spans the careful way.
    return _ZERO16 not in joined


def fast_convert(doc: Any, source: str, where: str, ids: "BatchIds | None" = None) -> Batch:
    """The document's spans as a batch. `ids`: those of the batch they go into, whose reader
    marks it; without, this document is the batch and is marked here (`BatchIds.mark`)."""
    batch = Batch()
    rss = resource_spans_of(doc, batch, source, where)
    converter = FastConverter(source, where, ids)
    converter.convert(rss, 0, batch)
    if ids is None:
        batch.spans = converter.ids.mark(batch.spans)
    return batch


class BatchIds:
    """The span and parent ids the fast converter met in one batch, while it is filled, and its
    spans by trace.

    Every span id and parent id goes through `strings`, so a parent id becomes the parent's
    own span id string (one string fewer per span, 80 bytes each), whichever comes first. Only
    within one batch: a dict of every span id loaded so far cost 1 us per insert at 1M spans
    (cache misses), twice what it saved. `seen` holds the span ids alone: whether the batch
    holds a span id twice is then known for nothing, which the store would otherwise find out
    by hashing them again, cold (10-20 ms per 100k spans). `groups` holds the spans by trace id,
    in order, as the store would group them (its own pass over them cost 0.1 s of 1M spans), and
    shares each trace id string among its spans."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.strings: dict[str, str] = {}
        self.groups: dict[str, list[Span]] = {}
        self.spoiled = False  # spans went in another way (ids rewritten): say nothing

    def mark(self, spans: list[Span]) -> list[Span]:
        """`spans` (the batch, about to be handed out) as `DistinctSpans` when every one of
        them came through the converter with an id of its own; then start afresh."""
        distinct = not self.spoiled and len(self.seen) == len(spans)
        groups = self.groups
        self.seen, self.strings, self.groups, self.spoiled = set(), {}, {}, False
        return DistinctSpans(spans, groups) if distinct else spans


class FastConverter:
    """Moves fast-decoded spans into the model, sharing repeated strings across calls."""

    MAX_NAMES = 100_000  # past this many distinct names, sharing them costs more than it saves

    def __init__(self, source: str, where: str, ids: BatchIds | None = None) -> None:
        self.source, self.where = source, where
        self.ids = ids if ids is not None else BatchIds()
        self.names: dict[str, str] = {}

    def convert(self, rss: list, r0: int, batch: Batch) -> None:
        """Append the spans of these resourceSpans (the first is number `r0`) to the batch."""
        first = len(batch.spans)
        out = batch.spans
        names = self.names
        if len(names) > self.MAX_NAMES:
            names.clear()
        ids = self.ids
        strings = ids.strings
        share, seen_add = strings.setdefault, ids.seen.add
        groups = ids.groups
        group_of, name_of = groups.get, names.setdefault
        careful = False
        span_cls = Span
        finish = speedups.finish
        n_trace_ids, n_strings = len(groups), len(strings)
        for rs in rss:
            resource = resource_of(rs.resource.attributes if rs.resource else [])
            for ss in (rs.scope_spans + rs.instrumentation_library_spans
                       if rs.instrumentation_library_spans else rs.scope_spans):
                sc = ss.scope or ss.instrumentation_library
                scope = scope_of(sc) if sc else NO_SCOPE
                spans = ss.spans
                got = None if finish is None else finish(spans, resource, scope, groups, strings, ids.seen, names)
                if got is not None:  # (done in C; else the loop below, which it equals)
                    careful = careful or got
                    out += spans
                    continue
                for s in spans:
                    s.__class__ = span_cls  # same layout: the span becomes a plain `Span`
                    s.resource = resource
                    s.scope = scope
                    t = s.trace_id
                    g = group_of(t)
                    if g is None:
                        groups[t] = [s]
                    else:
                        g.append(s)
                        s.trace_id = g[0].trace_id
                    # (A store only when the id was met before: an attribute store on a struct
                    # costs three times a look-up, and a span's own id mostly comes first.)
                    t = s.span_id
                    u = share(t, t)
                    if u is not t:
                        s.span_id = u
                    seen_add(t)
                    t = s.parent_id
                    if t:
                        u = share(t, t)
                        if u is not t:
                            s.parent_id = u
                    t = s.name
                    s.name = name_of(t, t)
                    t = s.status
                    if t.__class__ is not int:
                        s.status = t.code  # (an int in range: see wire.py)
                        if t.message:
                            s.status_message = t.message
                    if s.end_ns < s.start_ns:
                        careful = True
                    t = s.raw_attributes
                    if t is not None and len(t) < 3:  # "[]", "{}": nothing
                        s.raw_attributes = None
                    t = s.raw_events
                    if t is not None and len(t) < 3:
                        s.raw_events = None
                    t = s.raw_links
                    if t is not None and len(t) < 3:
                        s.raw_links = None
                out += spans
        if len(out) == first:
            return
        new_ids = list(islice(reversed(strings), len(strings) - n_strings))
        new_trace_ids = list(islice(reversed(groups), len(groups) - n_trace_ids))
        if careful or not _ids_ok(new_ids, new_trace_ids):  # (an empty span id is new, and not 16 long)
            # Ids as written (upper case, base64) are not to be shared: start those afresh.
            ids.strings, ids.seen, ids.groups, ids.spoiled = {}, set(), {}, True  # the batch is not vouched for
            del out[first:]
            out += _careful(rss, r0, batch, self.source, self.where)


def _careful(rss: list, r0: int, batch: Batch, source: str, where: str) -> list[Span]:
    """Ids and times of already converted spans, span by span, as `to_span` does."""
    out: list[Span] = []
    ids: dict[str, str] = {}
    for r_i, rs in enumerate(rss, start=r0):
        for ss_i, ss in enumerate(rs.scope_spans + rs.instrumentation_library_spans):
            for s_i, s in enumerate(ss.spans):
                got = span_ids(s.trace_id, s.span_id, ids, batch, source, where, (r_i, ss_i, s_i))
                if got is None:
                    continue
                tid, sid = got
                if s.end_ns < s.start_ns:
                    batch.problems.append(Problem(
                        source, span_where(where, (r_i, ss_i, s_i)),
                        ends_before_start(sid, s.end_ns), warning=True))
                    s.end_ns = s.start_ns
                s.trace_id = tid
                s.span_id = sid
                s.parent_id = normalize_id(s.parent_id) if s.parent_id else ""
                out.append(s)
    return out
