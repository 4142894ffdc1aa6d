"""`tracetui compare`: what is different about the slow (or failing, or any chosen) traces."""

from __future__ import annotations

import sys

import click

from tracetui.cli.backends import search_options


@click.command("compare")
@click.argument("sources", nargs=-1)
@click.option("--select", "select_query", metavar="QUERY",
              help="The selection: traces matching this query of the filter language (e.g. 'error', "
                   "'host.name=b', 'duration>800ms').")
@click.option("--slowest", "slowest", type=float, metavar="PCT",
              help="The selection: the slowest PCT% of the traces (default 10: duration at or above the p90).")
@click.option("--baseline", "baseline", metavar="QUERY",
              help="The baseline: the traces not selected that match this query (default: every trace not selected).")
@click.option("--span-scope", "span_scope", metavar="'SERVICE: NAME'",
              help="Compare attributes over the spans of this operation (span scope) instead of whole traces.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see README) instead of tables.")
@click.option("--top", default=10, show_default=True, metavar="N", help="Rows of each table (text output).")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def compare_cmd(sources: tuple[str, ...], select_query: str | None, slowest: float | None, baseline: str | None,
                span_scope: str | None, as_json: bool, top: int, verbose: bool, search) -> None:
    """Compare a selection of the traces in SOURCES with the rest (or a baseline query): which
    operations take the extra time, which attribute values the selection has more often.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded
    or the options cannot be used.
    """
    from tracetui.analysis.compare import Comparer, Selection
    from tracetui.cli.commands import _count, _exit_now, _LazyConsole, _skipped, _sources
    from tracetui.model.query import QueryError

    err = _LazyConsole(stderr=True, highlight=False)

    def fail(message: str) -> None:
        from tracetui.render.text import clean  # (the console cleans too: the options quote the user's text)

        err.print(f"tracetui: {clean(message)}", markup=False, soft_wrap=True)
        sys.exit(2)

    if select_query is not None and slowest is not None:
        fail("--select and --slowest choose the selection two ways: give one")
    try:
        selection = Selection.matching(select_query) if select_query is not None else \
            Selection.slowest(10.0 if slowest is None else slowest)
        if baseline is not None:
            from tracetui.model.query import parse_query

            parse_query(baseline)
    except QueryError as e:
        fail(f"{'--select' if select_query is not None and baseline is None else 'query'}: {e}")
    except ValueError as e:
        fail(f"--slowest: {e}")
    scope_op = None
    if span_scope is not None:
        service, sep, name = span_scope.partition(": ")
        if not sep or not service or not name:
            fail(f"--span-scope takes 'SERVICE: NAME' (as the operations table shows it), got {span_scope!r}")
        scope_op = (service, name)

    store, problems = _load(_sources(sources), search, err, verbose)
    traces = sorted(store, key=lambda t: (t.start_ns, t.trace_id))
    if scope_op is not None and not any(s.name == scope_op[1] and s.resource.service == scope_op[0]
                                        for t in traces for s in t.spans):
        fail(f"--span-scope: no span of {span_scope!r} in the traces")
    result = Comparer(traces).compare(selection, baseline, scope_op)
    if result.sampled:
        err.print(f"tracetui: the tables come from a sample of {result.selection_sampled:,} selected and "
                  f"{result.baseline_sampled:,} baseline traces (the same every run); the counts are of all",
                  markup=False, soft_wrap=True)
    if not result.selection_count:
        err.print("tracetui: the selection is empty: no trace matches it", markup=False)
    elif not result.baseline_count:
        err.print("tracetui: the baseline is empty: every trace is selected or none matches --baseline", markup=False)
    if as_json:
        from tracetui.render.text import json_bytes

        sys.stdout.buffer.write(json_bytes(result.to_json()) + b"\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        from tracetui.render.compare import print_comparison

        print_comparison(Console(highlight=False), result, top=top)
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


def _load(sources: list[str], search, err, verbose: bool):
    """Fill a store from files and backends, as `tracetui summary` does; problems to stderr."""
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

    store = TraceStore()
    backend_sources, paths = split_sources(sources)
    problems = load_paths(paths, store) if paths else []
    backends = open_backends(backend_sources)
    for b in needs_a_service(backends, search, None):
        err.print(f"tracetui: {service_hint(b)}", markup=False, soft_wrap=True)
        sys.exit(2)
    problems += load_backend_sources(backends, store, search, None)
    for line in problem_lines(problems, verbose=verbose):
        err.print(f"tracetui: {line}", markup=False, highlight=False, soft_wrap=True)
    if not store.span_count:
        err.print("tracetui: no spans could be loaded" if not backend_sources or paths else
                  "tracetui: no traces matched the search", markup=False)
        sys.exit(2)
    return store, problems
