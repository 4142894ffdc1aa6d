"""Service colours: distinct among the services on screen, stable for the session.

A colour is given to a service the first time a view shows it, in order of appearance (the
root's service first), from a palette: the first colour no other service of that view has,
and among those the one the fewest services have. Once given, a service keeps its colour for
the session, so a person learns "payment is purple" — unless a view shows it beside a service
of the same colour (possible once the session has seen more services than the palette has
colours): then the later one moves. Only a view with more services than colours repeats one.

Two palettes, both without red (red means error) and of mid lightness, readable on dark and on
light themes: `default` (19 hues, Tableau families) and `colorblind` (Okabe–Ito, 7 hues that
stay apart for every common colour vision deficiency; more services than that repeat colours).
"""

from __future__ import annotations

from collections.abc import Iterable

PALETTES: dict[str, tuple[str, ...]] = {
    "default": (
        "#4e79a7",  # blue
        "#f28e2b",  # orange
        "#59a14f",  # green
        "#b07aa1",  # purple
        "#76b7b2",  # teal
        "#edc948",  # yellow
        "#9c755f",  # brown
        "#ff9da7",  # pink
        "#17becf",  # cyan
        "#bcbd22",  # olive
        "#8c6bb1",  # violet
        "#2ca089",  # sea green
        "#a0cbe8",  # light blue
        "#ffbe7d",  # light orange
        "#8cd17d",  # light green
        "#d37295",  # raspberry
        "#b6992d",  # mustard
        "#79706e",  # grey
        "#d4a6c8",  # lilac
    ),
    "colorblind": (
        "#e69f00",  # orange
        "#56b4e9",  # sky blue
        "#009e73",  # bluish green
        "#f0e442",  # yellow
        "#0072b2",  # blue
        "#cc79a7",  # reddish purple
        "#999999",  # grey
    ),
}


class ServiceColours:
    """The session's service → colour table. `show(services)` before drawing a view's services."""

    def __init__(self, palette: str = "default") -> None:
        if palette not in PALETTES:
            raise ValueError(f"unknown palette {palette!r} (palettes: {', '.join(PALETTES)})")
        self.palette_name = palette
        self._index: dict[str, int] = {}  # service -> palette index, in order given

    @property
    def palette(self) -> tuple[str, ...]:
        return PALETTES[self.palette_name]

    def use_palette(self, name: str) -> None:
        """Switch palettes: every service gets a colour again, as views show them."""
        if name not in PALETTES:
            raise ValueError(f"unknown palette {name!r} (palettes: {', '.join(PALETTES)})")
        self.palette_name = name
        self._index.clear()

    def show(self, services: Iterable[str]) -> None:
        """Services shown together, in order of appearance: give each new one a colour that none
        of the others has. Two of them that share a colour (given when the session had seen more
        services than the palette holds) are told apart again, the later one moving, as long as
        this view has no more services than the palette has colours."""
        services = list(dict.fromkeys(services))
        n = len(self.palette)
        index = self._index
        taken: set[int] = set()
        for s in services:
            k = index.get(s)
            if k is not None and k in taken and len(services) <= n:
                del index[s]  # a clash on screen: this one gets a new colour below
            elif k is not None:
                taken.add(k)
        for s in services:
            if s in index:
                continue
            uses = [0] * n
            for k in index.values():
                uses[k] += 1
            free = [k for k in range(n) if k not in taken] or list(range(n))
            k = min(free, key=lambda k: (uses[k], k))
            index[s] = k
            taken.add(k)

    def colour(self, service: str) -> str:
        """The colour (hex) of a service; a service never shown gets one now."""
        k = self._index.get(service)
        if k is None:
            self.show([service])
            k = self._index[service]
        return self.palette[k]
