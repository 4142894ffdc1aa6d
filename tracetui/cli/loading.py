"""Loading for the headless commands (`summary`, `lint`, `flame`, `diff`, `sample`…): sources into
a store, the problem lines on stderr, and `summary`'s exit statuses (see README)."""

from __future__ import annotations

import sys

from tracetui.cli.backends import SearchRequest


def load_for_print(sources: tuple[str, ...], search: SearchRequest, trace_id: str | None, verbose: bool, *,
                   adjust_skew: bool = True, empty_search_ok: bool = False):
    """Load `sources` (files, '-', backends: fetched by `trace_id` or searched); print the
    problems on stderr. Exits 2 when nothing loaded — but with `empty_search_ok`, a backend search
    that matched nothing is an answer (said, and the command goes on). Returns (store, problems,
    err) where `err` prints lines on stderr, each through `clean` (the one cleaning function).
    `adjust_skew=False`: times as read (`--no-adjust`)."""
    from tracetui.cli.backends import (
        load_backend_sources,
        needs_a_service,
        open_backends,
        service_hint,
        split_sources,
    )
    from tracetui.cli.commands import _LazyConsole, _sources
    from tracetui.loaders.problems import problem_lines
    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths

    err = _LazyConsole(stderr=True, highlight=False)
    store = TraceStore(adjust_skew=adjust_skew)
    backend_sources, paths = split_sources(_sources(sources))
    problems = load_paths(paths, store) if paths else []
    backends = open_backends(backend_sources)
    for b in needs_a_service(backends, search, trace_id):
        err.print(f"tracetui: {service_hint(b)}", markup=False, soft_wrap=True)
        sys.exit(2)
    problems += load_backend_sources(backends, store, search, trace_id)
    for line in problem_lines(problems, verbose=verbose):
        err.print(f"tracetui: {line}", markup=False, highlight=False, soft_wrap=True)
    if not store.span_count:
        searched = bool(backend_sources) and not paths and trace_id is None
        err.print("tracetui: no traces matched the search" if searched else "tracetui: no spans could be loaded",
                  markup=False)
        if not (searched and empty_search_ok):
            sys.exit(2)
    return store, problems, err


def find_trace_or_exit(store, trace_id: str, err):
    """The trace `trace_id` names (full id or unique prefix); one line and exit 2 when none."""
    from tracetui.render.summary_json import find_trace
    from tracetui.render.text import clean

    trace, error = find_trace(store, trace_id)
    if trace is None:
        err.print(f"tracetui: {clean(error)}", markup=False)  # quotes the id as typed
        sys.exit(2)
    return trace


def finish(store, problems, err) -> None:
    """Exit as `summary` does: 1 when some input was skipped, else 0 (duplicates noted)."""
    from tracetui.cli.commands import _count, _exit_now, _skipped

    if store.traceless_logs:
        n = len(store.traceless_logs)
        err.print(f"tracetui: {_count(n, 'log record')} name{'s' if n == 1 else ''} no trace: counted, not under any "
                  "trace (the explorer lists them: ! then l)", markup=False, soft_wrap=True)
    if store.duplicate_spans:
        dup = store.duplicate_spans
        err.print(f"tracetui: {_count(dup, 'span')} appeared more than once and "
                  f"{'are' if dup != 1 else 'is'} counted once", markup=False)
    # Any problem but a warning (data kept) lost input: a missing file or a line of bad JSON too,
    # though they count no spans.
    if any(not p.warning for p in problems):
        skipped = _skipped(problems)
        err.print(f"tracetui: {_count(skipped, 'span')} skipped" if skipped else "tracetui: some input could not be read",
                  markup=False)
        _exit_now(1, store)
    _exit_now(0, store)
