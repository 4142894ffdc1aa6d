"""The visible rows of a trace's tree: what the waterfall draws, one row per entry.

A *node* is a span position (>= 0) or a placeholder (< 0) that stands for a missing parent and
groups the orphans that name it. Rows are the nodes left after collapsing subtrees and hiding
services, in tree pre-order (children by start time). Hidden spans' children re-attach to the
nearest shown ancestor, in the place their hidden parent had, so the tree stays readable and
rows keep the order of the unfiltered tree. Every walk is a loop: traces can be 100k spans deep.
"""

from __future__ import annotations

from itertools import compress
from operator import attrgetter, not_

from tracetui.model.gcpause import gc_paused
from tracetui.model.trace import NO_PARENT, Trace

_TOP = None  # effective parent of a top-level node


_resource_of = attrgetter("resource")


def tree_ranks(trace: Trace) -> list[int]:
    """Each span's place in the trace's tree pre-order (`trace.order`): what "next in tree
    order" steps by, in the waterfall and the flame graph alike."""
    rank = [0] * len(trace.spans)
    for r, p in enumerate(trace.order):
        rank[p] = r
    return rank


class RowView:
    """Visible rows of one trace, with collapse state and hidden services.

    Only `rows` is rebuilt when subtrees collapse; depth, parent and "last child" are properties
    of the (filtered) tree, so a row's tree-guide prefix is derived on demand by walking up
    as many levels as fit. `version` is bumped on every change, so a view can key caches on it.
    """

    def __init__(self, trace: Trace) -> None:
        trace.ensure_built()
        self.trace = trace
        self.version = 0
        self._hidden: frozenset[str] = frozenset()
        self._collapsed: set[int] = set()
        self._only: set[int] | None = None  # show only these nodes (matches and their ancestors)
        self._build_structure()
        self._build_rows()

    # -- structure: effective children after hiding services -----------------------------------
    def _build_structure(self) -> None:
        # Tens of thousands of new lists would trigger the collector over the whole heap.
        with gc_paused():
            self._build_structure_now()

    def _build_structure_now(self) -> None:
        t = self.trace
        spans, parent = t.spans, t.parent
        # Placeholders: one per distinct missing parent id, in order of their first orphan.
        ph_ids: list[str] = []
        ph_index: dict[str, int] = {}
        ph_of: dict[int, int] = {}
        for o in t.orphans:
            pid = spans[o].parent_id
            k = ph_index.get(pid)
            if k is None:
                k = ph_index[pid] = len(ph_ids)
                ph_ids.append(pid)
            ph_of[o] = -1 - k
        self._ph_ids = ph_ids
        pkids: list[list[int]] = [[] for _ in ph_ids]
        hidden = self._hidden

        if not hidden:
            self._kids = t.children  # shared with the trace: never mutated here
            for o in t.orphans:  # already sorted by start
                pkids[-1 - ph_of[o]].append(o)
            top_of_root = None
            up: list[int | None] = [None if p == NO_PARENT else p for p in parent]
            for o, ph in ph_of.items():
                up[o] = ph
            self._shown = None
            self._simple_order = None if ph_ids else t.order
            edepth = list(t.depth)
            for o in t.orphans:  # orphan subtrees hang one level below their placeholder
                for j in t.subtree(o):
                    edepth[j] += 1
            last = bytearray(len(spans))  # last child of its (effective) parent: draws └ not ├
            for c in [lst[-1] for lst in t.children if lst] + [lst[-1] for lst in pkids if lst]:
                last[c] = 1
            # The unfiltered tree's links: hiding services starts from copies of these.
            self._base_up, self._base_last = up, bytes(last)
        else:
            # Whether each span is shown, decided once per resource (spans share them).
            resources = list(map(_resource_of, spans))
            by_id = dict(zip(map(id, resources), resources, strict=True))
            verdict = {k: r.service not in hidden for k, r in by_id.items()}
            shown = list(map(verdict.__getitem__, map(id, resources)))
            n = len(spans)
            children = t.children

            def splice(lst: list[int], at: int | None) -> list[int]:
                # Shown nodes of `lst`, each hidden one replaced by its shown descendants (in place).
                out: list[int] = []
                stack = list(reversed(lst))
                while stack:
                    c = stack.pop()
                    if shown[c]:
                        out.append(c)
                        up[c] = at
                    else:
                        stack.extend(reversed(children[c]))
                return out

            up = list(self._base_up)
            kids: list = list(children)  # shared lists are replaced, never changed
            hidden_pos = list(compress(range(n), map(not_, shown)))
            last = bytearray(self._base_last)
            for p in {parent[h] for h in hidden_pos}:
                if p >= 0 and shown[p]:
                    lst = kids[p] = splice(children[p], p)
                    for c in lst:
                        last[c] = 0
                    if lst:
                        last[lst[-1]] = 1
            top_of_root = {r: splice([r], _TOP) for r in t.roots}  # a hidden root: its shown descendants
            by_ph: list[list[int]] = [[] for _ in ph_ids]
            for o in t.orphans:
                by_ph[-1 - ph_of[o]].append(o)
            for k, lst in enumerate(by_ph):
                lst = pkids[k] = splice(lst, -1 - k)
                for c in lst:
                    last[c] = 0
                if lst:
                    last[lst[-1]] = 1
            self._simple_order = None if ph_ids else list(compress(t.order, map(shown.__getitem__, t.order)))
            self._kids = kids
            self._shown = shown
            edepth = None  # filled on demand, walking up (see _node_depth)
        self._pkids = pkids
        self._up = up
        self._edepth: list[int] | None = edepth
        self._depth_memo: dict[int, int] = {}
        self._last = last
        # Top level: roots and placeholders by start (a placeholder starts with its first orphan,
        # hidden or not, so hiding never moves it); a hidden root is replaced by what it shows.
        if ph_ids:
            first: dict[int, int] = {}
            for o in t.orphans:
                ph, st = ph_of[o], spans[o].start_ns
                if st < first.get(ph, st + 1):
                    first[ph] = st
            entries = [(spans[r].start_ns, r) for r in t.roots] + [(st, ph) for ph, st in first.items()]
            entries.sort(key=lambda e: e[0])
            top: list[int] = []
            for _, nd in entries:
                if nd < 0:
                    if pkids[-1 - nd]:
                        top.append(nd)
                elif top_of_root is None:
                    top.append(nd)
                else:
                    top.extend(top_of_root[nd])
            self._top = top
        elif top_of_root is None:
            self._top = list(t.roots)
        else:
            self._top = [c for r in t.roots for c in top_of_root[r]]
        self._sizes: tuple[list[int], list[int]] | None = None

    # -- rows ------------------------------------------------------------------------------------
    def _build_rows(self) -> None:
        kids, pkids, collapsed = self._kids, self._pkids, self._collapsed
        top = self._top
        if not collapsed and self._simple_order is not None:
            rows = list(self._simple_order)  # the trace's own pre-order, filtered
        else:
            rows = []
            app = rows.append
            stack = list(reversed(top))
            pop, extend = stack.pop, stack.extend
            while stack:
                node = pop()
                app(node)
                if node in collapsed:
                    continue
                ch = kids[node] if node >= 0 else pkids[-1 - node]
                if ch:
                    extend(reversed(ch))
        only = self._only
        if only is not None:
            # Only the matches and their ancestors: the pre-order filtered keeps the tree; the
            # last child among what is left draws └.
            rows = [n for n in rows if n in only]
            up = self._up
            last = bytearray(self._last)
            seen: set[int | None] = set()
            for n in reversed(rows):
                parent = up[n] if n >= 0 else None
                if n >= 0:
                    last[n] = parent not in seen
                seen.add(parent)
            self._last_only: bytearray | None = last
        else:
            self._last_only = None
        self.rows = rows
        self._row_index: dict[int, int] | None = None
        self._scans = 0
        self.version += 1

    def __len__(self) -> int:
        return len(self.rows)

    # -- per row -------------------------------------------------------------------------------
    def node_at(self, row: int) -> int | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def pos_at(self, row: int) -> int | None:
        """The span position shown on a row (None for a placeholder or past the end)."""
        if 0 <= row < len(self.rows):
            node = self.rows[row]
            return node if node >= 0 else None
        return None

    def depth_of(self, row: int) -> int:
        node = self.rows[row]
        return self._node_depth(node)

    def _node_depth(self, node: int) -> int:
        """Visible depth of a node: 0 on top, placeholders' orphans at 1."""
        if node < 0:
            return 0
        if self._edepth is not None:
            return self._edepth[node]
        memo, up = self._depth_memo, self._up
        d = memo.get(node)
        if d is not None:
            return d
        chain: list[int] = []
        cur: int | None = node
        while cur is not None and cur >= 0 and cur not in memo:
            chain.append(cur)
            cur = up[cur]
        base = -1 if cur is None else 0 if cur < 0 else memo[cur]
        for k in reversed(chain):
            base += 1
            memo[k] = base
        return memo[node]

    def parent_row(self, row: int) -> int | None:
        node = self.rows[row]
        up = self._up[node] if node >= 0 else None
        return None if up is None else self.row_of(up)

    @staticmethod
    def is_placeholder(node: int) -> bool:
        return node < 0

    def missing_parent(self, node: int) -> str:
        """The parent id a placeholder stands for."""
        return self._ph_ids[-1 - node]

    def children(self, node: int) -> list[int]:
        """Effective children of a node (after hiding services), by start."""
        return self._kids[node] if node >= 0 else self._pkids[-1 - node]

    def has_children(self, node: int) -> bool:
        return bool(self.children(node))

    def is_collapsed(self, node: int) -> bool:
        return node in self._collapsed and self.has_children(node)

    def prefix(self, row: int, max_cells: int | None = None) -> str:
        """Tree guides and collapse marker for a row: `│ ├─▾ `; two cells per level.

        Only the levels that fit in `max_cells` are walked (deep chains stay cheap); when the
        guides are cut, the row's depth (1 = top level) comes first as a number: `23┊│ ├─▾ `.
        """
        node = self.rows[row]
        d = self._node_depth(node)
        if not self.has_children(node):
            marker = "─" if d else " "
        else:
            marker = "▸" if node in self._collapsed else "▾"
        last, up = self._last_only if self._last_only is not None else self._last, self._up
        tail = (("└─" if last[node] else "├─") if d else "") + marker + " "
        if d <= 1:
            out = tail
        else:
            levels = d - 1  # ancestor levels between the top level and this row
            room = levels if max_cells is None else max(0, (max_cells - len(tail)) // 2)
            take = min(levels, room)
            parts: list[str] = []
            cur = up[node]
            for _ in range(take):  # from the parent upwards
                parts.append("  " if last[cur] else "│ ")
                cur = up[cur]
            parts.reverse()
            out = "".join(parts) + tail
            if take < levels:
                # Too deep for every guide: the depth as a number, then the nearest guides.
                num = f"{d + 1}┊"
                out = num + out[len(num):] if len(out) > len(num) + len(tail) else num + tail
        if max_cells is not None and len(out) > max_cells:
            out = out[len(out) - max_cells:] if max_cells > 0 else ""
        return out

    # -- collapse state --------------------------------------------------------------------------
    def toggle(self, node: int) -> None:
        if node in self._collapsed:
            self.expand(node)
        else:
            self.collapse(node)

    def collapse(self, node: int) -> None:
        if node not in self._collapsed and self.has_children(node):
            self._collapsed.add(node)
            self._build_rows()

    def expand(self, node: int) -> None:
        if node in self._collapsed:
            self._collapsed.discard(node)
            self._build_rows()

    @property
    def collapsed(self) -> frozenset[int]:
        """Nodes whose subtrees are collapsed."""
        return frozenset(self._collapsed)

    def set_collapsed(self, nodes: set[int] | frozenset[int]) -> None:
        """Collapse exactly these nodes (unknown ones are ignored): restores a saved state."""
        n = len(self.trace.spans)
        keep = {x for x in nodes if (0 <= x < n) or (x < 0 and -1 - x < len(self._pkids))}
        if keep != self._collapsed:
            self._collapsed = keep
            self._build_rows()

    def collapse_all(self) -> None:
        self._collapsed = set(compress(range(len(self._kids)), self._kids))  # nodes with children
        self._collapsed.update(-1 - k for k, lst in enumerate(self._pkids) if lst)
        self._build_rows()

    def expand_all(self) -> None:
        self._collapsed = set()
        self._build_rows()

    def set_hidden_services(self, services: set[str] | frozenset[str]) -> None:
        hidden = frozenset(services)
        if hidden == self._hidden:
            return
        self._hidden = hidden
        self._build_structure()
        self._build_rows()

    def show_only(self, positions: set[int] | frozenset[int] | None) -> None:
        """Show only these spans and their ancestors (placeholders of orphans included);
        None shows everything again."""
        if positions is None:
            only = None
        else:
            only: set[int] = set()
            up = self._up
            for p in positions:
                cur: int | None = p
                while cur is not None and cur not in only:  # up to an ancestor already in
                    only.add(cur)
                    cur = up[cur] if cur >= 0 else None
        if only != self._only:
            self._only = only
            self._build_rows()

    @property
    def showing_only(self) -> bool:
        return self._only is not None

    @property
    def hidden_services(self) -> frozenset[str]:
        return self._hidden

    def is_shown(self, pos: int) -> bool:
        """Whether a span survives the service filter (it may still be inside a collapsed subtree)."""
        return self._shown is None or self._shown[pos]

    # -- finding rows ---------------------------------------------------------------------------
    def row_of(self, node: int) -> int | None:
        """The row showing a node, or None (hidden service, collapsed ancestor)."""
        index = self._row_index
        if index is not None:
            return index.get(node)
        # A few lookups after a change (keeping the cursor in place) scan the list in C; many
        # (stepping through matches) pay once for an index.
        self._scans += 1
        if self._scans <= 8:
            try:
                return self.rows.index(node)
            except ValueError:
                return None
        index = self._row_index = dict(zip(self.rows, range(len(self.rows)), strict=True))
        return index.get(node)

    def ancestors(self, node: int) -> list[int]:
        """Effective ancestors of a shown node, nearest first."""
        out: list[int] = []
        up = self._up
        cur = up[node] if node >= 0 else None
        while cur is not None:
            out.append(cur)
            cur = up[cur] if cur >= 0 else None
        return out

    def reveal(self, node: int) -> int | None:
        """Expand whatever hides a node and return its row (None if its service is hidden)."""
        row = self.row_of(node)
        if row is not None:
            return row
        if node >= 0 and not self.is_shown(node):
            return None
        changed = False
        for a in self.ancestors(node):
            if a in self._collapsed:
                self._collapsed.discard(a)
                changed = True
        if changed:
            self._build_rows()
        return self.row_of(node)

    def hidden_descendants(self, node: int) -> int:
        """How many shown spans lie below a node (what a collapsed node hides)."""
        if self._sizes is None:
            self._sizes = self._subtree_sizes()
        size, ph_size = self._sizes
        return size[node] if node >= 0 else ph_size[-1 - node]

    def _subtree_sizes(self) -> tuple[list[int], list[int]]:
        # Effective parents are ancestors in the trace, so the trace's pre-order read backwards
        # sees every node before its effective parent.
        size = [0] * len(self.trace.spans)
        ph_size = [0] * len(self._pkids)
        up, shown = self._up, self._shown
        for i in reversed(self.trace.order):
            if shown is not None and not shown[i]:
                continue
            a = up[i]
            if a is None:
                continue
            if a >= 0:
                size[a] += size[i] + 1
            else:
                ph_size[-1 - a] += size[i] + 1
        return size, ph_size
