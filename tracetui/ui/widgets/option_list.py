"""OptionList whose up and down stop at the ends instead of wrapping around: `j` held on the
last line of the detail pane must not jump to its top."""

from __future__ import annotations

from textual.widgets import OptionList


class StopAtEndsOptionList(OptionList):
    def _step(self, direction: int) -> None:
        count = self.option_count
        at = self.highlighted
        if at is None:
            if count:
                self.action_first()
            return
        i = at + direction
        while 0 <= i < count and self.get_option_at_index(i).disabled:
            i += direction
        if 0 <= i < count:
            self.highlighted = i

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._step(1)
