"""`tracetui diff SOURCE… --trace A --trace B [--json]`: two traces side by side, as the union of
their call trees keyed by call path (analysis/trace_diff.py). See README."""

from __future__ import annotations

import click

from tracetui.cli.backends import search_options


@click.command("diff")
@click.argument("sources", nargs=-1)
@click.option("--trace", "trace_ids", metavar="ID", multiple=True,
              help="Twice: trace A, then trace B (full id or unique prefix).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (see README) instead of the tree.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def diff_cmd(sources: tuple[str, ...], trace_ids: tuple[str, ...], as_json: bool, verbose: bool, search) -> None:
    """Compare two traces: per call path, the span count, duration and critical-path time in A
    and in B, the largest change in critical-path time first (JSON) or as a tree (unchanged
    subtrees folded). From a backend, both traces must be among what the search finds.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded
    or a trace is not there.
    """
    from tracetui.cli.loading import find_trace_or_exit, finish, load_for_print

    if len(trace_ids) != 2:
        raise click.UsageError(f"name two traces: --trace A --trace B (got {len(trace_ids)})")
    store, problems, err = load_for_print(sources, search, None, verbose)
    a = find_trace_or_exit(store, trace_ids[0], err)
    b = find_trace_or_exit(store, trace_ids[1], err)
    from tracetui.analysis.trace_diff import diff_traces
    from tracetui.cli.flame import _write_json, _write_lines

    d = diff_traces(a, b)
    if as_json:
        from tracetui.render.trace_diff import diff_json

        _write_json(diff_json(d))
    else:
        from tracetui.render.trace_diff import diff_table

        _write_lines(diff_table(d, a, b))
    finish(store, problems, err)
