"""The `tracetui` group and its `open` and `summary` commands. Thin: parse options, fill a store, then run the TUI or print."""

from __future__ import annotations

import os
import sys

import click

from tracetui import __version__
from tracetui.cli.backends import search_options
from tracetui.cli.lazy_group import LazyGroup
from tracetui.cli.live import live_options  # --listen on open


class DefaultGroup(LazyGroup):
    """`tracetui FILE…` means `tracetui open FILE…`: sources are the common case.

    A first word that is neither a command nor a source (an existing path, `-`, a backend
    `x+http://…` or `@name`) is a mistyped command: an error, not a file the explorer would open.
    """

    default_command = "open"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.command_names() and args[0] not in ("--help", "-h", "--version")):
            if args and not _could_be_a_source(args[0]):
                commands = ", ".join(self.command_names())
                raise click.UsageError(f"no such command or file: {args[0]} (commands: {commands})", ctx)
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _could_be_a_source(word: str) -> bool:
    """An option (`--listen`), stdin (`-`), a backend (`jaeger+http://…`, `@name`) or an existing path."""
    return word.startswith("-") or word.startswith("@") or "://" in word or os.path.lexists(word)


def _need_a_terminal(keys: bool = True) -> None:
    """The explorer draws on stdout and reads keys from stdin: refuse to start (instead of writing
    escape codes into a file and spinning) when they are not a terminal."""
    if not sys.stdout.isatty():
        raise click.ClickException("the explorer needs a terminal, and stdout is not one (no terminal to draw on); "
                                   "use `tracetui summary` for headless output")
    if keys and not sys.stdin.isatty():
        raise click.ClickException("the explorer reads keys from a terminal, and stdin is not one; name the "
                                   "input ('-' for stdin) or use `tracetui summary` for headless output")


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracetui")
def main() -> None:
    """A terminal explorer for distributed traces.

    \b
    tracetui FILE...            open trace dumps in the explorer
    tracetui summary FILE...    print the traces (or one with --trace) headless
    tracetui compare FILE...    what the slowest 10% (or --select QUERY) have in common
    tracetui flame FILE...      a flame graph headless (--folded for flamegraph.pl, speedscope)
    tracetui --listen           receive OTLP live (127.0.0.1:4318) and explore as traces arrive
    tracetui record -o F.jsonl  receive OTLP headless into a capture file
    tracetui lint FILE...       check the traces for broken instrumentation and anti-patterns
    """


# Each command's module is imported when it runs (cli/lazy_group.py): name, where, first sentence of its help.
_LAZY_COMMANDS = (
    ("record", "tracetui.cli.live:record_cmd", "Receive OTLP headless and write every accepted "
     "request to a capture file."),
    ("stats", "tracetui.cli.stats:stats_cmd", "Count, total, self time, critical path and errors "
     "per service or operation."),
    ("map", "tracetui.cli.map:map_cmd", "The service map of SOURCES: caller → callee, calls, "
     "errors, p50/p99 latency."),
    ("export", "tracetui.cli.export:export_cmd", "Write the traces of SOURCES as OTLP JSON, Jaeger "
     "JSON or Zipkin v2 JSON."),
    ("serve", "tracetui.cli.serve:serve_cmd", "Serve the explorer of SOURCES to a browser "
     "(http://127.0.0.1:8000 by default)."),
    ("compare", "tracetui.cli.compare:compare_cmd", "Compare a selection of the traces in SOURCES "
     "with the rest (or a baseline query): which operations take the extra time, which attribute "
     "values the selection has more often."),
    ("flame", "tracetui.cli.flame:flame_cmd", "Print a flame graph: of one trace (--trace), or of "
     "the critical path of many traces (--root)."),
    ("lint", "tracetui.cli.lint:lint_cmd", "Check traces for broken instrumentation (orphans, lost "
     "server spans, split traces, clock skew, bad times, duplicate ids, cycles, missing service "
     "names, ids in span names, oversized or renamed attributes) and anti-patterns (N+1 queries, "
     "sequential calls, retries)."),
    ("diff", "tracetui.cli.diff:diff_cmd", "Compare two traces: per call path, the span count, "
     "duration and critical-path time in A and in B, the largest change in critical-path time first "
     "(JSON) or as a tree (unchanged subtrees folded)."),
    ("sample", "tracetui.cli.sample:sample_cmd", "Preview a sampling policy on the traces in "
     "SOURCES: kept share and what it loses."),
)
for _name, _where, _help in _LAZY_COMMANDS:
    main.add_lazy_command(_name, _where, _help)


@main.command("open")
@click.argument("sources", nargs=-1)
@live_options
@click.option("--trace", "trace_id", metavar="ID", help="From a backend: fetch this trace instead of searching.")
@click.option("--utc", is_flag=True, help="Show times in UTC instead of local time.")
@click.option("--follow-capture", metavar="FILE", hidden=True,
              help="Follow a capture file `record` is writing (a browser tab of `serve --listen`).")
@click.option("--capture-label", metavar="TEXT", hidden=True, default="", help="How the followed capture is named.")
@search_options(follow=True)
def open_cmd(sources: tuple[str, ...], trace_id: str | None, utc: bool, search, follow_capture: str | None = None,
             capture_label: str = "") -> None:
    """Open trace dumps (files, directories, '-' for stdin) or backends (jaeger+http://…, @name)."""
    from tracetui.cli.backends import load_backend_sources, needs_a_service, open_backends, split_sources
    from tracetui.cli.headless import sources_or_stdin
    from tracetui.cli.serve import served
    from tracetui.model import TraceStore

    if follow_capture is not None:
        return _open_capture(sources, follow_capture, capture_label, utc)
    backend_sources, paths = split_sources(sources_or_stdin(sources))
    store = TraceStore()
    # Backends are searched now, so a wrong URL or token is one line before the screen opens.
    backends = open_backends(backend_sources)
    if not served():  # under `tracetui serve` the screen and keys are a browser tab's
        _need_a_terminal(keys="-" not in paths)  # keys come from /dev/tty after a pipe is read
    ask = needs_a_service(backends, search, trace_id)  # Jaeger without --service: ask in the TUI
    problems = load_backend_sources(backends, store, search, trace_id, progress=True, skip=tuple(ask))
    loader = files_loader(paths)

    from tracetui.ui.app import make_app

    # backends are named by their label: a URL's userinfo (a password) is never shown
    make_app(store, problems=problems, sources=[*paths, *(b.label for b in backends)],
             loader=loader if paths else None, utc=utc, backends=backends, search=search.params() if backends else None,
             follow=search.follow, search_first=bool(ask), open_trace_id=trace_id).run()


def _open_capture(sources: tuple[str, ...], capture: str, label: str, utc: bool) -> None:
    """The explorer of a browser tab of `serve --listen`: the files named, and the capture file
    the shared receiver writes, followed as it grows (retention as in live mode)."""
    from tracetui.cli.serve import served
    from tracetui.model import TraceStore
    from tracetui.sources.receiver.config import DEFAULT_MAX_SPANS
    from tracetui.ui.app import make_app
    from tracetui.ui.feeders.capture import CaptureFeeder

    if not served():
        _need_a_terminal()
    paths = list(sources)
    store = TraceStore(max_spans=DEFAULT_MAX_SPANS)
    make_app(store, sources=paths, loader=files_loader(paths) if paths else None, utc=utc,
             feeders=[CaptureFeeder(capture, label)]).run()


def files_loader(paths: list[str]):
    """The loader of the explorer's file sources (a generator function of batches).

    The pipe is read now (keys must come from the terminal afterwards); everything is parsed in
    the app's background worker, so the first screen paints at once even for huge files."""
    from tracetui.sources.files import iter_paths, read_stdin_now

    piped = read_stdin_now() if "-" in paths else None  # at most the input limit
    if piped is not None:
        _reattach_terminal()
        _need_a_terminal()

    def loader():
        # Every source in the order given (a directory's non-dumps only warned about); the
        # pipe's bytes were read above. Compression and format are told by content. Its
        # `progress` (bytes read of the files' size) is what the status bar shows.
        return iter_paths(paths, stdin=piped)

    return loader


def _reattach_terminal() -> None:
    """After reading a pipe on stdin, take keys from the terminal instead."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        raise click.ClickException("stdin was a pipe and there is no terminal to take keys from; "
                                   "use `tracetui summary -` for headless output") from None
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 (fd 0 stays open for the app)


@main.command("summary")
@click.argument("sources", nargs=-1)
@click.option("--trace", "trace_id", metavar="ID", help="Show this trace: critical path and self time.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see README) instead of tables.")
@click.option("--utc", is_flag=True, help="Show times in UTC instead of local time.")
@click.option("--top", default=10, show_default=True, metavar="N",
              help="With --trace: how many spans to list by self time and on the critical path.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@click.option("--no-adjust", is_flag=True,
              help="Show times as read: do not adjust clock skew between services (see README).")
@search_options()
def summary_cmd(sources: tuple[str, ...], trace_id: str | None, as_json: bool, utc: bool, top: int, verbose: bool,
                no_adjust: bool, search) -> None:
    """Print the traces in SOURCES, or one trace's critical path and self time.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded.
    """
    from tracetui.cli.headless import find_trace_or_exit, finish, load_for_print, print_json, print_json_text
    from tracetui.render.summary_json import summary_json_text, trace_json

    store, problems, err = load_for_print(sources, search, trace_id, verbose, adjust_skew=not no_adjust,
                                          empty_search_ok=True)
    trace = find_trace_or_exit(store, trace_id, err) if trace_id is not None else None
    if as_json:
        if trace is not None:
            print_json(trace_json(trace))
        else:
            print_json_text(summary_json_text(store))
    else:
        from rich.console import Console

        from tracetui.render.summary import print_summary, print_trace

        out = Console(highlight=False)
        if trace is not None:
            print_trace(out, trace, utc=utc, top=top)
        else:
            print_summary(out, store, utc=utc)
    finish(store, problems, err)
