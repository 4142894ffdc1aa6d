"""A trace: the spans of one request, with its tree and its summary figures built on demand.

Spans are addressed by their position in `Trace.spans` (span ids may repeat: a Zipkin `shared`
server span reuses its client's id). Two derived values, each rebuilt after spans are added:
`Trace.tree` (a `TraceTree`: parents, children, pre-order, depth; walks without recursion) and
`Trace.stats` (a `TraceStats`: start, end, errors, services, orphans, root), which a lighter pass
computes without a tree, so a list of 10,000 traces costs no 10,000 trees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import attrgetter, eq, gt, not_

from msgspec.structs import replace

from tracetui.model import speedups
from tracetui.model.gcpause import gc_paused
from tracetui.model.log import LogRecord, log_key, time_of
from tracetui.model.skew import CALLEES, NO_SHIFTS, ClockShifts, callee_shift, compute_shifts
from tracetui.model.span import KIND_CONSUMER, KIND_PRODUCER, STATUS_ERROR, Event, Span

NO_PARENT = -1
_NO_LOGS: tuple = ()  # a trace without logs shares this; `add_logs` gives it its own list
_NO_START = float("-inf")  # the parent start of a root or an orphan

_START, _END, _STATUS = attrgetter("start_ns"), attrgetter("end_ns"), attrgetter("status")


def remember(keys: dict, s: Span) -> bool:
    """Whether `s` is new among the spans remembered in `keys` (then it is remembered too).

    A span is the same span arriving again (a retry, a dump loaded twice) when its id, parent,
    start, end, name and service are equal: different spans share an id and times in Jaeger UI's
    test data and in Zipkin's (a server reached on its client's id). The set holds the first
    four only (a tuple of four is what a load of a million spans can afford); name and service
    are compared when those match. TraceStore uses it too."""
    k = (s.span_id, s.parent_id, s.start_ns, s.end_ns)
    first = keys.get(k)
    if first is None:
        keys[k] = s
        return True
    if first.name == s.name and first.resource.service == s.resource.service:
        return False
    k6 = (*k, s.name, s.resource.service)  # six long: never equal to a key of four
    if k6 in keys:
        return False
    keys[k6] = s
    return True


def remember_by_id(keys: dict, s: Span) -> bool:
    """`remember`, keyed by the span id alone as long as an id is one span's (the common case):
    the key is a string the span holds anyway, where `remember` keeps a tuple of four per span
    (~100 bytes more a span, for every trace that arrives in more than one request: live mode).
    An id found on another span is remembered from then on as `remember` does it."""
    sid = s.span_id
    first = keys.get(sid)
    if first is None:
        keys[sid] = s
        return True
    if (first.parent_id == s.parent_id and first.start_ns == s.start_ns and first.end_ns == s.end_ns
            and first.name == s.name and first.resource.service == s.resource.service):
        return False
    keys.setdefault((sid, first.parent_id, first.start_ns, first.end_ns), first)
    return remember(keys, s)


_SPAN_ID, _PARENT_ID, _SERVICE = attrgetter("span_id"), attrgetter("parent_id"), attrgetter("resource.service")


class TraceTree:
    """The structure of a trace's spans, by position.

      parent[i]    position of span i's parent, or NO_PARENT
      children[i]  positions of span i's children, sorted by start time
      roots        spans without a parent id, sorted by start
      orphans      spans whose parent id is not in the trace (broken propagation), by start
      top          roots and orphans together, by start: where the tree walks begin
      order        every span once, in tree pre-order (children by start), orphans last
      depth[i]     0 for top-level spans
      index        span id -> position (the non-shared span where ids repeat)
    """

    __slots__ = ("parent", "children", "roots", "orphans", "top", "order", "depth", "index")

    def __init__(self, parent: list[int], children: list[list[int]], roots: list[int], orphans: list[int],
                 top: list[int], order: list[int], depth: list[int], index: dict[str, int]) -> None:
        self.parent, self.children, self.roots, self.orphans = parent, children, roots, orphans
        self.top, self.order, self.depth, self.index = top, order, depth, index

    @classmethod
    @gc_paused
    def build(cls, spans: Sequence[Span]) -> TraceTree:
        n = len(spans)
        index: dict[str, int] = {}
        shared: dict[str, int] = {}
        for i, s in enumerate(spans):
            # A span that names itself as parent (Zipkin shared server span) does not own the id.
            if s.parent_id != s.span_id:
                if s.span_id not in index:
                    index[s.span_id] = i
            else:
                shared.setdefault(s.span_id, i)
        for i, s in enumerate(spans):
            index.setdefault(s.span_id, i)

        parent = [NO_PARENT] * n
        children: list[list[int]] = [[] for _ in range(n)]
        roots: list[int] = []
        orphans: list[int] = []
        starts = [s.start_ns for s in spans]
        for i, s in enumerate(spans):
            pid = s.parent_id
            if not pid:
                roots.append(i)
                continue
            p = index.get(pid)
            if shared and pid in shared:
                # The id is both a client's and its shared server's: a child in the server's
                # service is the server's (as Zipkin attaches it, by local endpoint).
                q = shared[pid]
                if q != i and spans[q].resource.service == s.resource.service:
                    p = q
            if p is None or p == i:
                orphans.append(i)
            else:
                parent[i] = p
                children[p].append(i)
        key = starts.__getitem__
        for ch in children:
            if len(ch) > 1:
                ch.sort(key=key)
        roots.sort(key=key)
        orphans.sort(key=key)
        top = sorted(roots + orphans, key=key) if orphans else roots

        # Pre-order walk with an explicit stack; a parent cycle leaves spans unvisited,
        # which are then treated as orphans so that nothing is dropped.
        order: list[int] = []
        depth = [0] * n
        seen = bytearray(n)
        _walk(top, children, order, depth, seen)
        if len(order) < n:
            cyclic = [i for i in range(n) if not seen[i]]
            cyclic.sort(key=key)
            for i in cyclic:
                if not seen[i]:
                    if parent[i] != NO_PARENT:
                        children[parent[i]].remove(i)
                        parent[i] = NO_PARENT
                    orphans.append(i)
                    _walk([i], children, order, depth, seen)
            top = sorted(roots + orphans, key=key)
        return cls(parent, children, roots, orphans, top, order, depth, index)

    @property
    def max_depth(self) -> int:
        return max(self.depth) if self.depth else 0

    def subtree(self, i: int) -> list[int]:
        """Positions of span i and all its descendants, in pre-order."""
        out: list[int] = []
        stack = [i]
        children = self.children
        while stack:
            j = stack.pop()
            out.append(j)
            stack.extend(reversed(children[j]))
        return out


def _walk(top: list[int], children: list[list[int]], order: list[int], depth: list[int], seen: bytearray) -> None:
    stack = [(i, 0) for i in reversed(top)]
    pop, push = stack.pop, stack.append
    while stack:
        i, d = pop()
        if seen[i]:
            continue
        seen[i] = 1
        order.append(i)
        depth[i] = d
        for c in reversed(children[i]):
            push((c, d + 1))


class TraceStats:
    """A trace's summary figures: what the trace list shows. They equal what the tree gives;
    `count` builds no tree unless it cannot be sure (repeated span ids, a possible parent cycle)."""

    __slots__ = ("start_ns", "end_ns", "error_count", "services", "orphan_count", "root")

    def __init__(self, start_ns: int, end_ns: int, error_count: int, services: list[str], orphan_count: int,
                 root: int | None) -> None:
        self.start_ns, self.end_ns, self.error_count = start_ns, end_ns, error_count
        self.services, self.orphan_count, self.root = services, orphan_count, root

    @classmethod
    @gc_paused
    def count(cls, trace: Trace, tree: TraceTree | None = None) -> TraceStats:
        """The figures of `trace` (its tree only when already built or needed to be exact).
        `tree`: a tree of these spans to take the orphans and the root from, though built
        before clock skew moved some of them (their structure holds, and no root or orphan is
        ever moved, so the earliest root is the same)."""
        spans = trace.spans
        n = len(spans)
        starts = list(map(_START, spans))
        start_ns = min(starts) if n else 0
        end_ns = max(map(_END, spans)) if n else 0
        errors = list(map(_STATUS, spans)).count(STATUS_ERROR)
        services = sorted(set(map(_SERVICE, spans)))
        light = None if tree is not None or trace.has_tree else _orphans_and_root(spans, starts)
        if light is None:
            # From the tree (built now if need be): exact in every case.
            tree = tree or trace.tree
            top = tree.roots or tree.top
            light = len(tree.orphans), (top[0] if top else None)
        return cls(start_ns, end_ns, errors, services, *light)


def _orphans_and_root(spans: Sequence[Span], starts: list[int]) -> tuple[int, int | None] | None:
    """(orphan count, root position) without building the tree; None when unsure (then build it).

    The tree orders spans by start, ties by position: the root is the earliest root, ties
    to the first listed. A parent cycle needs some span whose parent starts after it, or
    at the same time but listed later; a trace with such an edge (clock skew, equal starts
    out of order) is left to the tree, which turns cycles into orphans.
    """
    n = len(spans)
    if not n:
        return 0, None
    sids = list(map(_SPAN_ID, spans))
    start_of = dict(zip(sids, starts, strict=True))
    if len(start_of) != n or "" in start_of:
        return None  # repeated (or empty) span ids: the tree decides who owns an id
    pids = list(map(_PARENT_ID, spans))
    parent_starts = list(map(start_of.get, pids, repeat(_NO_START)))  # roots, orphans: -inf
    if any(map(gt, parent_starts, starts)):
        return None
    if any(map(eq, parent_starts, starts)):
        position = dict(zip(sids, range(n), strict=True))
        for i in compress(range(n), map(eq, parent_starts, starts)):
            if position[pids[i]] >= i:
                return None  # possibly a cycle, or a span its own parent
    roots = pids.count("")
    orphans = parent_starts.count(_NO_START) - roots
    if roots:
        return orphans, min(compress(range(n), map(not_, pids)), key=starts.__getitem__)
    if orphans:
        return orphans, min(compress(range(n), map(eq, parent_starts, repeat(_NO_START))), key=starts.__getitem__)
    return None


def light_figures(spans: Sequence[Span]) -> tuple[bool, TraceStats | None]:
    """Whether a callee may lie outside its caller and the light figures (`python_light_figures`),
    by the compiled helper when there is one (model/speedups.py)."""
    figures = speedups.figures
    if figures is not None and spans.__class__ is list:
        got = figures(spans, callee_shift, CALLEES)
        if got is not None:
            skewed, f = got
            return skewed, None if f is None else TraceStats(f[0], f[1], f[2], sorted(f[3]), f[4], f[5])
    return python_light_figures(spans)


def python_light_figures(spans: Sequence[Span]) -> tuple[bool, TraceStats | None]:
    """Whether a callee may lie outside its caller (clock skew; repeated ids answer yes, the tree
    decides then) and `TraceStats.count`'s light pass, in one go, without a tree: (skewed, figures).
    A trace where `skewed` is False has no shifts at all: the first shift in tree order is measured
    against an unshifted caller. The figures are None when the light pass would be unsure (see
    `_orphans_and_root`) or the trace may be skewed; `TraceStats.count` decides then.

    Two plain loops, fewer instructions than the separate passes (C-level `map` passes plus a
    loop for the skew check), callgrind: 4.5k against 10.9k a span for traces of 9 spans (an SDK
    dump), about half for traces of 100 to 2,000 spans."""
    if not spans:
        return False, TraceStats(0, 0, 0, [], 0, None)
    index: dict[str, int] = {}
    services = set()
    errors = 0
    error = STATUS_ERROR
    start_ns, end_ns = spans[0].start_ns, spans[0].end_ns
    resource = None  # the last span's: spans of one service come together
    for i, s in enumerate(spans):
        sid = s.span_id
        if sid in index or s.parent_id == sid:
            return True, None
        index[sid] = i
        if s.resource is not resource:
            resource = s.resource
            services.add(resource.service)
        if s.status == error:
            errors += 1
        t = s.start_ns
        if t < start_ns:
            start_ns = t
        t = s.end_ns
        if t > end_ns:
            end_ns = t
    sure = "" not in index
    root = orphan = None
    root_start = orphan_start = 0
    orphans = 0
    get = index.get
    callees = CALLEES
    for i, s in enumerate(spans):
        pid = s.parent_id
        st = s.start_ns
        if not pid:
            if root is None or st < root_start:
                root, root_start = i, st
            continue
        p = get(pid)
        if p is None:
            orphans += 1
            if orphan is None or st < orphan_start:
                orphan, orphan_start = i, st
            continue
        ps = spans[p]
        p_start = ps.start_ns
        if p_start >= st and (p_start > st or p >= i):
            sure = False  # possibly a cycle: the tree decides
        if s.kind in callees and not (st >= p_start and s.end_ns <= ps.end_ns) \
                and ps.resource.service != s.resource.service and callee_shift(s, p_start, ps.end_ns, ps.kind):
            return True, None
    top = root if root is not None else orphan
    if not sure or top is None:
        return False, None
    return False, TraceStats(start_ns, end_ns, errors, sorted(services), orphans, top)


class Trace:
    """The spans of one trace, with `tree` and `stats` derived from them on first use.

    The tree's parts and the figures are also properties of the trace itself (`trace.children`,
    `trace.start_ns`, …): each reads the current `tree` or `stats`.

    Clock skew (see model/skew.py): whenever spans come in, the trace checks (cheaply, without a
    tree) whether a callee lies outside its caller; if so it computes the shifts and, when
    `adjust_skew` is on (the default), puts shifted copies of those spans in `spans`, so
    whoever reads times from the trace reads them adjusted; the spans handed in are not changed.
    Only the shifts and the shifted spans as read are kept (dicts for the spans moved: nothing
    for a trace without skew), so the times as read come back with `set_adjust_skew(False)`.
    Every analysis reads the spans' times, so all of it follows the setting.
    """

    __slots__ = ("trace_id", "spans", "version", "_tree", "_stats", "_keys", "adjust_skew", "_shifts", "_applied",
                 "_originals", "logs", "_log_keys", "_logs_by_span", "__weakref__")

    def __init__(self, trace_id: str, spans: Iterable[Span] = (), adjust_skew: bool = True) -> None:
        self.trace_id = trace_id
        self.spans: list[Span] = list(spans)
        self.version = 0
        self._tree: TraceTree | None = None
        self._stats: TraceStats | None = None
        self._keys: dict[str | tuple, Span] | None = None  # see remember_by_id
        self.logs: Sequence[LogRecord] = _NO_LOGS  # in time order
        self._log_keys: set[tuple] | None = None
        self._logs_by_span: dict[str, list[LogRecord]] | None = None
        self.adjust_skew = adjust_skew
        self._shifts: ClockShifts | None = None  # None: not checked since the spans last changed
        self._applied = False
        self._originals: dict[int, Span] | None = None  # position -> span as read, while shifted
        if self.spans:
            self._settle()

    def add_logs(self, records: Iterable[LogRecord]) -> int:
        """Add log records of this trace (kept in time order); return how many were new. A record
        already here (same span, time, severity and body: a retry, a dump loaded twice) is not
        added again."""
        keys = self._log_keys
        if keys is None:
            keys = self._log_keys = set(map(log_key, self.logs))
        fresh = []
        for r in records:
            k = log_key(r)
            if k not in keys:
                keys.add(k)
                fresh.append(r)
        if not fresh:
            return 0
        logs = self.logs
        if not isinstance(logs, list):
            logs = self.logs = []
        logs.extend(fresh)
        logs.sort(key=time_of)  # stable, and nearly sorted already: cheap
        self._logs_by_span = None
        self.version += 1
        return len(fresh)

    def logs_of(self, span_id: str) -> list[LogRecord]:
        """The log records that name this span, in time order ("" gives those naming only the trace)."""
        by_span = self._logs_by_span
        if by_span is None:
            by_span = self._logs_by_span = {}
            for r in self.logs:
                got = by_span.get(r.span_id)
                if got is None:
                    by_span[r.span_id] = [r]
                else:
                    got.append(r)
        return by_span.get(span_id, [])

    def add(self, spans: Iterable[Span]) -> int:
        """Add late spans; return how many were new. A span already in the trace (same id,
        parent, start, end, name and service: an exporter's retry, or the same dump loaded
        twice; see `remember_by_id`) is not added again. The key set is only built once a trace receives a second batch.
        Spans are compared on their times as read (shifts are undone first, and measured again
        on first use)."""
        applied = self._applied
        if applied:
            self._apply(-1)
        keys = self._keys
        if keys is None:
            spans_now = self.spans
            keys = self._keys = {s.span_id: s for s in spans_now}
            if len(keys) < len(spans_now):  # different spans sharing an id: one by one
                keys.clear()
                for s in spans_now:
                    remember_by_id(keys, s)
        fresh = []
        for s in spans:  # `remember_by_id`, inlined for the common case (a million spans can come this way)
            first = keys.get(s.span_id)
            if first is None:
                keys[s.span_id] = s
                fresh.append(s)
            elif remember_by_id(keys, s):
                fresh.append(s)
        if not fresh:
            if applied:
                self._apply(1)
            return 0
        self.spans.extend(fresh)
        self.version += 1
        self._tree = None
        self._stats = None
        self._shifts = None
        self._settle()
        return len(fresh)

    # -- clock skew ----------------------------------------------------------------------------
    def _settle(self) -> ClockShifts:
        """Measure the shifts (once per change of the spans) and apply them if asked to."""
        shifts = self._shifts
        if shifts is not None:
            return shifts
        spans = self.spans
        skewed, stats = light_figures(spans)
        if not skewed:
            if stats is not None:
                self._stats = stats
            shifts = self._shifts = NO_SHIFTS
            return shifts
        tree = TraceTree.build(spans)  # on the times as read; its structure does not depend on them
        shifts = self._shifts = compute_shifts(spans, tree.order, tree.parent)
        if shifts and self.adjust_skew:
            self._apply(1)
            # Siblings now sort by their new starts: the tree is built again on use, not kept
            # (the 2,246 shifted traces of the bench's 1M-span file: 67 MB). The figures are
            # taken from it now, as the light pass could not give them.
            self._stats = TraceStats.count(self, tree)
        else:
            self._tree = tree
        return shifts

    def _apply(self, sign: int) -> None:
        """Put shifted copies in place of the shifted spans (sign 1), or the spans as read back
        (-1). The spans handed to the trace are never changed: whoever else holds them (a
        backend's search, a test, a capture) keeps the times as read."""
        spans = self.spans
        if sign > 0:
            originals = self._originals = {}
            for pos, d in self._shifts.shift.items():
                s = originals[pos] = spans[pos]
                moved = replace(s, start_ns=s.start_ns + d, end_ns=s.end_ns + d)
                if s.raw_events is not None:  # events were recorded by the same clock (0: no time)
                    moved.raw_events = [Event(e.time_ns + d if e.time_ns else 0, e.name, e.attributes)
                                        for e in s.events]
                spans[pos] = moved
            self._applied = True
        else:
            for pos, s in self._originals.items():
                spans[pos] = s
            self._originals = None
            self._applied = False

    def original(self, pos: int) -> Span:
        """Span `pos` with its times as read (itself when it is not shown shifted)."""
        originals = self._originals
        return originals.get(pos, self.spans[pos]) if originals else self.spans[pos]

    @property
    def clock_shifts(self) -> ClockShifts:
        """The shifts clock skew calls for (measured on first use), whether applied or not."""
        shifts = self._shifts
        return shifts if shifts is not None else self._settle()

    @property
    def adjusted(self) -> bool:
        """Whether spans of this trace are shown shifted now."""
        self.clock_shifts  # noqa: B018
        return self._applied

    def shift_of(self, pos: int) -> int:
        """Nanoseconds span `pos` is shown moved by (0 when not adjusted)."""
        if not self.adjusted:
            return 0
        return self._shifts.shift.get(pos, 0)

    def set_adjust_skew(self, on: bool) -> bool:
        """Show the times adjusted for clock skew or as read; return whether any span moved."""
        if on == self.adjust_skew:
            return False
        self.adjust_skew = on
        shifts = self._shifts
        if not shifts:  # not measured yet (done on first use, with the new setting), or none
            return False
        self._apply(1 if on else -1)
        self.version += 1
        self._tree = None
        self._stats = None
        return True

    def __len__(self) -> int:
        return len(self.spans)

    # -- derived values ------------------------------------------------------------------------
    @property
    def tree(self) -> TraceTree:
        tree = self._tree
        if tree is None:
            if self._shifts is None:
                self._settle()
                tree = self._tree
            if tree is None:
                tree = self._tree = TraceTree.build(self.spans)
        return tree

    @property
    def has_tree(self) -> bool:
        """Whether the tree of the current spans is built (reading `tree` would cost nothing)."""
        return self._tree is not None

    def ensure_built(self) -> None:
        self.tree  # noqa: B018 (built on first use)

    @property
    def stats(self) -> TraceStats:
        stats = self._stats
        if stats is None:
            if self._shifts is None:
                self._settle()  # (gives the figures on the way, mostly)
                stats = self._stats
            if stats is None:
                stats = self._stats = TraceStats.count(self)
        return stats

    # The tree's parts (see TraceTree) and the figures (see TraceStats): hot in sorts and walks,
    # so they read the cached value before falling back on the building property.
    @property
    def parent(self) -> list[int]:
        t = self._tree
        return (t if t is not None else self.tree).parent

    @property
    def children(self) -> list[list[int]]:
        t = self._tree
        return (t if t is not None else self.tree).children

    @property
    def roots(self) -> list[int]:
        t = self._tree
        return (t if t is not None else self.tree).roots

    @property
    def orphans(self) -> list[int]:
        t = self._tree
        return (t if t is not None else self.tree).orphans

    @property
    def top(self) -> list[int]:
        t = self._tree
        return (t if t is not None else self.tree).top

    @property
    def order(self) -> list[int]:
        t = self._tree
        return (t if t is not None else self.tree).order

    @property
    def depth(self) -> list[int]:
        t = self._tree
        return (t if t is not None else self.tree).depth

    @property
    def max_depth(self) -> int:
        t = self._tree
        return (t if t is not None else self.tree).max_depth

    # The summary figures (see TraceStats).
    @property
    def start_ns(self) -> int:
        st = self._stats
        return (st if st is not None else self.stats).start_ns

    @property
    def end_ns(self) -> int:
        st = self._stats
        return (st if st is not None else self.stats).end_ns

    @property
    def duration_ns(self) -> int:
        st = self._stats
        if st is None:
            st = self.stats
        return st.end_ns - st.start_ns

    @property
    def error_count(self) -> int:
        st = self._stats
        return (st if st is not None else self.stats).error_count

    @property
    def services(self) -> list[str]:
        st = self._stats
        return (st if st is not None else self.stats).services

    @property
    def orphan_count(self) -> int:
        st = self._stats
        return (st if st is not None else self.stats).orphan_count

    @property
    def root(self) -> Span | None:
        """The span that stands for the request: the earliest root, else the earliest orphan."""
        pos = self.stats.root
        return self.spans[pos] if pos is not None else None

    @property
    def has_root(self) -> bool:
        """Whether the request's root span is here (else `root` is the earliest orphan)."""
        root = self.root
        return root is not None and not root.parent_id

    # -- queries ---------------------------------------------------------------------------
    def position(self, span_id: str) -> int | None:
        """Position of the span with this id (the non-shared one where ids repeat)."""
        return self.tree.index.get(span_id)

    def is_blocking(self, i: int) -> bool:
        """Whether span i blocks its parent: not a FOLLOWS_FROM child, not a consumer of a producer."""
        s = self.spans[i]
        if s.follows_from:
            return False
        p = self.tree.parent[i]
        if p != NO_PARENT and s.kind == KIND_CONSUMER and self.spans[p].kind == KIND_PRODUCER:
            return False
        return True

    def subtree(self, i: int) -> list[int]:
        """Positions of span i and all its descendants, in pre-order."""
        return self.tree.subtree(i)
