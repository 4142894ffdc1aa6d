"""The `tracetui` command. Thin: parse options, fill a store, then run the TUI or print."""

from __future__ import annotations

import io
import os
import sys

import click
import orjson
from rich.console import Console

from tracetui import __version__


class DefaultGroup(click.Group):
    """`tracetui FILE…` means `tracetui open FILE…`: sources are the common case."""

    default_command = "open"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _sources(sources: tuple[str, ...]) -> list[str]:
    """The sources named, or stdin when it is a pipe (or a redirected file) and none are named."""
    from tracetui.sources.files import stdin_has_data

    if sources:
        return list(sources)
    if stdin_has_data():
        return ["-"]
    raise click.UsageError("name a trace file (or '-' for stdin), e.g. tracetui sample_traces/shop.json")


def _skipped(problems) -> int:
    return sum(p.skipped for p in problems)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracetui")
def main() -> None:
    """A terminal explorer for distributed traces.

    \b
    tracetui FILE...            open trace dumps in the explorer
    tracetui summary FILE...    print the traces (or one with --trace) headless
    tracetui --listen           receive OTLP live (127.0.0.1:4318) and explore as traces arrive
    tracetui record -o F.jsonl  receive OTLP headless into a capture file
    """


@main.command("open")
@click.argument("sources", nargs=-1)
@click.option("--listen", is_flag=False, flag_value="127.0.0.1:4318", default=None, metavar="[HOST:PORT]",
              help="Live mode: receive OTLP/HTTP (default 127.0.0.1:4318) and show traces as they arrive.")
@click.option("--grpc", is_flag=False, flag_value="127.0.0.1:4317", default=None, metavar="[HOST:PORT]",
              help="Live mode: also receive OTLP/gRPC (default 127.0.0.1:4317); needs tracetui[grpc].")
@click.option("--token", envvar="TRACETUI_TOKEN", default=None, metavar="TOKEN",
              help="Live mode: require 'Authorization: Bearer TOKEN' (or set TRACETUI_TOKEN).")
@click.option("--max-spans", default=1_000_000, show_default=True, metavar="N",
              help="Live mode: keep at most N spans; the oldest whole traces go first.")
@click.option("--max-request-size", default="64MiB", show_default=True, metavar="SIZE",
              help="Live mode: largest request accepted, after decompression (413 above it).")
def open_cmd(sources: tuple[str, ...], listen: str | None, grpc: str | None, token: str | None,
             max_spans: int, max_request_size: str) -> None:
    """Open trace dumps (files, directories, '-' for stdin) in the explorer; or receive them live."""
    from tracetui.model import TraceStore
    from tracetui.sources.files import iter_paths

    live = None
    if listen is not None or grpc is not None:
        live = _live_config(listen, grpc, token, max_request_size)
        _check_free(live)
    paths = list(sources) if live is not None else _sources(sources)
    store = TraceStore(max_spans=max_spans if live is not None else None)
    # The pipe is read now (keys must come from the terminal afterwards); everything is parsed
    # in the app's background worker, so the first screen paints at once even for huge files.
    piped = sys.stdin.buffer.read() if "-" in paths else None
    if piped is not None:
        _reattach_terminal()

    def loader():
        # Every source in the order given (a directory's non-dumps only warned about); the
        # pipe's bytes were read above. Compression and format are told by content.
        yield from iter_paths(paths, stdin=io.BytesIO(piped) if piped is not None else None)

    from tracetui.ui.app import make_app

    app = make_app(store, sources=paths, loader=loader if paths else None, live=live)
    app.run()
    sys.exit(app.return_code or 0)


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
@click.option("--top", default=10, show_default=True, help="How many spans to list by self time.")
def summary_cmd(sources: tuple[str, ...], trace_id: str | None, as_json: bool, utc: bool, top: int) -> None:
    """Print the traces in SOURCES, or one trace's critical path and self time.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded.
    """
    from tracetui.model import TraceStore
    from tracetui.render.summary import find_trace, print_summary, print_trace, summary_json, trace_json
    from tracetui.sources.files import load_paths

    err = Console(stderr=True, highlight=False)
    store = TraceStore()
    problems = load_paths(_sources(sources), store)
    for p in problems:
        err.print(f"tracetui: {p}", markup=False, highlight=False, soft_wrap=True)
    if not store.span_count:
        err.print("tracetui: no spans could be loaded", markup=False)
        sys.exit(2)
    if trace_id is not None:
        trace, error = find_trace(store, trace_id)
        if trace is None:
            err.print(f"tracetui: {error}", markup=False)
            sys.exit(2)
    if as_json:
        doc = trace_json(trace) if trace_id is not None else summary_json(store)
        sys.stdout.buffer.write(orjson.dumps(doc) + b"\n")
        sys.stdout.flush()
    else:
        out = Console(highlight=False)
        if trace_id is not None:
            print_trace(out, trace, utc=utc, top=top)
        else:
            print_summary(out, store, utc=utc)
    skipped = _skipped(problems)
    # Any problem but a warning (data kept) lost input: a missing file or a line of bad JSON too,
    # though they count no spans.
    if any(not p.warning for p in problems):
        err.print(f"tracetui: {skipped} spans skipped" if skipped else "tracetui: some input could not be read",
                  markup=False)
        sys.exit(1)
    sys.exit(0)


# -- live: the OTLP receiver ----------------------------------------------------------------


def _check_free(config) -> None:
    """Say at once, before the screen is taken over, when an address is taken."""
    import socket

    for addr in (config.http, config.grpc):
        if addr is None:
            continue
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(addr)
            except OSError as e:
                raise click.ClickException(f"cannot listen on {addr[0]}:{addr[1]}: {e.strerror or e}") from None
    for w in config.warnings():
        click.echo(f"tracetui: {w}", err=True)


def _live_config(listen: str | None, grpc: str | None, token: str | None, max_request_size: str):
    """The receiver settings from the options; a usage error for a bad address or a missing extra."""
    from tracetui.sources.grpc_receiver import GrpcMissing, _grpc
    from tracetui.sources.live import LiveConfig, parse_size

    try:
        config = LiveConfig.from_options(listen, grpc, token, parse_size(max_request_size))
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    if config.grpc is not None:
        try:
            _grpc()
        except GrpcMissing as e:
            raise click.ClickException(str(e)) from None
    return config


@main.command("record")
@click.option("--listen", default="127.0.0.1:4318", show_default=True, metavar="HOST:PORT",
              help="Where to receive OTLP/HTTP. Beyond loopback only when you name such an address.")
@click.option("--grpc", is_flag=False, flag_value="127.0.0.1:4317", default=None, metavar="[HOST:PORT]",
              help="Also receive OTLP/gRPC (default 127.0.0.1:4317); needs tracetui[grpc].")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Capture file: one OTLP JSON request per line (open it later with tracetui FILE).")
@click.option("--append", is_flag=True, help="Add to the capture file instead of replacing it.")
@click.option("--token", envvar="TRACETUI_TOKEN", default=None, metavar="TOKEN",
              help="Require 'Authorization: Bearer TOKEN' (or set TRACETUI_TOKEN).")
@click.option("--max-request-size", default="64MiB", show_default=True, metavar="SIZE",
              help="Largest request accepted, after decompression (413 above it).")
def record_cmd(listen: str, grpc: str | None, output: str, append: bool, token: str | None,
               max_request_size: str) -> None:
    """Receive OTLP headless and write every accepted request to a capture file.

    Runs until Ctrl-C or SIGTERM; every request answered 200 is on disk by then.
    """
    from tracetui.sources.record import run_record

    config = _live_config(listen, grpc, token, max_request_size)
    try:
        status = run_record(config, output, append=append)
    except OSError as e:
        raise click.ClickException(str(e)) from None
    sys.exit(status)
