"""What lint finds: `Hit`s (one check's finding in one trace) merged into `Finding`s across traces.

A check reports a `Hit` per trace and subject (`key`: the service concerned, the pair of services,
the attribute key…); hits of one kind and key, from every trace, make one `Finding`: what `tracetui
lint` prints, `--json` writes and the lint panel lists. The findings of one trace are the same
merge over that trace's hits only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
MAX_SPANS_LISTED = 100  # span ids a finding lists; `count` has them all
MAX_TRACES_LISTED = 1000  # trace ids a finding lists; `trace_count` has them all


@dataclass(slots=True)
class Hit:
    """One check's finding in one trace: `spans` are the span ids concerned (the first is where
    the panel jumps), `count` what is counted (usually spans), `cost_ns` the critical-path time
    it costs (anti-patterns), `extra` numbers the message uses (a largest size, an offset)."""

    kind: str
    key: tuple
    trace_id: str
    spans: list[str]
    count: int = 1
    cost_ns: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass(slots=True)
class Finding:
    """One kind of problem about one subject, over every trace where it was found."""

    kind: str
    severity: str
    key: tuple
    message: str
    count: int
    trace_ids: list[str]
    trace_count: int
    spans: list[tuple[str, str]]  # (trace id, span id), at most MAX_SPANS_LISTED
    cost_ns: int | None
    subject: dict

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "subject": self.subject,
            "count": self.count,
            "trace_count": self.trace_count,
            "trace_ids": self.trace_ids,
            "spans": [{"trace_id": t, "span_id": s} for t, s in self.spans],
            "cost_ns": self.cost_ns,
        }


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of finding: its severity, the names of its key's parts (`subject` in JSON), its
    title (the panel's group), and how its message reads from the merged figures."""

    name: str
    severity: str
    title: str
    subject: tuple[str, ...]
    describe: Callable[[tuple, int, int, int | None, dict], str]


KINDS: dict[str, Kind] = {}


def kind(name: str, severity: str, title: str, subject: tuple[str, ...]):
    """Register a kind; the decorated function writes its message:
    `describe(key, count, trace_count, cost_ns, extra)`."""

    def register(describe):
        KINDS[name] = Kind(name, severity, title, subject, describe)
        return describe

    return register


def merge_extra(into: dict, extra: dict) -> None:
    """Numbers from several hits: `max_*` keep the largest, `min_*` the smallest, `sum_*` add up,
    `examples` collects up to three, anything else keeps the first."""
    for k, v in extra.items():
        if k not in into:
            into[k] = list(v) if k == "examples" else v
        elif k.startswith("max_"):
            into[k] = max(into[k], v)
        elif k.startswith("min_"):
            into[k] = min(into[k], v)
        elif k.startswith("sum_"):
            into[k] += v
        elif k == "examples":
            for e in v:
                if e not in into[k] and len(into[k]) < 3:
                    into[k].append(e)


def merge(hits: Iterable[Hit]) -> list[Finding]:
    """Findings from hits: one per (kind, key), errors first, then by count."""
    groups: dict[tuple[str, tuple], list[Hit]] = {}
    for h in hits:
        groups.setdefault((h.kind, h.key), []).append(h)
    out = []
    for (name, key), hs in groups.items():
        k = KINDS[name]
        count = sum(h.count for h in hs)
        traces = sorted({h.trace_id for h in hs if h.trace_id})
        costs = [h.cost_ns for h in hs if h.cost_ns is not None]
        cost = sum(costs) if costs else None
        extra: dict = {}
        for h in hs:
            merge_extra(extra, h.extra)
        spans: list[tuple[str, str]] = []
        for h in hs:
            if not h.trace_id:
                continue
            for s in h.spans:
                if len(spans) >= MAX_SPANS_LISTED:
                    break
                spans.append((h.trace_id, s))
        out.append(Finding(
            kind=name, severity=k.severity, key=key,
            message=k.describe(key, count, len(traces), cost, extra),
            count=count, trace_ids=traces[:MAX_TRACES_LISTED], trace_count=len(traces), spans=spans,
            cost_ns=cost, subject=dict(zip(k.subject, key, strict=False)),
        ))
    out.sort(key=lambda f: (SEVERITY_ORDER[f.severity], -(f.cost_ns or 0), -f.count, f.kind, repr(f.key)))
    return out


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 span", "12 spans", "1,234 traces"."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def in_traces(count: int, what: str, traces: int) -> str:
    """"3 spans in 2 traces", "1 span" (one trace: the trace is not counted)."""
    return plural(count, what) + (f" in {traces:,} traces" if traces > 1 else "")


def ms(ns: int | None) -> str:
    """Nanoseconds as milliseconds for a message: "12.3 ms" (render/units has the display
    formats; analysis sits below it)."""
    return f"{(ns or 0) / 1e6:,.1f} ms"
