"""`tracetui flame`: a flame graph headless, of one trace (`--trace`) or of the traces of one root
operation (CRISP: `--root`, `--window`), as folded stacks, JSON or a table. See README.

Two branches with one boundary: `one_trace` (analysis/flame.py `call_tree` of one trace) and
`many_traces` (the CRISP mean over traces); the command only loads, picks the branch, and exits.
"""

from __future__ import annotations

import sys

import click

from tracetui.cli.backends import search_options


@click.command("flame")
@click.argument("sources", nargs=-1)
@click.option("--trace", "trace_id", metavar="ID", help="One trace (full id or unique prefix): its own flame graph.")
@click.option("--root", metavar='"SERVICE: NAME"',
              help="Without --trace: the root operation whose traces are added up (default: the most frequent).")
@click.option("--window", metavar="A-B",
              help="Without --trace: the traces whose duration falls between percentiles A and B (e.g. 95-100).")
@click.option("--folded", is_flag=True, help="Folded stacks (flamegraph.pl, inferno, speedscope): PATH MICROSECONDS.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (see README).")
@click.option("--top", default=30, show_default=True, metavar="N", help="Table only: how many call paths to list.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def flame_cmd(sources: tuple[str, ...], trace_id: str | None, root: str | None, window: str | None, folded: bool,
              as_json: bool, top: int, verbose: bool, search) -> None:
    """Print a flame graph: of one trace (--trace), or of the critical path of many traces (--root).

    Widths are time on the critical path itself: for one trace in µs, for many traces the mean
    per trace. Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when
    nothing loaded or the trace is not there.
    """
    from tracetui.cli.loading import finish, load_for_print

    if folded and as_json:
        raise click.UsageError("--folded and --json are two outputs: choose one")
    if trace_id is not None and (root is not None or window is not None):
        raise click.UsageError("--root and --window choose traces for the many-traces flame graph; "
                               "with --trace the flame graph is of that one trace")
    store, problems, err = load_for_print(sources, search, trace_id, verbose)
    if trace_id is not None:
        one_trace(store, trace_id, folded=folded, as_json=as_json, top=top, err=err)
    else:
        many_traces(store, root, window, folded=folded, as_json=as_json, top=top, err=err)
    finish(store, problems, err)


def one_trace(store, trace_id: str, *, folded: bool, as_json: bool, top: int, err) -> None:
    """The flame graph of one trace: folded stacks of critical-path self time, JSON, or a table."""
    from tracetui.cli.loading import find_trace_or_exit

    trace = find_trace_or_exit(store, trace_id, err)
    if as_json:
        from tracetui.render.flame import trace_flame_json

        _write_json(trace_flame_json(trace))
    elif folded:
        from tracetui.analysis.flame import cp_self_by_path
        from tracetui.render.flame import folded_lines

        _write_lines(folded_lines(cp_self_by_path(trace)))
    else:
        from tracetui.render.flame import trace_flame_table

        _write_lines(trace_flame_table(trace, top=top))


def many_traces(store, root: str | None, window: str | None, *, folded: bool, as_json: bool, top: int,
                err) -> None:
    """CRISP: the mean critical-path self time per call path over the traces of `root` (default:
    the most frequent root operation) whose duration falls in the `window` percentiles (default
    0-100)."""
    from tracetui.analysis.crisp import WindowError, crisp, parse_window, root_operations
    from tracetui.render.text import clean

    try:
        win = parse_window(window) if window is not None else (0.0, 100.0)
    except WindowError as e:
        err.print(f"tracetui: --{e}", markup=False, soft_wrap=True)
        sys.exit(2)
    c = crisp(store, root)
    if c is None:
        ops = root_operations(store)
        known = ", ".join(f"{clean(op, 60)} ({n:,})" for op, n in ops[:5]) + (", …" if len(ops) > 5 else "")
        err.print(f"tracetui: no trace has the root operation {clean(root, 80)!r} (root operations: {known})",
                  markup=False, soft_wrap=True)
        sys.exit(2)
    if as_json:
        from tracetui.render.crisp import crisp_json

        _write_json(crisp_json(c, win))
    elif folded:
        from tracetui.render.crisp import crisp_folded

        _write_lines(crisp_folded(c, win))
    else:
        from tracetui.render.crisp import crisp_table

        _write_lines(crisp_table(c, win, top=top))


def _write_lines(lines: list[str]) -> None:
    """Lines from render/flame.py, whose text from the data went through `clean` there."""
    out = sys.stdout
    for line in lines:
        out.write(line + "\n")
    out.flush()


def _write_json(doc: dict) -> None:
    from tracetui.render.text import json_bytes

    sys.stdout.buffer.write(json_bytes(doc) + b"\n")
    sys.stdout.flush()
