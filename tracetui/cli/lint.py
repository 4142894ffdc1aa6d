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
    from tracetui.cli.commands import _exit_now
    from tracetui.cli.loading import load_for_print
    from tracetui.render.lint import lint_json, time_problems

    store, problems, _err = load_for_print(sources, search, None, verbose)
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
