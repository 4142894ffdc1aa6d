"""The command line of live receiving: `tracetui --listen` (options of `open`) and `tracetui record`.

Kept out of cli/commands.py so that the `open` command only gains one decorator and two lines.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from tracetui.sources.receiver.config import DEFAULT_GRPC_LISTEN, DEFAULT_LISTEN, DEFAULT_MAX_SPANS

LISTEN_HELP = ("Where to receive OTLP/HTTP (a bare number is a port on 127.0.0.1). Beyond loopback only "
               "when you name such an address.")
# A command line is visible to every user of the machine (`ps`, /proc/PID/cmdline); the environment is not.
TOKEN_HELP = ("Prefer the environment variable TRACETUI_TOKEN: a token given as --token shows in `ps` "
              "to every user of the machine.")


def live_config(listen: str | None, grpc: str | None, token: str | None, max_request_size: str):
    """The receiver settings from the options; a usage error for a bad address or size, one line
    saying how to get grpcio when --grpc is asked without it."""
    from tracetui.sources.receiver.config import LiveConfig, parse_size
    from tracetui.sources.receiver.grpc import GrpcMissing, _grpc

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


def check_free(config) -> None:
    """Say at once, before the screen is taken over, when an address is taken; warn about
    addresses other machines can reach."""
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
    from tracetui.render.text import clean

    for w in config.warnings():
        click.echo(f"tracetui: {clean(w)}", err=True)


def live_options(f: Callable) -> Callable:
    """Add --listen/--grpc/--token/--max-spans/--max-request-size to `open`. With --listen or
    --grpc the command runs live mode (`open_live`) instead of its own body; otherwise it runs
    as if these options did not exist (its signature does not change)."""
    opts = [
        click.option("--listen", is_flag=False, flag_value=DEFAULT_LISTEN, default=None, metavar="[HOST:PORT]",
                     help=f"Live mode: receive OTLP/HTTP (default {DEFAULT_LISTEN}) and show traces as they arrive."),
        click.option("--grpc", is_flag=False, flag_value=DEFAULT_GRPC_LISTEN, default=None, metavar="[HOST:PORT]",
                     help=f"Live mode: also receive OTLP/gRPC (default {DEFAULT_GRPC_LISTEN}); needs tracetui[grpc]."),
        click.option("--token", envvar="TRACETUI_TOKEN", default=None, metavar="TOKEN",
                     help=f"Live mode: require 'Authorization: Bearer TOKEN'. {TOKEN_HELP}"),
        click.option("--max-spans", default=DEFAULT_MAX_SPANS, show_default=True, metavar="N",
                     help="Live mode: keep at most N spans; the oldest whole traces go first."),
        click.option("--max-request-size", default="64MiB", show_default=True, metavar="SIZE",
                     help="Live mode: largest request accepted, after decompression (413 above it)."),
    ]

    @functools.wraps(f)
    def wrapper(*args: Any, listen: str | None, grpc: str | None, token: str | None, max_spans: int,
                max_request_size: str, **kwargs: Any) -> Any:
        if listen is None and grpc is None:
            return f(*args, **kwargs)
        live = live_config(listen, grpc, token, max_request_size)
        check_free(live)
        from tracetui.cli.commands import _need_a_terminal

        _need_a_terminal(keys="-" not in kwargs.get("sources", ()))
        return open_live(kwargs.get("sources", ()), live, max_spans, utc=bool(kwargs.get("utc")))

    for opt in reversed(opts):
        wrapper = opt(wrapper)
    return wrapper


def open_live(sources: tuple[str, ...], live, max_spans: int, *, utc: bool = False) -> None:
    """`tracetui --listen [FILE…]`: the explorer with the receivers; files named are loaded too
    (stdin only when '-' is named: in live mode a pipe is not assumed)."""

    from tracetui.cli.commands import files_loader
    from tracetui.model import TraceStore
    from tracetui.ui.app import make_app

    paths = list(sources)
    store = TraceStore(max_spans=max_spans)
    loader = files_loader(paths)
    app = make_app(store, sources=paths, loader=loader if paths else None, live=live, utc=utc)
    app.run()
    sys.exit(app.return_code or 0)


@click.command("record")
@click.option("--listen", default=DEFAULT_LISTEN, show_default=True, metavar="HOST:PORT", help=LISTEN_HELP)
@click.option("--grpc", is_flag=False, flag_value=DEFAULT_GRPC_LISTEN, default=None, metavar="[HOST:PORT]",
              help=f"Also receive OTLP/gRPC (default {DEFAULT_GRPC_LISTEN}); needs tracetui[grpc].")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Capture file: one OTLP JSON request per line (open it later with tracetui FILE).")
@click.option("--append", is_flag=True, help="Add to the capture file instead of replacing it.")
@click.option("--token", envvar="TRACETUI_TOKEN", default=None, metavar="TOKEN",
              help=f"Require 'Authorization: Bearer TOKEN'. {TOKEN_HELP}")
@click.option("--max-request-size", default="64MiB", show_default=True, metavar="SIZE",
              help="Largest request accepted, after decompression (413 above it).")
def record_cmd(listen: str, grpc: str | None, output: str, append: bool, token: str | None,
               max_request_size: str) -> None:
    """Receive OTLP headless and write every accepted request to a capture file.

    Runs until Ctrl-C or SIGTERM; every request answered 200 is on disk by then.
    """
    from tracetui.sources.receiver.record import run_record

    config = live_config(listen, grpc, token, max_request_size)
    try:
        status = run_record(config, output, append=append)
    except OSError as e:
        raise click.ClickException(str(e)) from None
    sys.exit(status)
