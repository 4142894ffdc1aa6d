"""`tracetui lint SOURCE… [--json]`: what in the traces says the tracing is broken, and the
anti-patterns they show. Exit status 0 when clean, 1 when something was found, 2 when nothing
loaded (usable in CI)."""

from __future__ import annotations

import sys

import click

from tracetui.cli.backends import search_options


@click.command("lint")
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see README) instead of the report.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def lint_cmd(sources: tuple[str, ...], as_json: bool, verbose: bool, search) -> None:
    """Check traces for broken instrumentation (orphans, lost server spans, split traces, clock
    skew, bad times, duplicate ids, cycles, missing service names, ids in span names, oversized or
    renamed attributes) and anti-patterns (N+1 queries, sequential calls, retries).

    Exit status: 0 when nothing was found, 1 when something was, 2 when nothing loaded.
    """
    from tracetui.analysis.lint import lint
    from tracetui.cli.backends import (
        load_backend_sources,
        needs_a_service,
        open_backends,
        service_hint,
        split_sources,
    )
    from tracetui.cli.commands import _exit_now, _LazyConsole, _sources
    from tracetui.loaders.problems import problem_lines
    from tracetui.model import TraceStore
    from tracetui.render.lint import lint_json, time_problems
    from tracetui.sources.files import load_paths

    err = _LazyConsole(stderr=True, highlight=False)
    store = TraceStore()
    backend_sources, paths = split_sources(_sources(sources))
    problems = load_paths(paths, store) if paths else []
    backends = open_backends(backend_sources)
    for b in needs_a_service(backends, search, None):
        err.print(f"tracetui: {service_hint(b)}", markup=False, soft_wrap=True)
        sys.exit(2)
    problems += load_backend_sources(backends, store, search, None)
    for line in problem_lines(problems, verbose=verbose):
        err.print(f"tracetui: {line}", markup=False, highlight=False, soft_wrap=True)
    if not store.span_count:
        err.print("tracetui: no spans could be loaded", markup=False)
        sys.exit(2)
    report = lint(store, time_problems(problems))
    if as_json:
        from tracetui.render.text import json_bytes

        sys.stdout.buffer.write(json_bytes(lint_json(report)) + b"\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        from tracetui.render.lint import print_lint

        print_lint(Console(highlight=False), report)
    _exit_now(1 if report else 0, store)
