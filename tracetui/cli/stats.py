"""`tracetui stats SOURCE… [--trace ID] [--by service|operation|both] [--json]`: span statistics
by service and operation (Jaeger UI's Trace Statistics), for one trace or every trace loaded."""

from __future__ import annotations

import click

from tracetui.cli.backends import search_options


@click.command("stats")
@click.argument("sources", nargs=-1)
@click.option("--trace", "trace_id", metavar="ID", help="Only this trace (a full id or a unique prefix).")
@click.option("--by", "by", type=click.Choice(["service", "operation", "both"]), default="service",
              show_default=True, help="Group by service, by operation (service and span name), or both.")
@click.option("--json", "as_json", is_flag=True, help='Print {"groups": [...]} (see README) instead of a table.')
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@click.option("--no-adjust", is_flag=True,
              help="Use times as read: do not adjust clock skew between services (see README).")
@search_options()
def stats_cmd(sources: tuple[str, ...], trace_id: str | None, by: str, as_json: bool, verbose: bool, no_adjust: bool,
              search) -> None:
    """Count, total, self time, critical path and errors per service or operation.

    Over every trace loaded, or one with --trace. Exit status as `summary`.
    """
    from tracetui.analysis.stats import trace_stats, traces_stats
    from tracetui.cli.headless import find_trace_or_exit, finish, load_for_print, print_json

    store, problems, err = load_for_print(sources, search, trace_id, verbose, adjust_skew=not no_adjust,
                                          empty_search_ok=True)
    if trace_id is not None:
        trace = find_trace_or_exit(store, trace_id, err)
        stats = trace_stats(trace, keep_positions=False)
        title = f"Trace {trace.trace_id}"
    else:
        stats = traces_stats(store)
        title = "All traces"
    if as_json:
        from tracetui.render.stats_columns import stats_json

        print_json(stats_json(stats, by))
    else:
        from rich.console import Console

        from tracetui.render.stats_table import print_stats

        print_stats(Console(highlight=False), stats, by, title)
    finish(store, problems, err)
