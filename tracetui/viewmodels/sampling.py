"""The sampling panel's state: the policy as typed, and the preview's lines (no Textual).

The byte size of each trace is measured once (`sizes`, by trace id and version) and reused for
every edit of the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.analysis.sampling import KEPT_ERROR, KEPT_RATE, KEPT_SLOW, Preview, make_policy, preview
from tracetui.model.store import TraceStore
from tracetui.render.sampling import preview_lines
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration

_WHY = {KEPT_ERROR: "error", KEPT_SLOW: "slow", KEPT_RATE: "rate"}


@dataclass(slots=True)
class PolicyText:
    """The panel's fields: `slower_than` holds `500ms` and `OPERATION=200ms` items separated by commas."""

    keep_errors: bool = True
    slower_than: str = "500ms"
    rate: str = "5%"


class SamplingPanelModel:
    def __init__(self, store: TraceStore) -> None:
        self.store = store
        self._sizes: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self.preview: Preview | None = None
        self.error = ""

    def update(self, text: PolicyText, max_kept: int = 12) -> list[str]:
        """The panel's lines for this policy; on a bad field, one line saying what is wrong."""
        items = [x.strip() for x in text.slower_than.split(",") if x.strip()]
        try:
            policy = make_policy(text.keep_errors, items, text.rate)
        except ValueError as e:
            self.error = str(e)
            return [clean(self.error, 200)]
        self.error = ""
        traces = self.store.sorted_by_start()
        sizes, versions = self._sizes, self._versions
        for t in traces:  # a trace that grew (live) is measured again
            if versions.get(t.trace_id) != t.version:
                sizes.pop(t.trace_id, None)
                versions[t.trace_id] = t.version
        p = self.preview = preview(traces, policy, sizes)
        lines = preview_lines(p, policy, more_hint="")
        if p.kept:
            lines.append(f"kept traces (first {min(max_kept, len(p.kept))} by start):")
            for tid in p.kept[:max_kept]:
                t = self.store.get(tid)
                root = t.root if t is not None else None
                name = f"{root.service}: {root.name}" if root is not None else "?"
                lines.append(f"  {_WHY[p.why[tid]]:<5} {tid[:16]}  {fmt_duration(t.duration_ns) if t else '':>7}  "
                             f"{clean(name, 70)}")
        return lines
