"""Metrics and profiles in a trace dump: the Collector's `file` exporter writes every signal it
is given into one file. Logs are read (loaders/otlp_logs.py); metrics and profiles are set
aside, and counted: one warning per input says how many records (exported requests: lines,
documents) were not trace data."""

from __future__ import annotations

from collections.abc import Iterator

from tracetui.loaders.problems import Batch, Problem

# The keys that make a request a logs, metrics or profiles one, in both key styles.
SIGNALS = {
    b'"resourceLogs"': "log", b'"resource_logs"': "log",
    b'"resourceMetrics"': "metric", b'"resource_metrics"': "metric",
    b'"resourceProfiles"': "profile", b'"resource_profiles"': "profile",
}
_KEYS = {k.strip(b'"').decode(): v for k, v in SIGNALS.items()}
_MARK = "\0set aside: "  # a problem only read by `count_set_aside`, never shown


def signal_in(head: bytes) -> str | None:
    """The signal ("log", "metric", "profile") whose key comes first in `head`, if any."""
    found = [(i, name) for key, name in SIGNALS.items() if (i := head.find(key)) >= 0]
    return min(found)[1] if found else None


def signal_of(obj: dict) -> str | None:
    """The signal of a decoded request that holds no spans, if it is one of the others."""
    return next((name for key, name in _KEYS.items() if key in obj), None)


def set_aside(source: str, where: str, signal: str) -> Batch:
    """What a reader gives for one record of another signal: counted by `count_set_aside`."""
    return Batch(problems=[Problem(source, where, _MARK + signal, warning=True)])


def count_set_aside(batches: Iterator[Batch], source: str, where: str = "") -> Iterator[Batch]:
    """The batches, with the records set aside counted into one warning at the end."""
    counts: dict[str, int] = {}
    for b in batches:
        if b.problems and any(p.message.startswith(_MARK) for p in b.problems):
            kept = []
            for p in b.problems:
                if p.message.startswith(_MARK):
                    signal = p.message[len(_MARK):]
                    counts[signal] = counts.get(signal, 0) + p.count
                else:
                    kept.append(p)
            b.problems = kept
            if not b.spans and not b.problems and not b.logs:
                continue
        yield b
    if counts:
        yield Batch(problems=[Problem(source, where, _message(counts), warning=True)])


def _message(counts: dict[str, int]) -> str:
    parts = [f"{counts[s]:,} {s}" for s in ("log", "metric", "profile") if counts.get(s)]
    n = sum(counts.values())
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{what} record{'s are' if n != 1 else ' is'} not trace data: set aside"
