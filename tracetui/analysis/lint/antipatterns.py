"""Anti-patterns, with how often they occur and the critical-path time they cost.

All three look at the children of one span (siblings) that are calls (CLIENT spans):

- **N+1 queries** (`n_plus_one`): at least `N_PLUS_ONE_MIN` (5) sibling calls of one service
  with the same span name and the same statement once numbers, literals and ids are masked
  (`db.query.text`/`db.statement`, or the method and URL of an HTTP call). Cost: their time on
  the critical path (one batched call would cost about one of them).
- **Sequential independent calls** (`sequential_calls`): siblings that ran one after another
  though nothing visible makes one wait for the other. A run is two or more calls where
    - none overlaps another call of the parent (a parent that already runs calls side by side
      chose the order of the others: a fan-out waits for what came before it);
    - each starts at most `GAP` after the previous one ended (1 ms, or a tenth of the previous
      call's duration if longer) and no other child of the parent lies between them (work in
      between may be reading the previous answer);
    - the previous one did not fail (a call after a failure is a retry or a fallback);
    - every call after the first only reads (HTTP GET/HEAD/OPTIONS, a database read): a write
      may use what was read before it; and it is not the same call as one before it in the run
      (pagination depends on the previous page);
    - running them side by side would save at least 1 ms and a tenth of the parent's duration
      (the sum of their durations minus the longest).
  Cost: their critical-path time minus that of the longest of them (what running them together
  would save, at best).
- **Retries** (`retry`): a call made again after a sibling call of the same service, name and
  statement failed (ERROR status, HTTP 5xx or 429), starting after the failed one ended; also a
  call that says it is a retry (`http.request.resend_count` ≥ 1) with no failed sibling found.
  Cost: the critical-path time from the first failed attempt's start to the last retry's start.
"""

from __future__ import annotations

from tracetui.analysis.critical_path import Section
from tracetui.analysis.lint.callshape import failed, is_call, only_reads, statement
from tracetui.analysis.lint.findings import WARNING, Hit, kind, ms, plural
from tracetui.analysis.lint.pathcost import PathTime
from tracetui.model.trace import Trace

N_PLUS_ONE_MIN = 5
MS = 1_000_000


@kind("n_plus_one", WARNING, "N+1 queries", ("service", "parent", "name", "statement"))
def _n_plus_one(key, count, traces, cost, extra) -> str:
    service, parent, name, stmt = key
    return (f"N+1: {parent} ({service}) runs {name} {count:,} times{_in(traces)} "
            f"(up to {extra.get('max_calls', count):,} under one span) with one statement: {stmt}; "
            f"{ms(cost)} on the critical path; fetch them in one query")


@kind("sequential_calls", WARNING, "Sequential calls that could run in parallel",
      ("service", "parent", "calls"))
def _sequential(key, count, traces, cost, extra) -> str:
    service, parent, calls = key
    return (f"{parent} ({service}) makes {calls} one after another{_times(count, traces)}, though none "
            f"waits for another's answer that the trace shows; side by side would save up to "
            f"{ms(cost)} of critical path")


@kind("retry", WARNING, "Retries", ("service", "name"))
def _retry(key, count, traces, cost, extra) -> str:
    service, name = key
    return (f"{plural(count, 'retry', 'retries')} of {name} ({service}){_in(traces)} after a failed "
            f"attempt; {ms(cost)} of critical path from the first failure to the last retry")


def _in(traces: int) -> str:
    return f" in {traces:,} traces" if traces > 1 else ""


def _times(count: int, traces: int) -> str:
    if count == 1:
        return ""
    return f" ({count:,} times{_in(traces)})"


def antipattern_hits(trace: Trace, sections: list[Section] | None = None) -> list[Hit]:
    """The anti-patterns of one trace; `sections`: its critical path when already computed."""
    spans, children = trace.spans, trace.children
    path: PathTime | None = None
    out: list[Hit] = []
    attrs_of: dict[int, dict] = {}

    keys: dict[int, tuple] = {}

    def attrs(i: int) -> dict:
        a = attrs_of.get(i)
        if a is None:
            a = attrs_of[i] = spans[i].attributes
        return a

    def key(i: int) -> tuple[str, str, str | None]:
        """(service, name, masked statement) of call i, computed once."""
        k = keys.get(i)
        if k is None:
            s = spans[i]
            k = keys[i] = (s.resource.service, s.name, statement(s, attrs(i)))
        return k

    for p, kids in enumerate(children):
        calls = [c for c in kids if is_call(spans[c]) and trace.is_blocking(c)]
        if not calls:
            continue
        if path is None:
            path = PathTime(trace, sections)
        out += _n_plus_one_hits(trace, p, calls, key, path)
        out += _retry_hits(trace, p, calls, attrs, key, path)
        if len(calls) >= 2:
            out += _sequential_hits(trace, p, kids, calls, attrs, key, path)
    return out


def _n_plus_one_hits(trace: Trace, p: int, calls: list[int], key, path: PathTime) -> list[Hit]:
    if len(calls) < N_PLUS_ONE_MIN:
        return []
    groups: dict[tuple, list[int]] = {}
    for c in calls:
        k = key(c)
        if k[2] is not None:
            groups.setdefault(k, []).append(c)
    out = []
    parent = trace.spans[p]
    for (svc, name, stmt), members in groups.items():
        if len(members) < N_PLUS_ONE_MIN:
            continue
        out.append(Hit("n_plus_one", (svc, parent.name, name, stmt), trace.trace_id, [trace.spans[c].span_id for c in members], len(members),
                       cost_ns=path.in_subtrees(members), extra={"max_calls": len(members)}))
    return out


def _retry_hits(trace: Trace, p: int, calls: list[int], attrs, key, path: PathTime) -> list[Hit]:
    spans = trace.spans
    groups: dict[tuple, list[int]] = {}
    for c in calls:
        groups.setdefault(key(c), []).append(c)
    out = []
    for (svc, name, _), members in groups.items():
        retries: list[int] = []
        first_failure = None
        failed_end = None  # the earliest end of a failed attempt so far
        for c in members:  # by start (children are sorted by start)
            s = spans[c]
            after_failure = failed_end is not None and s.start_ns >= failed_end
            if after_failure or (failed_end is None and _says_retry(attrs(c))):
                retries.append(c)
            if failed(s, attrs(c)):
                if first_failure is None:
                    first_failure = s.start_ns
                failed_end = s.end_ns if failed_end is None else min(failed_end, s.end_ns)
        if not retries:
            continue
        start = first_failure if first_failure is not None else spans[retries[0]].start_ns
        cost = path.in_window(start, spans[retries[-1]].start_ns)
        out.append(Hit("retry", (svc, name), trace.trace_id, [spans[c].span_id for c in retries], len(retries),
                       cost_ns=cost))
    return out


def _says_retry(attrs: dict) -> bool:
    try:
        return int(attrs.get("http.request.resend_count", 0)) >= 1
    except (TypeError, ValueError):
        return False


def _sequential_hits(trace: Trace, p: int, kids: list[int], calls: list[int], attrs, key,
                     path: PathTime) -> list[Hit]:
    spans = trace.spans
    # Calls that overlap another call of the parent are out (see the module's docstring).
    # Calls are sorted by start: one overlaps an earlier call when it starts before the latest
    # end so far, a later one when it ends after the next call starts.
    alone = []
    latest_end = None
    for idx, c in enumerate(calls):
        s = spans[c]
        before = latest_end is not None and s.start_ns < latest_end
        after = idx + 1 < len(calls) and spans[calls[idx + 1]].start_ns < s.end_ns
        if not (before or after):
            alone.append(c)
        latest_end = s.end_ns if latest_end is None else max(latest_end, s.end_ns)
    if len(alone) < 2:
        return []
    position = {c: k for k, c in enumerate(kids)}
    runs: list[list[int]] = []
    run: list[int] = []
    for c in alone:
        if run and _continues(trace, run, c, kids, position, attrs, key):
            run.append(c)
        else:
            if len(run) >= 2:
                runs.append(run)
            run = [c]
    if len(run) >= 2:
        runs.append(run)
    parent = spans[p]
    out = []
    for run in runs:
        durations = [spans[c].end_ns - spans[c].start_ns for c in run]
        saving = sum(durations) - max(durations)
        if saving < max(MS, (parent.end_ns - parent.start_ns) // 10):
            continue
        on = [path.in_subtrees([c]) for c in run]
        cost = max(0, sum(on) - max(on))
        calls_text = ", ".join(spans[c].name for c in run)
        out.append(Hit("sequential_calls", (parent.resource.service, parent.name, calls_text), trace.trace_id,
                       [spans[c].span_id for c in run], 1, cost_ns=cost))
    return out


def _continues(trace: Trace, run: list[int], c: int, kids: list[int], position: dict[int, int], attrs, key) -> bool:
    spans = trace.spans
    prev, s = spans[run[-1]], spans[c]
    gap = s.start_ns - prev.end_ns
    if gap < 0 or gap > max(MS, (prev.end_ns - prev.start_ns) // 10):
        return False
    if failed(prev, attrs(run[-1])) or not only_reads(s, attrs(c)):
        return False
    for k in range(position[run[-1]] + 1, position[c]):
        other = spans[kids[k]]
        if other.start_ns < s.start_ns and other.end_ns > prev.end_ns:
            return False  # work between them
    this = key(c)[:2]
    return all(key(r)[:2] != this for r in run)
