"""The service map as a picture: boxes for services, arrows for calls, laid out left to right.

A small Sugiyama-style layout, computed without Textual so that the widget and `tracetui map`
draw the same picture:

1. cycles (A calls B calls A) are broken by a depth-first walk: an edge that closes one is laid
   out reversed and drawn with its arrow pointing back (◀);
2. layers by call depth: a service sits one column right of its deepest caller (longest path);
3. an edge spanning several columns gets a dummy point in each column it crosses, so every
   piece joins neighbouring columns;
4. crossings are reduced by barycentre sweeps (each column ordered by the mean position of its
   neighbours, left to right then right to left, a few times);
5. each box is as tall as its ports (one line per edge in or out), columns are stacked and
   centred; between two columns each piece that changes line gets its own vertical channel, the
   channels ordered so that no two horizontal runs share a line; the numbers of an edge are
   written on its last run, just before the arrow head.

The result is a grid of cells (`GraphPicture`): a character and a tag per cell (`node:I`,
`edge:I`, or ""), so the widget styles the selected edge and `render_plain` prints it as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.cells import cell_len

from tracetui.analysis.service_map import Edge, ServiceMap
from tracetui.model.text import clean
from tracetui.render.units import fmt_duration
from tracetui.viewmodels.cells import clip, fit

MAX_NAME = 28
SWEEPS = 4

# Box-drawing characters by the directions a line leaves a cell: up, down, left, right.
_U, _D, _L, _R = 1, 2, 4, 8
_LINES = {
    0: " ", _L | _R: "─", _L: "─", _R: "─", _U | _D: "│", _U: "│", _D: "│",
    _D | _R: "┌", _D | _L: "┐", _U | _R: "└", _U | _L: "┘",
    _U | _D | _R: "├", _U | _D | _L: "┤", _L | _R | _D: "┬", _L | _R | _U: "┴", _U | _D | _L | _R: "┼",
}


def edge_label(e: Edge) -> str:
    """The numbers written on an edge: calls, p50·p99, error rate (when any), share of the critical path."""
    text = f"{e.calls}× {fmt_duration(e.p50_ns)}·{fmt_duration(e.p99_ns)}"
    if e.errors:
        text += f" ✗{_pct(e.error_rate)}"
    if e.critical_share >= 0.005:
        text += f" cp{_pct(e.critical_share)}"
    return text


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%" if x >= 0.095 or x == 0 else f"{x * 100:.1f}%"


LEGEND = "calls× p50·p99  ✗ error rate  cp share of critical-path time  ◀ a call back to the left"


@dataclass
class _Item:
    """A box (a service) or a dummy point of a long edge, in one column."""

    node: int  # index into services, or -1 for a dummy
    layer: int
    width: int = 0
    height: int = 1
    y: int = 0
    ins: list[int] = field(default_factory=list)   # pieces arriving (indexes into pieces)
    outs: list[int] = field(default_factory=list)  # pieces leaving
    order: float = 0.0


@dataclass
class _Piece:
    """One piece of an edge, between neighbouring columns."""

    edge: int
    src: int  # item indexes
    dst: int
    first: bool
    last: bool
    src_row: int = 0
    dst_row: int = 0


@dataclass
class GraphPicture:
    width: int
    height: int
    chars: list[list[str]]
    tags: list[list[str]]
    edges: list[Edge]                           # in reading order (by column, then line)
    label_at: dict[int, tuple[int, int]]        # edge index -> (x, y) of its numbers
    node_at: dict[str, tuple[int, int, int, int]]  # service -> (x, y, width, height)

    def line(self, y: int) -> list[tuple[str, str]]:
        """Row y as runs of (text, tag)."""
        out: list[tuple[str, str]] = []
        chars, tags = self.chars[y], self.tags[y]
        start = 0
        for x in range(1, self.width + 1):
            if x == self.width or tags[x] != tags[start]:
                out.append(("".join(chars[start:x]), tags[start]))
                start = x
        return out

    def edge_index_at(self, x: int, y: int) -> int | None:
        if 0 <= y < self.height and 0 <= x < self.width:
            tag = self.tags[y][x]
            if tag.startswith("edge:"):
                return int(tag[5:])
        return None


def render_plain(picture: GraphPicture) -> list[str]:
    return ["".join(row).rstrip() for row in picture.chars]


def layout(smap: ServiceMap, label: Callable[[Edge], str] = edge_label) -> GraphPicture:
    """Lay out the services and edges of `smap` (services without edges included, in column 0)."""
    names = list(smap.services)
    if smap.focus is not None and not names and smap.focus:
        names = [smap.focus]
    index = {s: i for i, s in enumerate(names)}
    for e in smap.edges:
        for s in e.key:
            if s not in index:
                index[s] = len(names)
                names.append(s)
    n = len(names)
    pairs = [(index[e.caller], index[e.callee]) for e in smap.edges]
    reversed_ = _back_edges(n, pairs)
    dag = [(b, a) if reversed_[k] else (a, b) for k, (a, b) in enumerate(pairs)]
    layer = _layers(n, dag)

    items = [_Item(i, layer[i]) for i in range(n)]
    pieces: list[_Piece] = []
    for k, (a, b) in enumerate(dag):
        chain = [a]
        for lay in range(layer[a] + 1, layer[b]):
            items.append(_Item(-1, lay))
            chain.append(len(items) - 1)
        chain.append(b)
        for j in range(len(chain) - 1):
            pieces.append(_Piece(k, chain[j], chain[j + 1], j == 0, j == len(chain) - 2))
            items[chain[j]].outs.append(len(pieces) - 1)
            items[chain[j + 1]].ins.append(len(pieces) - 1)

    ncols = max((it.layer for it in items), default=0) + 1
    columns: list[list[int]] = [[] for _ in range(ncols)]
    for i, it in enumerate(items):
        columns[it.layer].append(i)
    _order(columns, items, pieces)

    labels = {k: label(e) for k, e in enumerate(smap.edges)}
    return _draw(names, items, pieces, columns, smap, reversed_, labels, smap.focus)


def _back_edges(n: int, pairs: list[tuple[int, int]]) -> list[bool]:
    """Edges that close a cycle in a depth-first walk (from the services no one calls first)."""
    out_edges: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    indeg = [0] * n
    for k, (a, b) in enumerate(pairs):
        out_edges[a].append((b, k))
        indeg[b] += 1
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    back = [False] * len(pairs)
    starts = [v for v in range(n) if indeg[v] == 0] + list(range(n))
    for s in starts:
        if state[s]:
            continue
        state[s] = 1
        stack = [(s, iter(out_edges[s]))]
        while stack:
            v, it = stack[-1]
            for w, k in it:
                if state[w] == 1:
                    back[k] = True
                elif state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(out_edges[w])))
                    break
            else:
                state[v] = 2
                stack.pop()
    return back


def _layers(n: int, dag: list[tuple[int, int]]) -> list[int]:
    """Longest path from a service no one calls (Kahn's order)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for a, b in dag:
        succ[a].append(b)
        indeg[b] += 1
    layer = [0] * n
    queue = [v for v in range(n) if indeg[v] == 0]
    while queue:
        v = queue.pop()
        for w in succ[v]:
            layer[w] = max(layer[w], layer[v] + 1)
            indeg[w] -= 1
            if indeg[w] == 0:
                queue.append(w)
    return layer


def _order(columns: list[list[int]], items: list[_Item], pieces: list[_Piece]) -> None:
    """Order each column by the barycentre of its neighbours, sweeping both ways."""
    for col in columns:
        for pos, i in enumerate(col):
            items[i].order = pos

    def sweep(col: list[int], neighbours: Callable[[_Item], list[int]]) -> None:
        for i in col:
            ns = neighbours(items[i])
            if ns:
                items[i].order = sum(items[j].order for j in ns) / len(ns)
        col.sort(key=lambda i: items[i].order)
        for pos, i in enumerate(col):
            items[i].order = pos

    for _ in range(SWEEPS):
        for col in columns[1:]:
            sweep(col, lambda it: [pieces[p].src for p in it.ins])
        for col in reversed(columns[:-1]):
            sweep(col, lambda it: [pieces[p].dst for p in it.outs])


def _draw(names: list[str], items: list[_Item], pieces: list[_Piece], columns: list[list[int]],
          smap: ServiceMap, reversed_: list[bool], labels: dict[int, str], focus: str | None) -> GraphPicture:
    # Column widths and item heights.
    widths = []
    for col in columns:
        w = 3
        for i in col:
            it = items[i]
            if it.node >= 0:
                w = max(w, min(cell_len(clean(names[it.node])), MAX_NAME) + 4)
        widths.append(w)
    for col, w in zip(columns, widths, strict=True):
        for i in col:
            it = items[i]
            it.width = w
            it.height = 2 + max(1, len(it.ins), len(it.outs)) if it.node >= 0 else 1
    heights = [sum(items[i].height for i in col) + max(0, len(col) - 1) for col in columns]
    total_h = max(heights, default=0)
    for col, h in zip(columns, heights, strict=True):
        y = (total_h - h) // 2
        for i in col:
            items[i].y = y
            y += items[i].height + 1

    # Ports: pieces in and out of a box each get a line of its inside, in the order of the other end.
    for it in items:
        inner = it.y + 1 if it.node >= 0 else it.y
        for k, p in enumerate(sorted(it.ins, key=lambda p: items[pieces[p].src].y)):
            pieces[p].dst_row = inner + k
        for k, p in enumerate(sorted(it.outs, key=lambda p: items[pieces[p].dst].y)):
            pieces[p].src_row = inner + k

    # Gaps: channels for pieces that change line, then room for the numbers, then the arrow.
    gap_pieces: list[list[int]] = [[] for _ in columns]
    for p, pc in enumerate(pieces):
        gap_pieces[items[pc.src].layer].append(p)
    gap_channels: list[list[int]] = []
    gap_label: list[int] = []
    for ps in gap_pieces:
        gap_channels.append(_channel_order([pieces[p] for p in ps], ps))
        gap_label.append(max((len(labels[pieces[p].edge]) for p in ps if _labelled(pieces[p], reversed_)),
                             default=0))
    xs = []
    x = 0
    for k, w in enumerate(widths):
        xs.append(x)
        chans = len(gap_channels[k])
        gap = 2 + 2 * chans + (gap_label[k] + 2 if gap_label[k] else 0) + 2 if k < len(widths) - 1 else 0
        x += w + gap
    width = max(x, 1)
    height = max(total_h, 1)
    grid = _Grid(width, height)

    # Edges first (boxes are drawn over their ends).
    ordered_edges = sorted(range(len(smap.edges)), key=lambda k: _edge_sort_key(k, pieces, items))
    label_at: dict[int, tuple[int, int]] = {}
    for k, ps in enumerate(gap_pieces):
        if not ps:
            continue
        x0 = xs[k] + widths[k]          # first cell after the column
        x1 = xs[k + 1] - 1              # last cell before the next column
        chan_x = {p: x0 + 2 + 2 * j for j, p in enumerate(gap_channels[k])}
        label_x = x0 + 2 + 2 * len(gap_channels[k]) + 1
        for p in ps:
            pc = pieces[p]
            tag = f"edge:{pc.edge}"
            rs, rt = pc.src_row, pc.dst_row
            if rs == rt:
                grid.hline(rs, x0, x1, tag)
            else:
                cx = chan_x[p]
                grid.hline(rs, x0, cx, tag)
                grid.vline(cx, rs, rt, tag)
                grid.hline(rt, cx, x1, tag)
            if pc.first and reversed_[pc.edge]:
                grid.text(x0, rs, "◀", tag)
            if pc.last and not reversed_[pc.edge]:
                grid.text(x1, rt, "▶", tag)
            if _labelled(pc, reversed_):
                text = labels[pc.edge]
                grid.text(label_x, rt, " " + text + " ", tag)
                label_at[pc.edge] = (label_x, rt)
        # Lines through dummy points.
    for k, col in enumerate(columns):
        for i in col:
            it = items[i]
            if it.node < 0:
                tag = f"edge:{pieces[it.ins[0]].edge}"
                grid.hline(it.y, xs[k] - 1, xs[k] + widths[k], tag)

    node_at: dict[str, tuple[int, int, int, int]] = {}
    for k, col in enumerate(columns):
        for i in col:
            it = items[i]
            if it.node < 0:
                continue
            name = names[it.node]
            tag = "focus" if name == focus else "node"
            grid.box(xs[k], it.y, it.width, it.height, fit(clip(clean(name), MAX_NAME), it.width - 4), f"{tag}:{it.node}")
            node_at[name] = (xs[k], it.y, it.width, it.height)

    edges_in_order = ordered_edges
    remap = {old: new for new, old in enumerate(edges_in_order)}
    grid.retag(remap)
    return GraphPicture(width, height, grid.render(), grid.tags, [smap.edges[k] for k in edges_in_order],
                        {remap[k]: v for k, v in label_at.items()}, node_at)


def _labelled(pc: _Piece, reversed_: list[bool]) -> bool:
    """The numbers go on the piece that ends at the arrow head: the last piece, or the first of a reversed edge."""
    return pc.first if reversed_[pc.edge] else pc.last


def _edge_sort_key(k: int, pieces: list[_Piece], items: list[_Item]) -> tuple[int, int]:
    for pc in pieces:
        if pc.edge == k and pc.first:
            return (items[pc.src].layer, pc.src_row)
    return (0, 0)


def _channel_order(ps: list[_Piece], ids: list[int]) -> list[int]:
    """Channels (left to right) for the pieces of one gap that change line.

    A piece's run from its box to its channel and another's run from its channel to its target
    share a line when the first starts where the second ends; the first must then turn before
    the second does (be left of it). Ordered by that (Kahn's), ties by where they start."""
    turning = [(p, pc) for p, pc in zip(ids, ps, strict=True) if pc.src_row != pc.dst_row]
    by_dst = {}
    for p, pc in turning:
        by_dst.setdefault(pc.dst_row, []).append(p)
    after: dict[int, list[int]] = {p: [] for p, _ in turning}
    need = {p: 0 for p, _ in turning}
    for p, pc in turning:
        for q in by_dst.get(pc.src_row, ()):
            if q != p:
                after[p].append(q)
                need[q] += 1
    start = {p: pc.src_row for p, pc in turning}
    ready = sorted((p for p in need if need[p] == 0), key=start.__getitem__)
    out: list[int] = []
    left = set(need)
    while left:
        if not ready:  # a cycle (A's line is B's target and back): take the earliest, accept one overlap
            ready = [min(left, key=start.__getitem__)]
        p = ready.pop(0)
        if p not in left:
            continue
        left.discard(p)
        out.append(p)
        for q in after[p]:
            need[q] -= 1
            if need[q] == 0 and q in left:
                ready.append(q)
        ready.sort(key=start.__getitem__)
    return out


class _Grid:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.bits = [[0] * width for _ in range(height)]
        self.over: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.tags = [[""] * width for _ in range(height)]

    def _line(self, x: int, y: int, bits: int, tag: str) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.bits[y][x] |= bits
            if not self.tags[y][x].startswith(("node", "focus")):
                self.tags[y][x] = tag

    def hline(self, y: int, x0: int, x1: int, tag: str) -> None:
        if x0 > x1:
            x0, x1 = x1, x0
        for x in range(x0, x1 + 1):
            self._line(x, y, (_L if x > x0 else 0) | (_R if x < x1 else 0) or (_L | _R), tag)

    def vline(self, x: int, y0: int, y1: int, tag: str) -> None:
        down = y1 > y0
        lo, hi = min(y0, y1), max(y0, y1)
        for y in range(lo, hi + 1):
            bits = (_U if y > lo else 0) | (_D if y < hi else 0)
            if y == y0:
                bits |= _L
            if y == y1:
                bits |= _R
            self._line(x, y, bits, tag)
        del down

    def text(self, x: int, y: int, text: str, tag: str) -> None:
        """Characters from (x, y); a wide character takes two cells (the second holds "")."""
        if not 0 <= y < self.height:
            return
        over, tags = self.over[y], self.tags[y]
        for ch in text:
            cells = (ch,) if ch.isascii() or cell_len(ch) == 1 else (ch, "")
            for c in cells:
                if 0 <= x < self.width:
                    over[x] = c
                    tags[x] = tag
                x += 1

    def box(self, x: int, y: int, w: int, h: int, name: str, tag: str) -> None:
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                self.bits[yy][xx] = 0
                self.over[yy][xx] = " "
                self.tags[yy][xx] = tag
        self.text(x, y, "╭" + "─" * (w - 2) + "╮", tag)
        self.text(x, y + h - 1, "╰" + "─" * (w - 2) + "╯", tag)
        for yy in range(y + 1, y + h - 1):
            self.text(x, yy, "│", tag)
            self.text(x + w - 1, yy, "│", tag)
        self.text(x + 2, y + 1, name, tag)

    def retag(self, remap: dict[int, int]) -> None:
        for row in self.tags:
            for x, tag in enumerate(row):
                if tag.startswith("edge:"):
                    row[x] = f"edge:{remap[int(tag[5:])]}"

    def render(self) -> list[list[str]]:
        out = []
        for brow, orow in zip(self.bits, self.over, strict=True):
            out.append([o if o is not None else _LINES.get(b, "┼") for b, o in zip(brow, orow, strict=True)])
        return out
