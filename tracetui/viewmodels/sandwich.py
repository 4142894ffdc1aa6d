"""The sandwich table beside the flame graph (as speedscope calls it): the operations of one
trace by total, self and critical-path time, and the callers and callees of one of them.

Figures come from analysis/flame.py `operations`; this module orders them and spells the lines
of the table the widget draws (no Textual).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.analysis.flame import Operation, operations
from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.trace import Trace


@dataclass(frozen=True, slots=True)
class CallLine:
    """One line of the callers/callees list: `kind` is "caller", "self" or "callee"."""

    kind: str
    frame: str
    calls: int
    ns: int


class SandwichModel:
    """Operations sorted by total time (then critical path, then name)."""

    def __init__(self, trace: Trace, analysis: TraceAnalysis) -> None:
        self.trace = trace
        ops = operations(trace, analysis.on_path, analysis.self_times)
        self.ops: list[Operation] = sorted(ops.values(), key=lambda o: (-o.total_ns, -o.cp_ns, o.frame))
        self._row = {o.frame: k for k, o in enumerate(self.ops)}
        self._service = {o.frame: trace.spans[o.spans[0]].resource.service for o in self.ops}

    def __len__(self) -> int:
        return len(self.ops)

    def service(self, frame: str) -> str:
        """The service of an operation's frame (its colour)."""
        return self._service.get(frame, "")

    def row_of_frame(self, frame: str) -> int | None:
        return self._row.get(frame)

    def row_of_pos(self, pos: int) -> int | None:
        s = self.trace.spans[pos]
        return self._row.get(f"{s.resource.service}: {s.name}")

    def calls(self, row: int) -> list[CallLine]:
        """Callers (most time first), the operation itself, its callees (most time first)."""
        op = self.ops[row]
        def by_time(d: dict[str, list[int]]) -> list[tuple[str, list[int]]]:
            return sorted(d.items(), key=lambda kv: (-kv[1][1], kv[0]))

        out = [CallLine("caller", f, c, ns) for f, (c, ns) in by_time(op.callers)]
        out.append(CallLine("self", op.frame, op.count, op.total_ns))
        out += [CallLine("callee", f, c, ns) for f, (c, ns) in by_time(op.callees)]
        return out

    def longest_span(self, row: int) -> int:
        spans = self.trace.spans
        return max(self.ops[row].spans, key=lambda p: spans[p].end_ns - spans[p].start_ns)
