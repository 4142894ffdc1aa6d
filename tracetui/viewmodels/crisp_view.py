"""What the CRISP screen shows, headless: the flame graph of one window of percentiles, or of a
change (two windows, two groups of traces, two sources), and the top call paths beside it.

Modes:
  window    widths = the mean per trace of each call path's critical-path time in `window`
  windows   widths = the tail window (`tail`, P95–100), colours = the change from `body` (P0–50)
  groups    widths = the selection, colours = the change from the baseline (the comparison's split)
  sources   widths = the second source, colours = the change from the first (before → after)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from tracetui.analysis.call_paths import NO_PATH
from tracetui.analysis.crisp import (
    BODY_WINDOW,
    PRESET_WINDOWS,
    TAIL_WINDOW,
    TOP_PERCENTILES,
    Crisp,
    PathDelta,
    TraceProfile,
    diff,
    mean_cp,
    window_name,
)
from tracetui.viewmodels.icicle import FlameTree

MODES = ("window", "windows", "groups", "sources")


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff: its name and the traces in it."""

    name: str
    profiles: Sequence[TraceProfile]


def source_name(source: str) -> str:
    """How a source is named on screen: a file by its name, stdin as stdin."""
    return "stdin" if source == "-" else PurePath(source).name or source


def service_of(frame: str) -> str:
    """The service of a frame "service: operation"."""
    return frame.partition(": ")[0]


class CrispModel:
    """One root operation's traces, profiled (`Crisp`), and how they are cut for the screen.

    `groups`: (selection ids, baseline ids) from the comparison screen, or None; `sources`: the
    inputs in order with the trace ids each brought (two or more make the `sources` mode)."""

    def __init__(self, crisp: Crisp, *, groups: tuple[Collection[str], Collection[str]] | None = None,
                 sources: Sequence[tuple[str, Collection[str]]] = ()) -> None:
        self.crisp = crisp
        self.groups = groups
        self.sources = [s for s in sources if s[1]]
        self.mode = "window"
        self.window: tuple[float, float] = (0.0, 100.0)
        self.body: tuple[float, float] = BODY_WINDOW
        self.tail: tuple[float, float] = TAIL_WINDOW
        self._flame: tuple[tuple, FlameTree] | None = None

    # -- modes ----------------------------------------------------------------------------------
    def available_modes(self) -> list[str]:
        out = ["window", "windows"]
        if self.groups is not None:
            out.append("groups")
        if len(self.sources) >= 2:
            out.append("sources")
        return out

    def set_mode(self, mode: str) -> bool:
        if mode not in self.available_modes():
            return False
        self.mode = mode
        return True

    def cycle_mode(self) -> str:
        modes = self.available_modes()
        self.mode = modes[(modes.index(self.mode) + 1) % len(modes)] if self.mode in modes else modes[0]
        return self.mode

    def set_window(self, win: tuple[float, float]) -> None:
        """Show one window (leaves a diff mode)."""
        self.window = win
        self.mode = "window"

    def preset(self, k: int) -> None:
        """Window preset k (0: P0–50, 1: P0–95, 2: P0–99, 3: P0–100)."""
        self.set_window(PRESET_WINDOWS[k])

    @property
    def is_diff(self) -> bool:
        return self.mode != "window"

    def sides(self) -> tuple[Side, Side] | None:
        """(A, B) of the diff mode, None in the window mode."""
        c = self.crisp
        if self.mode == "windows":
            return Side(window_name(self.body), c.window(self.body)), Side(window_name(self.tail), c.window(self.tail))
        if self.mode == "groups" and self.groups is not None:
            sel, base = (set(g) for g in self.groups)
            return (Side("baseline", [p for p in c.profiles if p.trace_id in base]),
                    Side("selection", [p for p in c.profiles if p.trace_id in sel]))
        if self.mode == "sources" and len(self.sources) >= 2:
            (na, ia), (nb, ib) = self.sources[0], self.sources[-1]
            ia, ib = set(ia), set(ib)
            return (Side(source_name(na), [p for p in c.profiles if p.trace_id in ia]),
                    Side(source_name(nb), [p for p in c.profiles if p.trace_id in ib]))
        return None

    # -- what is drawn --------------------------------------------------------------------------
    def shown(self) -> Sequence[TraceProfile]:
        """The traces whose means make the widths."""
        sides = self.sides()
        return sides[1].profiles if sides is not None else self.crisp.window(self.window)

    def flame(self) -> FlameTree:
        """The flame graph now: widths from `shown()`, and in a diff mode each node's change."""
        state = (self.mode, self.window, self.body, self.tail)
        if self._flame is not None and self._flame[0] == state:
            return self._flame[1]
        paths = self.crisp.paths
        sides = self.sides()
        if sides is None:
            own, delta = mean_cp(self.crisp.window(self.window)), None
        else:
            a, own = mean_cp(sides[0].profiles), mean_cp(sides[1].profiles)
            delta = {pid: own.get(pid, 0.0) - a.get(pid, 0.0) for pid in a.keys() | own.keys()}
        tree = FlameTree.from_weights(range(len(paths)), paths.parent.__getitem__, paths.frame.__getitem__,
                                      lambda k: service_of(paths.frame[k]), own, delta, no_parent=NO_PATH)
        self._flame = (state, tree)
        return tree

    def changes(self, limit: int = 10) -> list[PathDelta]:
        """In a diff mode, the call paths that changed most (|B − A|), else []."""
        sides = self.sides()
        if sides is None:
            return []
        return diff(mean_cp(sides[0].profiles), mean_cp(sides[1].profiles))[:limit]

    def tops(self, limit: int = 6) -> list[tuple[int, list[tuple[int, int]]]]:
        """(percentile, [(path, ns)]) for P50, P95 and P99 over every trace of the root."""
        return [(p, self.crisp.top(p, limit)) for p in TOP_PERCENTILES]

    def title(self) -> str:
        """What the graph shows, in words."""
        c = self.crisp
        n = len(c.profiles)
        sides = self.sides()
        if sides is None:
            shown = len(c.window(self.window))
            return f"{window_name(self.window)}: {shown:,} of {n:,} traces · mean critical path per trace"
        a, b = sides
        return (f"{b.name} ({len(b.profiles):,} traces) against {a.name} ({len(a.profiles):,}) · "
                f"widths {b.name}, red grew, blue shrank")
