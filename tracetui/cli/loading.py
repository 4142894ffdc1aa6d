"""Loading the sources of a headless command (`map`, `export`): files and backends into one
store, problems printed one line per kind on stderr, the exit status the same as `summary`'s
(0 all loaded, 1 some input skipped, 2 nothing loaded)."""

from __future__ import annotations

import sys

import click


def load_sources(sources: tuple[str, ...], search, verbose: bool, trace_id: str | None = None):
    """Fill a store from `sources` (stdin when none is named and it is a pipe); return (store, problems).
    Exits with status 2 when nothing could be loaded."""
    from tracetui.cli.backends import (
        load_backend_sources,
        needs_a_service,
        open_backends,
        service_hint,
        split_sources,
    )
    from tracetui.cli.commands import _sources
    from tracetui.loaders.problems import problem_lines
    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths

    store = TraceStore()
    backend_sources, paths = split_sources(_sources(sources))
    problems = load_paths(paths, store) if paths else []
    backends = open_backends(backend_sources)
    for b in needs_a_service(backends, search, trace_id):
        say(service_hint(b))
        sys.exit(2)
    problems += load_backend_sources(backends, store, search, trace_id)
    for line in problem_lines(problems, verbose=verbose):
        say(line)
    if not store.span_count and not (backend_sources and not paths):
        say("no spans could be loaded")
        sys.exit(2)
    return store, problems


def say(line: str) -> None:
    """One cleaned line on stderr, `tracetui: ` first."""
    from tracetui.render.text import clean

    click.echo(f"tracetui: {clean(line)}", err=True)


def exit_status(problems) -> int:
    """1 when some input was lost (any problem but a warning), else 0."""
    return 1 if any(not p.warning for p in problems) else 0
