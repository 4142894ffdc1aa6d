"""A trace: the spans of one request, with the tree built once, on demand, without recursion.

Spans are addressed by their position in `Trace.spans` (span ids may repeat: a Zipkin `shared`
server span reuses its client's id). The tree is rebuilt lazily after spans are added.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracetui.model.span import KIND_CONSUMER, KIND_PRODUCER, Span

NO_PARENT = -1


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
    """

    _DERIVED = (
        "parent", "children", "roots", "orphans", "top", "order", "depth", "start_ns", "end_ns",
        "error_count", "services", "_index",
    )
    __slots__ = ("trace_id", "spans", "version", "_built", *_DERIVED)

    def __init__(self, trace_id: str, spans: Iterable[Span] = ()) -> None:
        self.trace_id = trace_id
        self.spans: list[Span] = list(spans)
        self.version = 0
        self._built = False

    def add(self, spans: Iterable[Span]) -> None:
        self.spans.extend(spans)
        self.version += 1
        if self._built:
            self._built = False
            for name in Trace._DERIVED:
                delattr(self, name)

    def __len__(self) -> int:
        return len(self.spans)

    def __getattr__(self, name: str):
        # Derived fields are computed on first access.
        if name in Trace._DERIVED and not object.__getattribute__(self, "_built"):
            self._build()
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def ensure_built(self) -> None:
        if not self._built:
            self._build()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
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
        self.start_ns = min(starts) if n else 0
        self.end_ns = max(s.end_ns for s in spans) if n else 0
        self.error_count = sum(1 for s in spans if s.status == 2)
        self.services = sorted({s.resource.service for s in spans})
        self._built = True

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
        top = self.roots or self.top
        return self.spans[top[0]] if top else None

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


