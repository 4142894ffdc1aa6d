"""The critical path of many traces (CRISP): a flame graph of the traces of one root operation.

Widths are the mean per trace of each call path's time on the critical path itself, over a window
of percentiles of duration (`1`–`4`: P0–50, P0–95, P0–99, P0–100; `w`: any A-B). `x` switches to
a diff (the tail P95–100 against P0–50; the comparison's selection against its baseline; the
last source against the first) where frames are red for what grew and blue for what shrank. `r`
picks the root operation. Beside the graph: the largest changes (diff) and the top call paths
at P50, P95 and P99. The traces are profiled in a thread worker (progress in the title); the
analysis is `analysis/crisp.py`, what is shown `viewmodels/crisp_view.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from tracetui.analysis.call_paths import CallPaths
from tracetui.analysis.crisp import (
    Crisp,
    WindowError,
    parse_window,
    profiles,
    root_operations,
    traces_of_root,
)
from tracetui.model.trace import Trace
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.screens.ask import AskScreen, PickScreen
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.icicle import IcicleView
from tracetui.viewmodels.cells import clip
from tracetui.viewmodels.crisp_view import CrispModel

SIDE_NAME = 30  # cells for a frame's name in the side panel
MODE_NAMES = {"window": "one window", "windows": "P95–100 against P0–50",
              "groups": "selection against baseline", "sources": "last source against first"}


class CrispScreen(TraceTuiScreen):
    """CRISP for one root operation. Esc zooms out, then goes back to the list."""

    HELP_TITLE = "Critical path of many traces (CRISP)"
    AUTO_FOCUS = "#crisp-flame"
    BINDINGS: list[BindingType] = [
        Binding("escape", "back", "Back", id="crisp.back"),
        Binding("1", "preset(0)", "P0–50", id="crisp.p50"),
        Binding("2", "preset(1)", "P0–95", id="crisp.p95"),
        Binding("3", "preset(2)", "P0–99", id="crisp.p99"),
        Binding("4", "preset(3)", "P0–100", id="crisp.p100"),
        Binding("w", "custom_window", "Window…", id="crisp.window"),
        Binding("x", "cycle_diff", "Diff", tooltip="Switch between one window and the diffs", id="crisp.diff"),
        Binding("r", "pick_root", "Root…", id="crisp.root"),
        Binding("u", "update", "Update", show=False, id="crisp.update"),
    ]

    def __init__(self, root: str | None = None,
                 groups: tuple[Collection[str], Collection[str]] | None = None) -> None:
        super().__init__()
        self.root = root
        self.groups = groups
        self.model: CrispModel | None = None
        self._progress = ""
        self._stale = False  # spans arrived since the traces were profiled

    def compose(self) -> ComposeResult:
        yield Static("", id="crisp-title", markup=False)
        with Horizontal(id="crisp-body"):
            yield IcicleView(id="crisp-flame", empty_text="Profiling the traces…")
            with VerticalScroll(id="crisp-side"):
                yield Static("", id="crisp-tops", markup=False)
        yield Static("", id="crisp-detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._start()

    @property
    def flame(self) -> IcicleView:
        return self.query_one(IcicleView)

    # -- profiling, off the event loop --------------------------------------------------------
    def _start(self) -> None:
        """Profile the traces of the root operation in a thread worker (a copy of their spans:
        the store stays the app thread's)."""
        root, group = traces_of_root(self.app.store, self.root)
        self.root = root
        if root is None:
            self._progress = "no traces loaded"
            self.flame.empty_text = "No traces loaded."
            self.flame.invalidate_rows()
            self._update_title()
            return
        snapshot = [Trace(t.trace_id, list(t.spans), adjust_skew=False) for t in group]  # spans as shown
        self._stale = False
        self._progress = f"profiling {len(snapshot):,} traces…"
        self._update_title()
        self._profile(snapshot, root)

    @work(thread=True, exclusive=True, group="crisp", exit_on_error=False)
    def _profile(self, snapshot: list[Trace], root: str) -> None:
        worker = get_current_worker()
        paths = CallPaths()

        def progress(done: int, total: int) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_progress, done, total)

        profs = profiles(snapshot, paths, progress)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._profiled, Crisp(paths, root, profs))

    def _show_progress(self, done: int, total: int) -> None:
        self._progress = f"profiling {done:,} of {total:,} traces…"
        self._update_title()

    def _profiled(self, crisp: Crisp) -> None:
        store = self.app.store
        old = self.model
        sources = [(s, {t.trace_id for t in store.traces_from(s)}) for s in store.sources()]
        self.model = CrispModel(crisp, groups=self.groups, sources=sources)
        if old is not None:  # a new root keeps the way it was cut
            self.model.window, self.model.body, self.model.tail = old.window, old.body, old.tail
            self.model.set_mode(old.mode)
        self._progress = ""
        self._redraw(keep=False)

    # -- drawing --------------------------------------------------------------------------------
    def _redraw(self, keep: bool = True) -> None:
        if self.model is None:
            return
        self.flame.empty_text = "No critical-path time in these traces."
        self.flame.show(self.model.flame(), keep=keep)
        self._update_title()
        self._update_side()
        self._update_detail(self.flame.selected_node)

    def _update_title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("CRISP", style="bold")
        text.append("  ·  ")
        text.append(clean(self.root or "", 80), style=theme_style(self.app, "text-accent", bold=True))
        if self._progress:
            text.append(f"  ·  {self._progress}")
        elif self.model is not None:
            text.append(f"  ·  {self.model.title()}")
        if self._stale:
            text.append("  ·  new spans arrived: u profiles again", style=theme_style(self.app, "warning"))
        self.query_one("#crisp-title", Static).update(text)

    def _update_side(self) -> None:
        model = self.model
        if model is None:
            return
        paths = model.crisp.paths
        bold = theme_style(self.app, "text-accent", bold=True)
        muted = theme_style(self.app, "text-muted")
        text = Text(no_wrap=True, overflow="ellipsis")
        changes = model.changes()
        if model.is_diff:
            a, b = model.sides()  # type: ignore[misc]
            text.append("Largest changes, B − A\n", style=bold)
            text.append(f" A {clip(clean(a.name), 30)} ({len(a.profiles):,})\n B {clip(clean(b.name), 30)} "
                        f"({len(b.profiles):,})\n", style=muted)
            if not changes:
                text.append("  none\n", style=muted)
            for d in changes:
                sign = "+" if d.delta_ns > 0 else "−"
                style = theme_style(self.app, "error" if d.delta_ns > 0 else "primary")
                text.append(f"{sign}{fmt_duration(abs(d.delta_ns)):>8} ", style=style)
                text.append(clip(clean(paths.frame[d.path]), SIDE_NAME) + "\n")
            text.append("\n")
        text.append("Top call paths by critical-path time\n", style=bold)
        for pct, top in model.tops():
            text.append(f" P{pct}\n", style=bold)
            if not top:
                text.append("  none\n", style=muted)
            for pid, ns in top:
                text.append(f"{fmt_duration(ns):>9} ", style=muted)
                text.append(clip(clean(paths.frame[pid]), SIDE_NAME) + "\n")
        self.query_one("#crisp-tops", Static).update(text)

    def _update_detail(self, node: int | None) -> None:
        detail = self.query_one("#crisp-detail", Static)
        if self.model is None or node is None:
            detail.update("")
            return
        tree = self.flame.icicle.tree
        frames = self.model.crisp.paths.frames(tree.key[node])
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" › ".join(clean(f, 60) for f in frames[-4:]) if len(frames) <= 4
                    else "… › " + " › ".join(clean(f, 60) for f in frames[-4:]), style="bold")
        whole = tree.grand_total or 1.0
        text.append(f"\nown {fmt_duration(tree.own[node])} · with callees {fmt_duration(tree.total[node])} "
                    f"({100 * tree.total[node] / whole:.1f}%) of the critical path, mean per trace")
        if tree.delta is not None:
            d = tree.delta[node]
            text.append(f" · own changed {'+' if d >= 0 else '−'}{fmt_duration(abs(d))}",
                        style=theme_style(self.app, "error" if d > 0 else "primary", bold=True))
        detail.update(text)

    def on_icicle_view_frame_highlighted(self, message: IcicleView.FrameHighlighted) -> None:
        message.stop()
        self._update_detail(message.node)

    def spans_arrived(self, trace_ids: frozenset[str], new_ids: set[str]) -> None:
        """The graph stays as profiled (a live feed would redraw it all the time); the title
        says that there is more and `u` profiles again."""
        if not self._stale:
            self._stale = True
            self._update_title()

    # -- keys -----------------------------------------------------------------------------------
    def action_update(self) -> None:
        self._start()

    def action_back(self) -> None:
        if self.flame.action_zoom_out():
            return
        self.app.pop_screen()

    def action_preset(self, k: int) -> None:
        if self.model is not None:
            self.model.preset(k)
            self._redraw()

    def action_custom_window(self) -> None:
        if self.model is None:
            return

        def check(value: str) -> str:
            try:
                parse_window(value)
            except WindowError as e:
                return str(e)
            return ""

        def chosen(value: str | None) -> None:
            if value is not None and self.model is not None:
                self.model.set_window(parse_window(value))
                self._redraw()

        lo, hi = self.model.window
        self.app.push_screen(AskScreen("Window of percentiles", "A-B in percent of the traces sorted by duration, "
                                       "e.g. 0-50, 90-100, 25-75", f"{lo:g}-{hi:g}", check), chosen)

    def action_cycle_diff(self) -> None:
        if self.model is not None:
            mode = self.model.cycle_mode()
            self._redraw()
            self.notify(f"showing {MODE_NAMES[mode]}", timeout=2)

    def action_pick_root(self) -> None:
        ops = root_operations(self.app.store)
        choices = [(op, f"{op}  ({n:,} traces)") for op, n in ops]

        def chosen(value: str | None) -> None:
            if value is not None and value != self.root:
                self.root = value
                self._start()

        self.app.push_screen(PickScreen("Root operation", choices, self.root), chosen)

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("CRISP: pick the root operation", "The traces of which operation are added up",
                            self.action_pick_root)
        yield SystemCommand("CRISP: window of percentiles", "Type any window A-B", self.action_custom_window)
        yield SystemCommand("CRISP: next diff mode", "One window, tail against body, selection against baseline, "
                            "sources", self.action_cycle_diff)
