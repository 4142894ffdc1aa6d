"""The statistics table of one trace as the trace view shows it: grouping, sort order, rows and
their cells (no Textual). The figures come from `analysis.stats`; the columns from
`render.stats_columns` (the same as `tracetui stats`)."""

from __future__ import annotations

from tracetui.analysis.stats import GROUPINGS, GroupStats, SpanStats
from tracetui.model.query import span_group_query
from tracetui.render.stats_columns import COLUMNS, StatColumn
from tracetui.render.text import clean

NAME_KEY = "name"
SORT_KEYS = (NAME_KEY, *(c.key for c in COLUMNS))


class StatsTableModel:
    """Rows of a `SpanStats` grouped `by` and sorted by `sort` (a column key or `name`);
    `descending` by default for numbers, ascending for names. With `both`, services are sorted
    among themselves and each one's operations under it."""

    def __init__(self, stats: SpanStats, by: str = "service", sort: str = "self", descending: bool = True) -> None:
        self.stats = stats
        self.by = by
        self.sort = sort
        self.descending = descending
        self.rows: list[GroupStats] = []
        self._resort()

    # -- changing ----------------------------------------------------------------------------
    def set_grouping(self, by: str) -> None:
        if by not in GROUPINGS:
            raise ValueError(by)
        self.by = by
        self._resort()

    def next_grouping(self) -> str:
        """service → operation → both → service."""
        self.set_grouping(GROUPINGS[(GROUPINGS.index(self.by) + 1) % len(GROUPINGS)])
        return self.by

    def sort_by(self, key: str) -> None:
        """Sort by `key`; the same key again reverses the order."""
        if key not in SORT_KEYS:
            raise ValueError(key)
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, key != NAME_KEY
        self._resort()

    def next_sort(self, step: int = 1) -> str:
        """The next (or previous) column to sort by, in the order of the columns."""
        k = SORT_KEYS[(SORT_KEYS.index(self.sort) + step) % len(SORT_KEYS)]
        self.sort, self.descending = k, k != NAME_KEY
        self._resort()
        return k

    def _key(self, g: GroupStats):
        if self.sort == NAME_KEY:
            return self.label(g).strip().lower()
        col = next(c for c in COLUMNS if c.key == self.sort)
        return col.value(g, self.stats)

    def _resort(self) -> None:
        groups = self.stats.groups(self.by)  # most self time first: ties keep that order
        if self.by != "both":
            self.rows = sorted(groups, key=self._key, reverse=self.descending)
            return
        services = [g for g in groups if g.name is None]
        under: dict[str, list[GroupStats]] = {}
        for g in groups:
            if g.name is not None:
                under.setdefault(g.service, []).append(g)
        rows: list[GroupStats] = []
        for s in sorted(services, key=self._key, reverse=self.descending):
            rows.append(s)
            rows.extend(sorted(under.get(s.service, []), key=self._key, reverse=self.descending))
        self.rows = rows

    # -- showing -----------------------------------------------------------------------------
    @property
    def columns(self) -> tuple[StatColumn, ...]:
        return COLUMNS

    @property
    def name_title(self) -> str:
        return {"service": "Service", "operation": "Service: operation", "both": "Service / operation"}[self.by]

    def label(self, g: GroupStats) -> str:
        """The name cell: a service, `service: operation`, or (under `both`) an indented operation."""
        if g.name is None:
            return clean(g.service)
        if self.by == "both":
            return "  " + clean(g.name)
        return f"{clean(g.service)}: {clean(g.name)}"

    def cells(self, g: GroupStats) -> list[str]:
        return [c.text(g, self.stats) for c in COLUMNS]

    def query_for(self, g: GroupStats) -> str:
        """The search that finds the group's spans in the trace (a span group of the filter language)."""
        return span_group_query(g.service, g.name)
