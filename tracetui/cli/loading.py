"""Loading for the headless commands that print one analysis (`flame`, `diff`): sources into a
store with the problem lines and exit statuses of `tracetui summary` (see README)."""

from __future__ import annotations

import sys

from tracetui.cli.backends import SearchRequest


def load_for_print(sources: tuple[str, ...], search: SearchRequest, trace_id: str | None, verbose: bool):
    """Load `sources` (files, '-', backends: fetched by `trace_id` or searched); print the
    problems on stderr. Exits 2 when nothing loaded. Returns (store, problems, err) where `err`
    prints lines on stderr, each through `clean` (the one cleaning function)."""
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
    store = TraceStore()
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
        err.print("tracetui: no spans could be loaded" if paths or trace_id is not None
                  else "tracetui: no traces matched the search", markup=False)
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

    if store.duplicate_spans:
        dup = store.duplicate_spans
        err.print(f"tracetui: {_count(dup, 'span')} appeared more than once and "
                  f"{'are' if dup != 1 else 'is'} counted once", markup=False)
    if any(not p.warning for p in problems):
        skipped = _skipped(problems)
        err.print(f"tracetui: {_count(skipped, 'span')} skipped" if skipped else "tracetui: some input could not be read",
                  markup=False)
        _exit_now(1, store)
    _exit_now(0, store)
