"""Analysis: pure functions of a Trace (no mutation, no Textual)."""

from tracetui.analysis.critical_path import RootPath, Section, critical_path, root_paths, time_on_path
from tracetui.analysis.self_time import self_times
from tracetui.analysis.stats import GroupStats, group_stats
from tracetui.analysis.summary import TraceSummary, summarize

__all__ = [
    "GroupStats", "RootPath", "Section", "TraceSummary", "critical_path", "group_stats", "root_paths", "self_times",
    "summarize", "time_on_path",
]
