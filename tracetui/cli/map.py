"""`tracetui map SOURCE…`: the calls between services, as a graph and a table, or as JSON."""

from __future__ import annotations

import sys

import click

from tracetui.cli.backends import search_options


@click.command("map")
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True,
              help='Print {"edges": [{"caller", "callee", "calls", "errors", "p50_ns", "p99_ns"}, …]} (see README).')
@click.option("--focus", metavar="SERVICE", help="Only the paths through this service (upstream and downstream).")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def map_cmd(sources: tuple[str, ...], as_json: bool, focus: str | None, verbose: bool, search) -> None:
    """The service map of SOURCES: caller → callee, calls, errors, p50/p99 latency.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded.
    """
    from tracetui.analysis.service_map import service_map
    from tracetui.cli.headless import finish, load_for_print
    from tracetui.render.text import clean

    store, problems, err = load_for_print(sources, search, None, verbose)
    traces = list(store)
    if focus is not None and not any(focus in t.services for t in traces):
        err.print(f"tracetui: no span of service {clean(repr(focus))} in the traces loaded", markup=False,
                  highlight=False, soft_wrap=True)
        sys.exit(2)
    smap = service_map(traces, focus=focus)
    if as_json:
        from tracetui.render.text import json_bytes

        sys.stdout.buffer.write(json_bytes(smap.to_json()) + b"\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        from tracetui.render.service_map import print_service_map
        from tracetui.viewmodels.service_graph import layout, render_plain

        out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)  # no cut names in a pipe
        if smap.edges:
            for line in render_plain(layout(smap)):
                out.print(clean(line), markup=False, highlight=False, crop=False, soft_wrap=True)
            out.print()
        print_service_map(out, smap)
    finish(store, problems, err)
