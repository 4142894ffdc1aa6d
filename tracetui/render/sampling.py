"""The sampling preview as lines of text: `tracetui sample` prints them, the TUI's panel shows them."""

from __future__ import annotations

from tracetui.analysis.sampling import (
    KEPT_ERROR,
    KEPT_RATE,
    KEPT_SLOW,
    MAX_THRESHOLD,
    Policy,
    Preview,
    threshold_hex,
)
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration


def fmt_bytes(n: int) -> str:
    """1,234 B, 12.3 KB, 4.56 MB (powers of 1000, as storage is billed)."""
    if n < 1000:
        return f"{n:,} B"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)):
        v = n / scale
        if v < 999.5 or unit == "TB":
            return f"{v:.0f} {unit}" if v >= 99.95 else f"{v:.1f} {unit}" if v >= 9.995 else f"{v:.2f} {unit}"
    raise AssertionError("unreachable")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def policy_line(policy: Policy, threshold: int) -> str:
    parts = []
    if policy.keep_errors:
        parts.append("keep errors")
    if policy.slower_than_ns is not None:
        parts.append(f"keep slower than {fmt_duration(policy.slower_than_ns)}")
    for op, ns in policy.slower_than_by_op.items():
        parts.append(f"keep {clean(op, 60)} slower than {fmt_duration(ns)}")
    if policy.rate > 0:
        th = f"th:{threshold_hex(threshold)}" if threshold < MAX_THRESHOLD else "none"
        parts.append(f"keep {100 * policy.rate:g}% of the rest by trace id ({th})")
    return "policy: " + (" · ".join(parts) if parts else "keep nothing")


def preview_lines(p: Preview, policy: Policy, max_lost: int = 10, ids: int = 3,
                  more_hint: str = " (--json lists them all)") -> list[str]:
    """What the policy keeps and what it loses, in plain (cleaned) text."""
    lines = [policy_line(policy, p.threshold)]
    lines.append(f"kept {p.kept_traces:,} of {p.total_traces:,} traces ({_pct(p.kept_traces, p.total_traces)}) · "
                 f"{p.kept_spans:,} of {p.total_spans:,} spans ({_pct(p.kept_spans, p.total_spans)}) · "
                 f"{fmt_bytes(p.kept_bytes)} of {fmt_bytes(p.total_bytes)} ({_pct(p.kept_bytes, p.total_bytes)})")
    why = list(p.why.values())
    lines.append(f"kept for errors {why.count(KEPT_ERROR):,} · for being slow {why.count(KEPT_SLOW):,} · "
                 f"by the rate {why.count(KEPT_RATE):,}")
    if not p.lost:
        lines.append("loses: nothing named (no slow trace without errors, no operation vanishes)")
        return lines
    lines.append("loses:")
    for lost in p.lost[:max_lost]:
        n = len(lost.traces)
        shown = ", ".join(t[:16] for t in lost.traces[:ids]) + (", …" if n > ids else "")
        lines.append(f"  {clean(lost.reason, 120)}: {n:,} trace{'s' if n != 1 else ''} ({clean(shown, 80)})")
    if len(p.lost) > max_lost:
        lines.append(f"  … and {len(p.lost) - max_lost:,} more{more_hint}")
    return lines
