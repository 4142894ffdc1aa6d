"""Command palette: open a trace by id (or root service / span name)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tracetui.render.text import clean
from tracetui.render.units import count, fmt_duration
from tracetui.ui.typed_app import tui_app

MAX_HITS = 50


class TraceCommands(Provider):
    """`Open trace …`: type part of a trace id, a root service or a span name."""

    async def discover(self) -> Hits:
        app = tui_app(self.app)
        for s in app.index.rows[:10]:
            yield DiscoveryHit(
                Content(f"Open trace {s.trace_id[:16]}  {clean(s.root_service, 30)}: {clean(s.root_name, 40)}"),
                partial(app.open_trace, s.trace_id),
                help=f"{fmt_duration(s.duration_ns)}, {count(s.span_count, 'span')}",
            )

    async def search(self, query: str) -> Hits:
        app = tui_app(self.app)
        q = query.strip().lower()
        if q.startswith("open trace"):
            q = q[len("open trace"):].strip()
        if not q:
            return
        found = 0
        for s in app.index.rows:
            text = f"{s.trace_id} {s.root_service} {s.root_name}".lower()
            if q not in text:
                continue
            label = f"Open trace {s.trace_id[:16]}  {clean(s.root_service, 30)}: {clean(s.root_name, 40)}"
            score = 1.0 if s.trace_id.startswith(q) else 0.6
            yield Hit(score, Content(label), partial(app.open_trace, s.trace_id),
                      text=label, help=f"{fmt_duration(s.duration_ns)}, {count(s.span_count, 'span')}")
            found += 1
            if found >= MAX_HITS:
                return
        if not found and len(q) >= 4 and all(c in "0123456789abcdef" for c in q):
            # An id that matches nothing: say so, rather than an empty list.
            note = f"No loaded trace id contains {clean(q, 40)} ({count(len(app.index.rows), 'trace')} listed)"
            yield Hit(0.5, Content(note), partial(app.notify, note, severity="warning", markup=False), text=note)
