"""The columns of span statistics (`tracetui stats` and the trace view's statistics table) and
the `stats --json` shape. No rich here: `stats --json` prints without it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracetui.analysis.stats import GroupStats, SpanStats
from tracetui.render.units import fmt_duration


@dataclass(frozen=True, slots=True)
class StatColumn:
    """`width`: cells for the figures, one more than the title (for the sort arrow)."""

    key: str
    title: str
    width: int
    value: Callable[[GroupStats, SpanStats], float]  # what the column sorts by
    text: Callable[[GroupStats, SpanStats], str]


def _dur(attr: str) -> tuple[Callable[[GroupStats, SpanStats], float], Callable[[GroupStats, SpanStats], str]]:
    def value(g: GroupStats, _s: SpanStats) -> float:
        return getattr(g, attr)

    return value, lambda g, s: fmt_duration(value(g, s))


def _share(g: GroupStats, s: SpanStats) -> float:
    return s.share(g)


COLUMNS: tuple[StatColumn, ...] = (
    StatColumn("count", "Count", 7, lambda g, _s: g.count, lambda g, _s: f"{g.count:,}"),
    StatColumn("total", "Total", 8, *_dur("total_ns")),
    StatColumn("self", "Self", 8, *_dur("self_ns")),
    StatColumn("self_mean", "Self avg", 9, *_dur("self_mean_ns")),
    StatColumn("self_min", "Self min", 9, *_dur("self_min_ns")),
    StatColumn("self_max", "Self max", 9, *_dur("self_max_ns")),
    StatColumn("share", "% trace", 8, _share, lambda g, s: f"{100 * _share(g, s):.1f}%"),
    StatColumn("critical_path", "Crit.path", 10, *_dur("critical_path_ns")),
    StatColumn("errors", "Errors", 7, lambda g, _s: g.errors, lambda g, _s: f"{g.errors:,}" if g.errors else ""),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


def group_json(g: GroupStats) -> dict:
    """One group as the `stats --json` contract has it."""
    return {"service": g.service, "name": g.name, "count": g.count, "total_ns": g.total_ns, "self_ns": g.self_ns,
            "self_mean_ns": g.self_mean_ns, "self_min_ns": g.self_min_ns, "self_max_ns": g.self_max_ns,
            "critical_path_ns": g.critical_path_ns, "errors": g.errors}


def stats_json(stats: SpanStats, by: str) -> dict:
    """`{"groups": [GROUP, …]}` in the order of `SpanStats.groups(by)`."""
    return {"groups": [group_json(g) for g in stats.groups(by)]}
