"""The comparison's operations and attributes tables: row views over the analysis's rows
(`tracetui.analysis.compare`), cells from `tracetui.viewmodels.compare`. Enter posts `Chosen`."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.analysis.compare import AttributeRow, OperationRow
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.compare import (
    Column,
    attribute_cells,
    attribute_columns,
    operation_cells,
    operation_columns,
    row_text,
)

R = TypeVar("R")


class CompareTable(RowScrollView, Generic[R]):
    COMPONENT_CLASSES = {"compare-table--header", "compare-table--cursor", "compare-table--muted",
                         "compare-table--more", "compare-table--less"}
    DEFAULT_CSS = """
    CompareTable { height: 1fr; overflow-x: hidden; }
    CompareTable > .compare-table--header { background: $panel; color: $text; text-style: bold; }
    CompareTable > .compare-table--cursor { background: $surface-lighten-2; }
    CompareTable:focus > .compare-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    CompareTable > .compare-table--muted { color: $text-muted; }
    CompareTable > .compare-table--more { color: $warning; text-style: bold; }
    CompareTable > .compare-table--less { color: $success; }
    """
    EMPTY = "Computing…"

    class Chosen(Message):
        """Enter on a row: `row` is an OperationRow or an AttributeRow."""

        def __init__(self, table: CompareTable, row: object) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> CompareTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[R] = []
        self.empty_text = self.EMPTY
        self._cols: tuple[int, list[Column]] = (-1, [])

    def set_rows(self, rows: Sequence[R], empty_text: str = "") -> None:
        self.rows = rows
        self.empty_text = empty_text or self.EMPTY
        self.invalidate_rows()
        self.move_cursor(0 if rows else 0)

    @property
    def current(self) -> R | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def action_choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(self, row))

    def columns(self, width: int) -> list[Column]:
        raise NotImplementedError

    def cells(self, row: R, columns: int) -> list[str]:
        raise NotImplementedError

    def emphasis(self, row: R) -> str:
        """The component class of the row's key figure: more in the selection, less, or none."""
        return ""

    def _layout(self, width: int) -> list[Column]:
        if self._cols[0] != width:
            self._cols = (width, self.columns(width - 1))
        return self._cols[1]

    def row_count(self) -> int:
        return len(self.rows)

    def row_key(self, row: int) -> Hashable:
        return id(self.rows[row])

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("compare-table--header")
        cols = self._layout(width)
        text = " ".join(row_text([c.title for c in cols], cols))
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def render_below(self, line: int, width: int) -> Strip | None:
        if line == 0 and not self.rows:
            style = self.rich_style + Style(color=self.get_component_rich_style("compare-table--muted").color)
            return Strip([Segment("  " + self.empty_text, style)]).adjust_cell_length(width, self.rich_style)
        return None

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        r = self.rows[row]
        cols = self._layout(width)
        texts = row_text(self.cells(r, len(cols)), cols)
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("compare-table--cursor")
        mark = self.emphasis(r)
        segs: list[Segment] = []
        for i, text in enumerate(texts):
            style = base
            if mark and i in self.EMPHASIS_COLUMNS and not selected:
                full = self.get_component_rich_style(mark)
                style = base + Style(color=full.color, bold=full.bold)
            segs.append(Segment(text, style))
            segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)

    EMPHASIS_COLUMNS: tuple[int, ...] = ()


class OperationsTable(CompareTable[OperationRow]):
    """Operations, the largest difference in critical-path time first."""

    BINDINGS: list[BindingType] = [Binding("enter", "choose", "Traces with it", id="compare.ops_choose"),
                                   *row_bindings("compare_ops")]
    EMPHASIS_COLUMNS = (4,)

    def columns(self, width: int) -> list[Column]:
        return operation_columns(width)

    def cells(self, row: OperationRow, columns: int) -> list[str]:
        return operation_cells(row, columns)

    def emphasis(self, row: OperationRow) -> str:
        if row.delta_cp_ns > 0:
            return "compare-table--more"
        return "compare-table--less" if row.delta_cp_ns < 0 else ""


class AttributesTable(CompareTable[AttributeRow]):
    """Attribute values, those that pass the test first, by difference."""

    BINDINGS: list[BindingType] = [Binding("enter", "choose", "Traces with it", id="compare.attrs_choose"),
                                   *row_bindings("compare_attrs")]
    EMPHASIS_COLUMNS = (1, 4)

    def columns(self, width: int) -> list[Column]:
        return attribute_columns(width)

    def cells(self, row: AttributeRow, columns: int) -> list[str]:
        return attribute_cells(row, columns)

    def emphasis(self, row: AttributeRow) -> str:
        if not row.passes:
            return "compare-table--muted"
        return "compare-table--more" if row.delta > 0 else "compare-table--less"
