"""`tracetui export SOURCE… --format otlp|jaeger|zipkin -o FILE`: write the traces loaded (all,
one with --trace, or those a --filter query matches) in another format."""

from __future__ import annotations

import os
import sys

import click

from tracetui.cli.backends import search_options

FORMATS = ("otlp", "jaeger", "zipkin")  # tracetui.render.export.FORMATS, without importing it here


@click.command("export")
@click.argument("sources", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="otlp: OTLP JSON Lines (the Collector's file exporter); jaeger: Jaeger JSON (Jaeger UI's "
                   "upload); zipkin: Zipkin v2 JSON.")
@click.option("-o", "--output", required=True, metavar="FILE", help="Where to write ('-' for stdout).")
@click.option("--trace", "trace_id", metavar="ID", help="Only this trace (a full id or a unique prefix).")
@click.option("--filter", "query_text", metavar="QUERY",
              help="Only the traces this query matches (the trace list's filter language).")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def export_cmd(sources: tuple[str, ...], fmt: str, output: str, trace_id: str | None, query_text: str | None,
               verbose: bool, search) -> None:
    """Write the traces of SOURCES as OTLP JSON, Jaeger JSON or Zipkin v2 JSON.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded
    or nothing matched.
    """
    from tracetui.cli.headless import find_trace_or_exit, finish, load_for_print
    from tracetui.model.query import QueryError, parse_query
    from tracetui.render.export import write_traces
    from tracetui.render.text import clean

    query = None
    if query_text is not None:
        try:
            query = parse_query(query_text)
        except QueryError as e:
            raise click.UsageError(f"--filter: {e}") from None
    store, problems, err = load_for_print(sources, search, trace_id, verbose)

    def say(line: str) -> None:
        err.print(f"tracetui: {clean(line)}", markup=False, highlight=False, soft_wrap=True)

    traces = [find_trace_or_exit(store, trace_id, err)] if trace_id is not None else store.sorted_by_start()
    if query is not None:
        traces = [t for t in traces if query.match_trace(t)]
    if not traces:
        say("no trace matched: nothing written")
        sys.exit(2)
    try:
        if output == "-":
            n = write_traces(traces, fmt, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            tmp = f"{output}.tmp-{os.getpid()}"
            try:
                with open(tmp, "wb") as f:
                    n = write_traces(traces, fmt, f)
                os.replace(tmp, output)  # a reader never sees half a file
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    except OSError as e:
        say(f"{output}: cannot write: {e.strerror or e}")
        sys.exit(2)
    if output != "-":
        say(f"{output}: {len(traces):,} trace{'s' if len(traces) != 1 else ''}, {n:,} spans written ({fmt})")
    finish(store, problems, err)
