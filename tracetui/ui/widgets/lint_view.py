"""The lint panel's rows (a `RowScrollView` over `LintPanelModel.rows`): groups, findings, spans.

Enter posts `LintView.Jump(trace_id, span_id)` for a finding or a span, and folds a group; space
folds the group of the row under the cursor."""

from __future__ import annotations

from collections.abc import Hashable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.lint import FINDING, GROUP, MORE, LintPanelModel, LintRow

_MARK = {"error": "✗", "warning": "!", "info": "i"}


class LintView(RowScrollView):
    BINDINGS: list[BindingType] = [
        Binding("enter", "jump", "Go to span", id="lint.jump"),
        Binding("space", "fold", "Fold", id="lint.fold"),
        *row_bindings("lint"),
    ]
    COMPONENT_CLASSES = {
        "lint-view--header", "lint-view--cursor", "lint-view--error", "lint-view--warning", "lint-view--info",
        "lint-view--group", "lint-view--muted",
    }
    DEFAULT_CSS = """
    LintView { background: $surface; scrollbar-gutter: stable; }
    LintView > .lint-view--header { background: $panel; color: $text; text-style: bold; }
    LintView > .lint-view--cursor { background: $surface-lighten-2; }
    LintView:focus > .lint-view--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    LintView > .lint-view--error { color: $error; text-style: bold; }
    LintView > .lint-view--warning { color: $warning; text-style: bold; }
    LintView > .lint-view--info { color: $accent; }
    LintView > .lint-view--group { text-style: bold; }
    LintView > .lint-view--muted { color: $text-muted; }
    """

    class Jump(Message):
        """Show this span (in its trace)."""

        def __init__(self, trace_id: str, span_id: str) -> None:
            super().__init__()
            self.trace_id, self.span_id = trace_id, span_id

    class Highlighted(Message):
        """The cursor is on `row`."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def __init__(self, model: LintPanelModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model

    def cursor_moved(self, old: int, new: int) -> None:
        self.post_message(self.Highlighted(new))

    def row_count(self) -> int:
        return len(self.model.rows)

    def row_key(self, row: int) -> Hashable:
        return self.model.rows[row]

    def render_header(self, y: int, width: int) -> Strip:
        m = self.model
        scope = f"trace {m.trace_id}" if m.trace_id else "all traces"
        text = f" Lint · {scope} · {m.summary()}   Enter: go to the span · space: fold · Esc: back"
        style = self.get_component_rich_style("lint-view--header")
        return Strip([Segment(fit(clean(text), width), style)])

    def render_below(self, line: int, width: int) -> Strip | None:
        if line == 1 and self.model.is_clean:
            style = self.rich_style + self.get_component_rich_style("lint-view--muted", partial=True)
            return Strip([Segment(fit("  Nothing found: the instrumentation looks sound here.", width), style)])
        return None

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        r: LintRow = self.model.rows[row]
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("lint-view--cursor")
        mark_style = base + self.get_component_rich_style(f"lint-view--{r.severity}", partial=True)
        muted = base + self.get_component_rich_style("lint-view--muted", partial=True)
        segs: list[Segment] = []
        if r.level == GROUP:
            fold = "▸" if r.kind in self.model.folded else "▾"
            segs.append(Segment(f"{fold} {_MARK[r.severity]} ", mark_style))
            segs.append(Segment(clean(r.text), base + self.get_component_rich_style("lint-view--group", partial=True)))
            extra = f"  {r.count:,}"
            if r.cost_ns:
                extra += f" · {fmt_duration(r.cost_ns)} of critical path"
            segs.append(Segment(extra, muted))
        elif r.level == FINDING:
            segs.append(Segment("    ", base))
            segs.append(Segment(clean(r.text), base))
        elif r.level == MORE:
            segs.append(Segment("        " + clean(r.text), muted))
        else:
            segs.append(Segment("        → ", muted))
            segs.append(Segment(clean(r.text), base))
        return _fit(segs, width, base)

    def action_jump(self) -> None:
        target = self.model.target(self.cursor)
        if target is None:
            self.action_fold()
            return
        self.post_message(self.Jump(*target))

    def action_fold(self) -> None:
        row = self.model.toggle(self.cursor)
        self.invalidate_rows()
        self.move_cursor(row)


def _fit(segs: list[Segment], width: int, style: Style) -> Strip:
    return Strip(segs).crop(0, width).adjust_cell_length(width, style)
