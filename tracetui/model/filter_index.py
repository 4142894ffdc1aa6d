"""An index of loaded traces for the trace list's filter: which traces have a span with this name,
service, attribute value, span id, log text or severity, so a filter over a million spans looks
up a few thousand entries instead of testing every span.

Built once, off the UI thread, from the traces loaded (`FilterIndex.build`); `matching` then gives
exactly the traces `Query.match_trace` accepts. For each term the index gives the traces where
some span surely satisfies it and those where some span may (a superset); a trace is accepted
from the index alone when that is certain (one positive span term, terms that are exact for it),
else `match_trace` decides for it, so the index narrows and never changes an answer. Traces that
changed after the build (live spans, late log records, clock-skew toggled: their `version`
moved), and traces it never saw, are tested by `match_trace` as without an index.

What it holds (trace ordinals as `array('I')`, or a bare int for a value of one trace):
  names, services, kinds, statuses, scopes   value -> the traces having a span with it
  resources          each distinct resource -> its traces (its attributes are tested per query)
  attributes         key -> its values as the filter reads them (`_as_text(v).lower()`, and
                     numbers) -> traces; a key with more than KEY_VALUES_CAP distinct values
                     keeps only which traces have the key (its terms test those traces)
  span ids, parent ids, log bodies   per trace one string of them joined by newlines
  durations          per trace the trace's duration and its longest and shortest span
  severities         severity number -> traces
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import attrgetter, sub
from typing import Any
from weakref import ref

from msgspec import Raw

from tracetui.model.log import LogRecord
from tracetui.model.packed import unpack
from tracetui.model.query import Query, SpanGroup, Term, _as_number, _as_text, _compare
from tracetui.model.span import STATUS_ERROR
from tracetui.model.store import TraceStore
from tracetui.model.trace import Trace
from tracetui.model.values import decode_key_values

KEY_VALUES_CAP = 50_000  # distinct values of one attribute key kept; past it only its presence
KINDS_OF_SPAN_CAP = 200_000  # distinct (service, name, kind, status, scope) kept; past it none
_MEMO_CAP = 20_000  # distinct raw attribute lists remembered while building

_NAME, _SERVICE, _KIND, _STATUS = attrgetter("name"), attrgetter("resource.service"), attrgetter("kind"), \
    attrgetter("status")
_SCOPE, _RESOURCE, _SPAN_ID, _PARENT_ID = attrgetter("scope.name"), attrgetter("resource"), \
    attrgetter("span_id"), attrgetter("parent_id")
_START, _END, _RAW = attrgetter("start_ns"), attrgetter("end_ns"), attrgetter("raw_attributes")


def _add(d: dict, key: Any, o: int) -> None:
    """Add trace ordinal `o` to the posting of `key` (ordinals come in ascending order)."""
    p = d.get(key)
    if p is None:
        d[key] = o
    elif type(p) is int:
        if p != o:
            d[key] = array("I", (p, o))
    elif p[-1] != o:
        p.append(o)


def _ords(p: Any) -> Iterable[int]:
    return (p,) if type(p) is int else p


def _union(postings: Iterable[Any]) -> set[int]:
    out: set[int] = set()
    for p in postings:
        if type(p) is int:
            out.add(p)
        else:
            out.update(p)
    return out


class _KeyValues:
    """The values one attribute key takes, as the filter reads them, each with its traces."""

    __slots__ = ("texts", "numbers", "present", "_parsed")

    def __init__(self) -> None:
        self.texts: dict[str, Any] | None = {}  # _as_text(v).lower() -> traces; None past the cap
        self.numbers: dict[float, Any] | None = {}  # float(v) of int/float values -> traces
        self.present = array("I")  # the traces with the key at all
        self._parsed: list[tuple[float, Any]] | None = None  # (number, traces) for >, <

    def parsed(self) -> list[tuple[float, Any]]:
        """(number the text reads as, traces) of every text that reads as a number."""
        if self._parsed is None:
            out = []
            for text, p in self.texts.items():
                x = _as_number(text)
                if x is not None:
                    out.append((x, p))
            self._parsed = out
        return self._parsed


def _pairs(attrs: dict[str, Any]) -> tuple[tuple[str, str, float | None], ...]:
    """(key, text as the filter compares it, number for `=` on numbers) of each attribute."""
    out = []
    for k, v in attrs.items():
        num = None
        if isinstance(v, int | float) and not isinstance(v, bool):
            try:
                num = float(v)
            except OverflowError:
                num = None
        out.append((k, _as_text(v).lower(), num))
    return tuple(out)


class _AttributeBuilder:
    """Collects, per distinct (key, text, number) of the attributes, the traces that have it.

    Each distinct raw attribute list is decoded once (the spans of one operation repeat theirs);
    pairs get small ids, and a trace's distinct ids are appended to their lists in C-level loops.
    A key past KEY_VALUES_CAP distinct texts gets one id for all its further values ("has the
    key"), so building stays bounded on data whose values are all different (ids, URLs)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str, float | None], int] = {}
        self.pairs: list[tuple[str, str, float | None] | tuple[str, None, None]] = []
        self.posts: list[array] = []  # arrays: the collector does not walk them
        self.texts_of_key: dict[str, int] = {}
        self.overflow: dict[str, int] = {}  # key -> the id of "has the key, value not kept"
        self.memo: dict[bytes, tuple[int, ...]] = {}  # OTLP JSON attribute lists seen
        self.packed: dict[bytes, tuple[int, ...]] = {}  # packed ones (model/packed.py)

    def _cached(self, memo: dict[bytes, tuple[int, ...]], data: list[bytes],
                decode: Callable[[bytes], dict[str, Any]]) -> list[tuple[int, ...]]:
        """The pair ids of each attribute list, each distinct list decoded once."""
        got = list(map(memo.get, data))
        if None in got:
            for i, b in enumerate(data):
                if got[i] is None:
                    if len(memo) >= _MEMO_CAP:
                        memo.clear()
                    ids = memo.get(b)
                    got[i] = memo[b] = ids if ids is not None else self._ids_of(decode(b))
        return got

    def _new(self, pair: tuple) -> int:
        pid = len(self.pairs)
        self.pairs.append(pair)
        self.posts.append(array("I"))
        return pid

    def _ids_of(self, attrs: dict[str, Any]) -> tuple[int, ...]:
        ids, counts = self.ids, self.texts_of_key
        out = []
        for pair in _pairs(attrs):
            pid = ids.get(pair)
            if pid is None:
                k = pair[0]
                if counts.get(k, 0) >= KEY_VALUES_CAP:
                    pid = self.overflow.get(k)
                    if pid is None:
                        pid = self.overflow[k] = self._new((k, None, None))
                else:
                    counts[k] = counts.get(k, 0) + 1
                    pid = ids[pair] = self._new(pair)
            out.append(pid)
        return tuple(out)

    def add(self, o: int, raws: Iterable[Any]) -> None:
        """Note the attributes of trace `o`'s spans (C-level passes; Python only for lists not
        met before). Dicts are read as they are, packed `bytes` (model/packed.py) unpacked, the
        rest (`msgspec.Raw`) decoded as OTLP JSON."""
        raws = list(filter(None, raws))  # (None, {} and empty JSON hold nothing)
        if not raws:
            return
        got: list[tuple[int, ...] | None] = []
        if set(map(type, raws)) != {Raw}:  # (as Span.attributes reads them)
            got.extend(self._ids_of(r) for r in raws if r.__class__ is not bytes and isinstance(r, dict))
            got.extend(self._cached(self.packed, [r for r in raws if r.__class__ is bytes], unpack))
            raws = [r for r in raws if r.__class__ is not bytes and not isinstance(r, dict)]
        got.extend(self._cached(self.memo, list(map(bytes, raws)), decode_key_values))
        seen = set().union(*got)
        if seen:
            deque(map(array.append, map(self.posts.__getitem__, seen), repeat(o)), maxlen=0)

    def finish(self) -> dict[str, _KeyValues]:
        self.memo.clear()
        self.packed.clear()
        out: dict[str, _KeyValues] = {}
        present: dict[str, set[int]] = {}
        for (k, text, num), post in zip(self.pairs, self.posts, strict=True):
            kv = out.get(k)
            if kv is None:
                kv = out[k] = _KeyValues()
            posting: Any = post[0] if len(post) == 1 else post  # ascending: traces came in order
            present.setdefault(k, set()).update(post)
            if text is None or k in self.overflow:
                continue
            _merge(kv.texts, text, posting)
            if num is not None:
                _merge(kv.numbers, num, posting)
        for k, kv in out.items():
            kv.present = array("I", sorted(present[k]))
            if k in self.overflow:
                kv.texts = kv.numbers = None
        self.ids.clear()
        self.pairs.clear()
        self.posts.clear()
        return out


def _merge(d: dict, key: Any, posting: Any) -> None:
    """d[key] = posting, or the union with what is there (503 and 503.0 are one number)."""
    old = d.get(key)
    if old is None:
        d[key] = posting
    else:
        d[key] = array("I", sorted(_union([old, posting])))


_Sets = tuple[set[int], "set[int] | None"]
_KIND_FIELDS = {"service": 0, "name": 1, "kind": 2, "status": 3, "scope": 4}  # places in a kind of span  # (surely, maybe: None for every trace)


class FilterIndex:
    """See the module's docstring. `build` makes one; `matching` answers a query with it."""

    def __init__(self) -> None:
        self.traces: list[Callable[[], Trace | None]] = []  # weak: evicted traces go
        self.tids: list[str] = []
        self.versions: list[int] = []
        self.ordinal: dict[str, int] = {}
        self.trace_ids: list[str] = []  # lower-cased, for words found in the trace id
        self.names: dict[str, Any] = {}
        self.services: dict[str, Any] = {}
        self.kinds: dict[int, Any] = {}
        self.statuses: dict[int, Any] = {}
        self.scopes: dict[str, Any] = {}
        self.resources: list[tuple[Any, Any]] = []  # (resource, traces)
        self.attributes: dict[str, _KeyValues] = {}
        self.span_ids: list[str] = []  # "\n" + ids joined by "\n" + "\n"
        self.parent_ids: list[str] = []
        self.odd_ids: set[int] = set()  # traces with an id holding a newline or a capital letter
        self.durations = array("q")  # the trace's own duration
        self.longest = array("q")  # its longest span
        self.shortest = array("q")  # its shortest span
        self.log_bodies: list[str] = []  # lower-cased bodies, "\n"-joined as the ids
        self.odd_logs: set[int] = set()  # traces with a body holding a newline
        self.severities: dict[int, Any] = {}
        # Kinds of span: (service, name, kind, status, scope) -> [traces, longest, shortest]
        # (per trace having that kind, its longest and shortest span of it); None past the cap.
        self.kinds_of_span: dict[tuple, list[array]] | None = {}

    def __len__(self) -> int:
        return len(self.traces)

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, traces: Sequence[Trace], progress: Callable[[float], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> FilterIndex | None:
        """Index `traces` (a snapshot: the caller's list is not kept). `progress(fraction)` is
        called now and then; when `cancelled()` turns true the build stops and gives None."""
        self = cls()
        attrs = _AttributeBuilder()
        resource_ords: dict[int, tuple[Any, array]] = {}
        n = len(traces)
        for o, trace in enumerate(traces):
            if o & 255 == 255:
                if cancelled is not None and cancelled():
                    return None
                if progress is not None:
                    progress(o / n)
            self._add_trace(o, trace, attrs, resource_ords)
        self.resources = list(resource_ords.values())
        self.attributes = attrs.finish()
        if progress is not None:
            progress(1.0)
        return self

    def _add_trace(self, o: int, trace: Trace, attrs: _AttributeBuilder, resource_ords: dict) -> None:
        self.versions.append(trace.version)  # before reading the spans: a change after it shows
        spans = trace.spans
        self.traces.append(ref(trace))
        self.tids.append(trace.trace_id)
        self.ordinal[trace.trace_id] = o
        self.trace_ids.append(trace.trace_id.lower())
        for d, get in ((self.names, _NAME), (self.services, _SERVICE), (self.kinds, _KIND),
                       (self.statuses, _STATUS), (self.scopes, _SCOPE)):
            for v in set(map(get, spans)):
                _add(d, v, o)
        for r in {id(r): r for r in map(_RESOURCE, spans)}.values():
            got = resource_ords.get(id(r))
            if got is None:
                resource_ords[id(r)] = (r, array("I", (o,)))
            else:
                got[1].append(o)
        ids = "\n".join(map(_SPAN_ID, spans))
        parents = "\n".join(map(_PARENT_ID, spans))
        self.span_ids.append(f"\n{ids}\n")
        self.parent_ids.append(f"\n{parents}\n")
        if ids.count("\n") != len(spans) - 1 or parents.count("\n") != len(spans) - 1 \
                or not (ids.lower() == ids and parents.lower() == parents):
            self.odd_ids.add(o)
        lengths = list(map(sub, map(_END, spans), map(_START, spans)))
        self.durations.append(trace.duration_ns)
        self.longest.append(max(lengths, default=0))
        self.shortest.append(min(lengths, default=0))
        kinds = self.kinds_of_span
        if kinds is not None:
            here: dict[tuple, list[int]] = {}
            keys = zip(map(_SERVICE, spans), map(_NAME, spans), map(_KIND, spans), map(_STATUS, spans),
                       map(_SCOPE, spans), strict=True)
            for k, d in zip(keys, lengths, strict=True):
                got = here.get(k)
                if got is None:
                    here[k] = [d, d]
                elif d > got[0]:
                    got[0] = d
                elif d < got[1]:
                    got[1] = d
            for k, (hi, lo) in here.items():
                entry = kinds.get(k)
                if entry is None:
                    kinds[k] = [array("I", (o,)), array("q", (hi,)), array("q", (lo,))]
                else:
                    entry[0].append(o)
                    entry[1].append(hi)
                    entry[2].append(lo)
            if len(kinds) > KINDS_OF_SPAN_CAP:
                self.kinds_of_span = None
        attrs.add(o, map(_RAW, spans))
        logs = trace.logs
        if logs:
            bodies = [r.body.lower() for r in logs]
            joined = "\n".join(bodies)
            if joined.count("\n") != len(bodies) - 1:
                self.odd_logs.add(o)
            self.log_bodies.append(f"\n{joined}\n")
            for sev in {r.severity for r in logs}:
                _add(self.severities, sev, o)
        else:
            self.log_bodies.append("")

    def memory_bytes(self) -> int:
        """About how many bytes the index holds (containers and the strings it made)."""
        import sys

        size = sys.getsizeof

        def posting_dict(d: dict | None) -> int:
            if d is None:
                return 0
            return size(d) + sum(size(k) + (size(p) if type(p) is not int else 0) for k, p in d.items())

        total = sum(map(size, self.traces)) + sum(map(size, self.tids))
        total += sum(size(x) for x in (self.traces, self.tids, self.versions, self.ordinal, self.durations, self.longest,
                                      self.shortest, self.odd_ids, self.odd_logs))
        total += sum(map(size, self.trace_ids)) + size(self.trace_ids)
        for lst in (self.span_ids, self.parent_ids, self.log_bodies):
            total += size(lst) + sum(map(size, lst))
        for d in (self.names, self.services, self.kinds, self.statuses, self.scopes, self.severities):
            total += posting_dict(d)
        total += size(self.resources) + sum(size(p) for _, p in self.resources)
        total += size(self.attributes)
        if self.kinds_of_span is not None:
            total += size(self.kinds_of_span) + sum(size(k) + size(e) + sum(map(size, e))
                                                    for k, e in self.kinds_of_span.items())
        for k, kv in self.attributes.items():
            total += size(k) + size(kv.present) + posting_dict(kv.texts) + posting_dict(kv.numbers)
        return total

    # -- answering -----------------------------------------------------------------------------
    def matching(self, store: TraceStore, query: Query, trace_ids: Iterable[str]) -> set[str]:
        """The ids among `trace_ids` of the traces `query.match_trace` accepts."""
        candidates, certain = self._evaluate(query)
        traces, versions, ordinal = self.traces, self.versions, self.ordinal
        get = store.traces.get
        match = query.match_trace
        out: set[str] = set()
        for tid in trace_ids:
            trace = get(tid)
            if trace is None:
                continue
            o = ordinal.get(tid)
            if o is None or traces[o]() is not trace or versions[o] != trace.version:
                if match(trace):  # new or changed since the build: tested as without an index
                    out.add(tid)
            elif (candidates is None or o in candidates) and (o in certain or match(trace)):
                out.add(tid)
        return out

    def _evaluate(self, query: Query) -> tuple[set[int] | None, set[int]]:
        """(candidates: None for every trace, certain: candidates accepted without a test)."""
        cand: set[int] | None = None
        surely: list[set[int]] = []  # a certain trace is in each of these
        doubtful: list[set[int] | None] = []  # and in none of these
        span_terms = 0
        together = [t for t in query.terms if not t.negated and t.duration is None and t.log_test is None]
        one_span = self._one_span_sets(together, in_group=False) if len(together) > 1 else None
        for t in query.terms:
            if t.duration is not None:
                op, ns = t.duration
                sure = {o for o, d in enumerate(self.durations) if _compare(op, d, ns)}
                maybe: set[int] | None = sure
            elif t.log_test is not None:
                sure, maybe = self._log_sets(t, in_group=False)
            else:
                sure, maybe = self._term_sets(t, in_group=False)
                span_terms += not t.negated
            cand = _narrow(cand, len(self.traces), t.negated, sure, maybe, surely, doubtful)
        for g in query.groups:
            sure, maybe = self._group_sets(g)
            cand = _narrow(cand, len(self.traces), g.negated, sure, maybe, surely, doubtful)
        if span_terms > 1:  # the positive span terms must hold on one span together
            if one_span is None:
                return cand, set()  # test them
            sure, maybe = one_span
            cand = _narrow(cand, len(self.traces), False, sure, maybe, surely, doubtful)
        certain = set(range(len(self.traces))) if cand is None else set(cand)
        for s in surely:
            certain &= s
        for m in doubtful:
            if m is None:
                return cand, set()
            certain -= m
        return cand, certain

    def _group_sets(self, g: SpanGroup) -> _Sets:
        if len(g.terms) > 1:
            found = self._one_span_sets(g.terms, in_group=True)
            if found is not None:
                return found
        maybe: set[int] | None = None
        sure: set[int] = set()
        for t in g.terms:
            if t.negated:
                continue  # a span without it: no help from the index
            if t.log_test is not None:
                s, m = self._log_sets(t, in_group=True)
            elif t.duration is not None:
                s, m = self._span_duration_sets(*t.duration)
            else:
                s, m = self._term_sets(t, in_group=True)
            if m is not None:
                maybe = m if maybe is None else maybe & m
            sure = s
        if len(g.terms) != 1 or g.terms[0].negated:
            sure = set()  # several terms on one span: only a test tells
        return sure, maybe

    def _one_span_sets(self, terms: list[Term], in_group: bool) -> _Sets | None:
        """Sets for terms that must hold on one span together, from the kinds of span, when every
        term reads only what a kind of span fixes (service, name, kind, status, scope; a word's
        name and service part) and at most one is a span's duration > or <. None otherwise."""
        kinds = self.kinds_of_span
        if kinds is None:
            return None
        tests: list[Callable[[tuple], bool]] = []
        duration: tuple[str, int] | None = None
        words: list[Term] = []
        for t in terms:
            spec = t.spec
            if t.duration is not None and not t.negated and in_group and duration is None and t.duration[0] != "=":
                duration = t.duration
            elif t.word is not None and not t.negated:
                words.append(t)
                w = t.word
                tests.append(lambda k, w=w: w in k[1].lower() or w in k[0].lower())
            elif spec is not None and spec[0] == "error" and t.log_test is None:
                tests.append(lambda k, neg=t.negated: (k[3] == STATUS_ERROR) != neg)
            elif spec is not None and spec[0] == "field" and spec[1] in _KIND_FIELDS:
                at, check = _KIND_FIELDS[spec[1]], spec[2]
                tests.append(lambda k, at=at, check=check, neg=t.negated: bool(check(k[at])) != neg)
            else:
                return None
        sure: set[int] = set()
        for k, (ords, longest, shortest) in kinds.items():
            if all(test(k) for test in tests):
                if duration is None:
                    sure.update(ords)
                else:
                    op, ns = duration
                    lengths = longest if op in (">", ">=") else shortest
                    sure.update(o for o, d in zip(ords, lengths, strict=True) if _compare(op, d, ns))
        maybe = sure
        for t in words:  # a word may also be in a span id (or, on the list, the trace id): tested
            w = t.word
            if "\n" in w:
                return sure, None
            hits = {o for o, ids in enumerate(self.span_ids) if w in ids}
            if not in_group:
                hits.update(o for o, tid in enumerate(self.trace_ids) if w in tid)
            if hits:
                maybe = maybe | hits
        return sure, maybe

    def _span_duration_sets(self, op: str, ns: int) -> _Sets:
        if op in (">", ">="):
            sure = {o for o, d in enumerate(self.longest) if _compare(op, d, ns)}
            return sure, sure
        if op in ("<", "<="):
            sure = {o for o, d in enumerate(self.shortest) if _compare(op, d, ns)}
            return sure, sure
        return set(), {o for o, (lo, hi) in enumerate(zip(self.shortest, self.longest, strict=True))
                       if lo <= ns <= hi}

    def _term_sets(self, t: Term, in_group: bool) -> _Sets:
        """(traces where a span surely satisfies `t`, traces where one may) for a span term."""
        w = t.word
        if w is not None:
            sure = {o for o, tid in enumerate(self.trace_ids) if w in tid} if not in_group else set()
            sure |= _union(p for name, p in self.names.items() if w in name.lower())
            sure |= _union(p for name, p in self.services.items() if w in name.lower())
            if "\n" in w:
                return sure, None
            sure.update(o for o, ids in enumerate(self.span_ids) if w in ids)
            return sure, sure
        spec = t.spec
        if spec is None:
            return set(), None
        if spec[0] == "error":
            sure = _union([self.statuses[STATUS_ERROR]]) if STATUS_ERROR in self.statuses else set()
            return sure, sure
        if spec[0] == "field":
            return self._field_sets(*spec[1:])
        if spec[0] == "attr":
            return self._attribute_sets(*spec[1:])
        return set(), None

    def _field_sets(self, key: str, check: Callable[[Any], bool], op: str, value: str) -> _Sets:
        values = {"service": self.services, "name": self.names, "kind": self.kinds, "status": self.statuses,
                  "scope": self.scopes}.get(key)
        if values is not None:
            sure = _union(p for v, p in values.items() if check(v))
            return sure, sure
        if key == "trace_id":
            sure = {o for o, tid in enumerate(self.tids) if check(tid)}
            return sure, sure
        want = value.lower()
        if op not in ("=", "~=") or "\n" in want:
            return set(), None
        blobs = self.span_ids if key == "span_id" else self.parent_ids
        needle = want if op == "~=" else f"\n{want}\n"
        odd = self.odd_ids
        hits = {o for o, ids in enumerate(blobs) if needle in ids}
        return hits - odd, hits | odd

    def _attribute_sets(self, key: str, op: str, value: str, check: Callable[[Any], bool]) -> _Sets:
        # Span attributes or resource attributes (the term holds on either).
        sure = _union(p for r, p in self.resources if key in r.attributes and check(r.attributes[key]))
        kv = self.attributes.get(key)
        if kv is None:
            return sure, sure
        texts = kv.texts
        if texts is None:  # too many values to keep: the traces with the key are tested
            return sure, sure | _union([kv.present])
        want = value.lower()
        if op == "=":
            found = [texts.get(want)]
            num = _as_number(value)
            if num is not None and num == num:
                found.append(kv.numbers.get(num))
            sure |= _union(p for p in found if p is not None)
        elif op == "~=":
            sure |= _union(p for text, p in texts.items() if want in text)
        else:
            num = _as_number(value)
            sure |= _union(p for x, p in kv.parsed() if _compare(op, x, num))
        return sure, sure

    def _log_sets(self, t: Term, in_group: bool) -> _Sets:
        """Traces with a record that satisfies the log term; in a group (a record of that span)
        only a superset."""
        _, key, op, value = t.spec
        if key == "severity":
            test = t.log_test
            sure = _union(p for sev, p in self.severities.items() if test(LogRecord(severity=sev)))
            maybe: set[int] | None = sure
        else:
            want = value.lower()
            needle = want if op == "~=" else f"\n{want}\n"
            maybe = {o for o, bodies in enumerate(self.log_bodies) if needle in bodies}
            # (a body holding a newline may fake a whole line; a needle holding one, a record)
            sure = maybe - self.odd_logs if op != "~=" else (maybe if "\n" not in want else set())
        return (set(), maybe) if in_group else (sure, maybe)


def _narrow(cand: set[int] | None, n: int, negated: bool, sure: set[int], maybe: set[int] | None,
            surely: list[set[int]], doubtful: list[set[int] | None]) -> set[int] | None:
    """Apply one term's sets to the candidates (None: all `n`); note what a certain answer needs."""
    if not negated:
        surely.append(sure)
        if maybe is None:
            return cand
        return set(maybe) if cand is None else cand & maybe
    doubtful.append(None if maybe is None else maybe - sure)
    if not sure:
        return cand
    return (set(range(n)) if cand is None else cand) - sure
