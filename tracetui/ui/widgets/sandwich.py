"""The sandwich table under the flame graph: operations by total, self and critical-path time
(`OperationTable`), and the callers and callees of the one under the cursor (`CallsTable`).
Both are `RowScrollView`s over a `viewmodels.sandwich.SandwichModel`."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.palette import service_color
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.sandwich import SandwichModel

NUM_W = 9


def _in_colour(app: App, model: SandwichModel, frame: str, base: Style) -> Style:
    """`base` in the colour of the frame's service (the waterfall's)."""
    return base + Style(color=service_color(app, model.service(frame)))


class OperationTable(RowScrollView):
    """One row per operation: total, self, critical path, calls, name."""

    HELP_TITLE = "Sandwich (t)"

    BINDINGS: ClassVar[list[BindingType]] = [
        *row_bindings("sandwich"),
        Binding("enter", "pick", "Show in flame", id="sandwich.pick"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"sandwich--header", "sandwich--cursor"}
    DEFAULT_CSS = """
    OperationTable {
        & > .sandwich--header { background: $panel; color: $text; text-style: bold; }
        & > .sandwich--cursor { background: $block-cursor-blurred-background; }
        &:focus > .sandwich--cursor { background: $block-cursor-background 60%; }
    }
    """

    @dataclass
    class OperationHighlighted(Message):
        row: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, OperationTable.OperationHighlighted)

    @dataclass
    class OperationPicked(Message):
        """Enter: select the operation's longest span."""

        pos: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model: SandwichModel | None = None

    def show(self, model: SandwichModel) -> None:
        self.model = model
        self.invalidate_rows()
        self.move_cursor(0)

    def row_count(self) -> int:
        return len(self.model) if self.model is not None else 0

    def row_key(self, row: int) -> Hashable:
        return id(self.model)

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("sandwich--header")
        text = f"{'total':>{NUM_W}} {'self':>{NUM_W}} {'crit.path':>{NUM_W}} {'calls':>6}  operation"
        return Strip([Segment(fit(text, width), style)])

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        assert self.model is not None
        op = self.model.ops[row]
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("sandwich--cursor")
        nums = (f"{fmt_duration(op.total_ns):>{NUM_W}} {fmt_duration(op.self_ns):>{NUM_W}} "
                f"{fmt_duration(op.cp_ns):>{NUM_W}} {op.count:>6}  ")
        name = fit(clean(op.frame, 300), max(0, width - len(nums)))
        return Strip([Segment(nums, base), Segment(name, _in_colour(self.app, self.model, op.frame, base))]).adjust_cell_length(width, base)

    def cursor_moved(self, old: int, new: int) -> None:
        self.post_message(self.OperationHighlighted(new))

    def action_pick(self) -> None:
        if self.model is not None and len(self.model):
            self.post_message(self.OperationPicked(self.model.longest_span(self.cursor)))

    def select_pos(self, pos: int) -> None:
        """Put the cursor on the operation of span `pos`."""
        if self.model is not None:
            row = self.model.row_of_pos(pos)
            if row is not None:
                self.move_cursor(row)


class CallsTable(RowScrollView):
    """The callers of one operation, the operation, its callees: calls and time."""

    HELP_TITLE = "Callers, callees"

    SHOW_CURSOR = False
    BINDINGS: ClassVar[list[BindingType]] = row_bindings("calls")
    COMPONENT_CLASSES: ClassVar[set[str]] = {"calls--header", "calls--muted", "calls--self"}
    DEFAULT_CSS = """
    CallsTable {
        & > .calls--header { background: $panel; color: $text; text-style: bold; }
        & > .calls--muted { color: $text-muted; }
        & > .calls--self { text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model: SandwichModel | None = None
        self.row = 0
        self._lines: list = []

    def show(self, model: SandwichModel, row: int) -> None:
        self.model, self.row = model, row
        self._lines = model.calls(row) if len(model) else []
        self.invalidate_rows()

    def row_count(self) -> int:
        return len(self._lines)

    def row_key(self, row: int) -> Hashable:
        return (id(self.model), self.row)

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("calls--header")
        text = f"{'time':>{NUM_W}} {'calls':>6}  callers ▲ · callees ▼"
        return Strip([Segment(fit(text, width), style)])

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        line = self._lines[row]
        assert self.model is not None
        base = self.rich_style
        mark = {"caller": "▲ ", "self": "● ", "callee": "▼ "}[line.kind]
        style = base + self.get_component_rich_style("calls--self") if line.kind == "self" else base
        nums = f"{fmt_duration(line.ns):>{NUM_W}} {line.calls:>6}  "
        muted = base + self.get_component_rich_style("calls--muted")
        name = fit(clean(line.frame, 300), max(0, width - len(nums) - 2))
        return Strip([Segment(nums, style), Segment(mark, muted),
                      Segment(name, _in_colour(self.app, self.model, line.frame, style))]).adjust_cell_length(width, base)
