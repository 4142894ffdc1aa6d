"""What the headless commands (`summary`, `stats`, …) share: reading their sources into a store
with one line per kind of problem on stderr, finding the trace `--trace` names, printing JSON,
and the exit status (0 everything loaded, 1 some input skipped, 2 nothing loaded)."""

from __future__ import annotations

import os
import sys

import click

from tracetui.render.units import count

FAST_EXIT_SPANS = 100_000


class LazyConsole:
    """A rich Console made on first use: the JSON path usually prints nothing to stderr. Every
    line it prints is cleaned (render/text.py `clean`): problem lines quote files and backends."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console = None

    def print(self, *args, **kwargs) -> None:
        from tracetui.render.text import clean

        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        self._console.print(*(clean(a) if isinstance(a, str) else a for a in args), **kwargs)


def sources_or_stdin(sources: tuple[str, ...]) -> list[str]:
    """The sources named, or stdin when it is a pipe (or a redirected file) and none are named."""
    from tracetui.sources.files import stdin_has_data

    if sources:
        return list(sources)
    if stdin_has_data():
        return ["-"]
    raise click.UsageError("name a trace file (or '-' for stdin), e.g. tracetui sample_traces/shop.json")


def load_for_print(sources: tuple[str, ...], search, trace_id: str | None, verbose: bool, *,
                   adjust_skew: bool = True, empty_search_ok: bool = False):
    """Load `sources` (files, '-', backends: fetched by `trace_id` or searched) into a new store;
    print the problems on stderr, one line per kind. Exits 2 when nothing loaded — but with
    `empty_search_ok`, a backend search that matched nothing is an answer (said, and the command
    goes on). Returns (store, problems, err): `err` prints lines on stderr, each cleaned.
    `adjust_skew=False`: times as read (`--no-adjust`)."""
    from tracetui.cli.backends import (
        load_backend_sources,
        needs_a_service,
        open_backends,
        service_hint,
        split_sources,
    )
    from tracetui.loaders.problems import problem_lines
    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths

    err = LazyConsole(stderr=True, highlight=False)  # rich only when there is something to say
    store = TraceStore(adjust_skew=adjust_skew)
    backend_sources, paths = split_sources(sources_or_stdin(sources))
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


def find_trace_or_exit(store, trace_id: str, err: LazyConsole):
    """The trace `--trace` names (a full id or a unique prefix); exits 2 with one line if none."""
    from tracetui.render.summary_json import find_trace

    trace, error = find_trace(store, trace_id)
    if trace is None:
        err.print(f"tracetui: {error}", markup=False)  # cleaned by the console: it quotes the id as typed
        sys.exit(2)
    return trace


def print_json(doc) -> None:
    from tracetui.render.text import json_bytes

    print_json_text((json_bytes(doc),))  # C1 and invisible characters as \u escapes


def print_json_text(parts) -> None:
    """JSON text given in parts (`json_bytes`, or e.g. `summary_json_text`), and a newline."""
    write = sys.stdout.buffer.write
    for part in parts:
        write(part)
    write(b"\n")
    sys.stdout.flush()


def finish(store, problems, err: LazyConsole) -> None:
    """The closing lines (log records without a trace, duplicates, skipped spans) and the exit status."""
    if store.traceless_logs:
        n = len(store.traceless_logs)
        err.print(f"tracetui: {count(n, 'log record')} name{'s' if n == 1 else ''} no trace: counted, not under any "
                  "trace (the explorer lists them: ! then l)", markup=False, soft_wrap=True)
    if store.duplicate_spans:
        dup = store.duplicate_spans
        err.print(f"tracetui: {count(dup, 'span')} appeared more than once and "
                  f"{'are' if dup != 1 else 'is'} counted once",
                  markup=False)
    skipped = sum(p.skipped for p in problems)
    # Any problem but a warning (data kept) lost input: a missing file or a line of bad JSON too,
    # though they count no spans.
    if any(not p.warning for p in problems):
        err.print(f"tracetui: {count(skipped, 'span')} skipped" if skipped else "tracetui: some input could not be read",
                  markup=False)
        exit_now(1, store)
    exit_now(0, store)


def exit_now(code: int, store) -> None:
    """Exit; with a big store, without freeing it object by object: everything is printed, and
    the interpreter's teardown of a million spans took 0.45 s (a tenth of the command)."""
    if store.span_count >= FAST_EXIT_SPANS and sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
