"""A trace: the spans of one request, with the tree built once, on demand, without recursion.

Spans are addressed by their position in `Trace.spans` (span ids may repeat: a Zipkin `shared`
server span reuses its client's id). The tree is rebuilt lazily after spans are added.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress, repeat
from operator import attrgetter, eq, gt, not_

from tracetui.model.gcpause import gc_paused
from tracetui.model.span import KIND_CONSUMER, KIND_PRODUCER, STATUS_ERROR, Span

NO_PARENT = -1
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

_SPAN_ID, _PARENT_ID, _SERVICE = attrgetter("span_id"), attrgetter("parent_id"), attrgetter("resource.service")


class Trace:
    """The spans of one trace and the structure derived from them.

    Derived structure (built on first access, again after `add`):
      parent[i]    position of span i's parent, or NO_PARENT
      children[i]  positions of span i's children, sorted by start time
      roots        spans without a parent id, sorted by start
      orphans      spans whose parent id is not in the trace (broken propagation), by start
      top          roots and orphans together, by start: where the tree walks begin
      order        every span once, in tree pre-order (children by start), orphans last
      depth[i]     0 for top-level spans

    Summary figures (`start_ns`, `end_ns`, `error_count`, `services`, `orphan_count`, `root`) come
    from a lighter pass that builds no tree, so a list of 10,000 traces costs no 10,000 trees; they
    equal what the tree gives (a trace where the light pass cannot be sure, such as repeated span ids
    or a possible parent cycle, builds its tree to answer).
    """

    _DERIVED = ("parent", "children", "roots", "orphans", "top", "order", "depth", "_index")
    _STATS = ("start_ns", "end_ns", "error_count", "services", "orphan_count", "_root")
    __slots__ = ("trace_id", "spans", "version", "_built", "_counted", "_keys", *_DERIVED, *_STATS)

    def __init__(self, trace_id: str, spans: Iterable[Span] = ()) -> None:
        self.trace_id = trace_id
        self.spans: list[Span] = list(spans)
        self.version = 0
        self._built = False
        self._counted = False
        self._keys: dict[tuple, Span] | None = None

    def add(self, spans: Iterable[Span]) -> int:
        """Add late spans; return how many were new. A span already in the trace (same id,
        parent, start, end, name and service: an exporter's retry, or the same dump loaded
        twice; see `remember`) is not added again. The key set is only built once a trace receives a second batch."""
        keys = self._keys
        if keys is None:
            spans_now = self.spans
            keys = self._keys = {(s.span_id, s.parent_id, s.start_ns, s.end_ns): s for s in spans_now}
            if len(keys) < len(spans_now):  # different spans sharing an id and times: one by one
                keys.clear()
                for s in spans_now:
                    remember(keys, s)
        fresh = []
        for s in spans:  # `remember`, inlined for the common case (a million spans can come this way)
            k = (s.span_id, s.parent_id, s.start_ns, s.end_ns)
            first = keys.get(k)
            if first is None:
                keys[k] = s
                fresh.append(s)
            elif remember(keys, s):
                fresh.append(s)
        if not fresh:
            return 0
        self.spans.extend(fresh)
        self.version += 1
        if self._built:
            self._built = False
            for name in Trace._DERIVED:
                delattr(self, name)
        if self._counted:
            self._counted = False
            for name in Trace._STATS:
                delattr(self, name)
        return len(fresh)

    def __len__(self) -> int:
        return len(self.spans)

    def __getattr__(self, name: str):
        # Derived fields are computed on first access.
        if name in Trace._DERIVED and not object.__getattribute__(self, "_built"):
            self._build()
            return object.__getattribute__(self, name)
        if name in Trace._STATS and not object.__getattribute__(self, "_counted"):
            self._count()
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def ensure_built(self) -> None:
        if not self._built:
            self._build()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        with gc_paused():
            self._build_tree()

    def _build_tree(self) -> None:
        spans = self.spans
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
        self._walk(top, children, order, depth, seen)
        if len(order) < n:
            cyclic = [i for i in range(n) if not seen[i]]
            cyclic.sort(key=key)
            for i in cyclic:
                if not seen[i]:
                    if parent[i] != NO_PARENT:
                        children[parent[i]].remove(i)
                        parent[i] = NO_PARENT
                    orphans.append(i)
                    self._walk([i], children, order, depth, seen)
            top = sorted(roots + orphans, key=key)

        self.parent = parent
        self.children = children
        self.roots = roots
        self.orphans = orphans
        self.top = top
        self.order = order
        self.depth = depth
        self._index = index
        self._built = True

    # -- summary figures without a tree ---------------------------------------------------
    def _count(self) -> None:
        with gc_paused():
            self._count_gc()

    def _count_gc(self) -> None:
        spans = self.spans
        n = len(spans)
        starts = list(map(_START, spans))
        self.start_ns = min(starts) if n else 0
        self.end_ns = max(map(_END, spans)) if n else 0
        self.error_count = list(map(_STATUS, spans)).count(STATUS_ERROR)
        self.services = sorted(set(map(_SERVICE, spans)))
        if self._built or not self._count_tree(starts):
            # From the tree (built now if need be): exact in every case.
            top = self.roots or self.top
            self.orphan_count = len(self.orphans)
            self._root = top[0] if top else None
        self._counted = True

    def _count_tree(self, starts: list[int]) -> bool:
        """Orphans and root without building the tree; False when unsure (then build it).

        The tree orders spans by start, ties by position: the root is the earliest root, ties
        to the first listed. A parent cycle needs some span whose parent starts after it, or
        at the same time but listed later; a trace with such an edge (clock skew, equal starts
        out of order) is left to the tree, which turns cycles into orphans.
        """
        spans = self.spans
        n = len(spans)
        if not n:
            self.orphan_count, self._root = 0, None
            return True
        sids = list(map(_SPAN_ID, spans))
        start_of = dict(zip(sids, starts, strict=True))
        if len(start_of) != n or "" in start_of:
            return False  # repeated (or empty) span ids: the tree decides who owns an id
        pids = list(map(_PARENT_ID, spans))
        parent_starts = list(map(start_of.get, pids, repeat(_NO_START)))  # roots, orphans: -inf
        if any(map(gt, parent_starts, starts)):
            return False
        if any(map(eq, parent_starts, starts)):
            position = dict(zip(sids, range(n), strict=True))
            for i in compress(range(n), map(eq, parent_starts, starts)):
                if position[pids[i]] >= i:
                    return False  # possibly a cycle, or a span its own parent
        roots = pids.count("")
        self.orphan_count = parent_starts.count(_NO_START) - roots
        if roots:
            self._root = min(compress(range(n), map(not_, pids)), key=starts.__getitem__)
        elif self.orphan_count:
            self._root = min(compress(range(n), map(eq, parent_starts, repeat(_NO_START))), key=starts.__getitem__)
        else:
            return False
        return True

    @staticmethod
    def _walk(top: list[int], children, order: list[int], depth: list[int], seen) -> None:
        stack = [(i, 0) for i in reversed(top)]
        pop, push = stack.pop, stack.append
        while stack:
            i, d = pop()
            if seen[i]:
                continue
            seen[i] = 1
            order.append(i)
            depth[i] = d
            ch = children[i]
            for c in reversed(ch):
                push((c, d + 1))

    # -- queries ---------------------------------------------------------------------------
    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns

    @property
    def root(self) -> Span | None:
        """The span that stands for the request: the earliest root, else the earliest orphan."""
        pos = self._root
        return self.spans[pos] if pos is not None else None

    @property
    def has_root(self) -> bool:
        """Whether the request's root span is here (else `root` is the earliest orphan)."""
        root = self.root
        return root is not None and not root.parent_id

    @property
    def max_depth(self) -> int:
        return max(self.depth) if self.spans else 0

    def position(self, span_id: str) -> int | None:
        """Position of the span with this id (the non-shared one where ids repeat)."""
        self.ensure_built()
        return self._index.get(span_id)

    def is_blocking(self, i: int) -> bool:
        """Whether span i blocks its parent: not a FOLLOWS_FROM child, not a consumer of a producer."""
        s = self.spans[i]
        if s.follows_from:
            return False
        p = self.parent[i]
        if p != NO_PARENT and s.kind == KIND_CONSUMER and self.spans[p].kind == KIND_PRODUCER:
            return False
        return True

    def subtree(self, i: int) -> list[int]:
        """Positions of span i and all its descendants, in pre-order."""
        out: list[int] = []
        stack = [i]
        while stack:
            j = stack.pop()
            out.append(j)
            stack.extend(reversed(self.children[j]))
        return out


