"""What a loader hands back: spans, and the problems met on the way (never an exception)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracetui.model.span import Span


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that could not be read, as one line: `file: where: what`.

    `skipped` counts the spans (or records) lost to it; 0 for warnings where the data was kept.
    """

    source: str
    where: str
    message: str
    skipped: int = 0

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.source}: {where}{self.message}"


@dataclass(slots=True)
class Batch:
    """A group of spans read together, with the problems met while reading them."""

    spans: list[Span] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
