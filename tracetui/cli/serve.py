"""`tracetui serve [SOURCE…]`: the explorer in a browser, served by textual-serve.

textual-serve (the Textual project's own server) starts one `tracetui open …` process per
browser tab and relays its screen and keys over a websocket; every tab is a whole explorer of
the same sources (files, directories, backends with their search options). Loopback unless
`--host` names another address (then a warning: anyone who can reach the port can read the
traces, and textual-serve has no authentication).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

import click

from tracetui.cli.backends import _OPTS, search_options
from tracetui.cli.live import TOKEN_HELP, check_free, live_config
from tracetui.sources.receiver.config import DEFAULT_GRPC_LISTEN, DEFAULT_LISTEN

# The environment textual-serve gives the app it starts (textual_serve/app_service.py).
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def served() -> bool:
    """Whether this process is an explorer started by `tracetui serve` (its screen is a browser tab)."""
    return os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


def is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


@click.command("serve")
@click.argument("sources", nargs=-1)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HOST",
              help="Address to listen on (loopback by default; another address is reachable by others).")
@click.option("--trace", "trace_id", metavar="ID", help="From a backend: fetch this trace instead of searching.")
@click.option("--utc", is_flag=True, help="Show times in UTC instead of local time.")
@click.option("--listen", is_flag=False, flag_value=DEFAULT_LISTEN, default=None, metavar="[HOST:PORT]",
              help=f"Receive OTLP/HTTP (default {DEFAULT_LISTEN}) once for every tab: live traces in each.")
@click.option("--grpc", is_flag=False, flag_value=DEFAULT_GRPC_LISTEN, default=None, metavar="[HOST:PORT]",
              help=f"With --listen: also receive OTLP/gRPC (default {DEFAULT_GRPC_LISTEN}); needs tracetui[grpc].")
@click.option("--token", envvar="TRACETUI_TOKEN", default=None, metavar="TOKEN",
              help=f"With --listen: require 'Authorization: Bearer TOKEN'. {TOKEN_HELP}")
@click.option("--max-request-size", default="64MiB", show_default=True, metavar="SIZE",
              help="With --listen: largest request accepted, after decompression (413 above it).")
@click.option("--capture", metavar="FILE", type=click.Path(dir_okay=False, writable=True),
              help="With --listen: keep what is received in this file (default: a temporary file, deleted).")
@search_options(follow=True)
def serve_cmd(sources: tuple[str, ...], port: int, host: str, trace_id: str | None, utc: bool,
              listen: str | None, grpc: str | None, token: str | None, max_request_size: str, capture: str | None,
              search) -> None:
    """Serve the explorer of SOURCES to a browser (http://127.0.0.1:8000 by default).

    With --listen, one receiver serves every tab: it records what it accepts, each tab follows it.
    """
    try:
        from textual_serve.server import Server
    except ImportError:
        raise click.ClickException("serve needs textual-serve: pip install textual-serve") from None
    live = None
    if listen is not None or grpc is not None:
        live = live_config(listen or DEFAULT_LISTEN, grpc, token, max_request_size)
        check_free(live)
    elif not sources:
        raise click.UsageError("name the traces to serve: files, directories or a backend "
                               "(each browser tab loads them; stdin cannot be shared), or --listen")
    if "-" in sources:
        raise click.UsageError("serve cannot share stdin between browser tabs: save it to a file first")
    command = [sys.executable, "-m", "tracetui", "open"]
    for s in sources:
        command.append(s if "://" in s or s.startswith("@") else os.path.abspath(s))
    if trace_id:
        command += ["--trace", trace_id]
    if utc:
        command.append("--utc")
    for name in _OPTS:
        value = getattr(search, name)
        flag = "--" + name.replace("_", "-")
        if isinstance(value, tuple):
            for v in value:
                command += [flag, v]
        elif value is not None:
            command += [flag, str(value)]
    if not is_loopback(host):
        from tracetui.render.text import clean

        click.echo(f"tracetui: warning: serving on {clean(host)}:{port}, reachable from other machines; "
                   "anyone who reaches it can read these traces (no authentication)", err=True)
    url_host = f"[{host}]" if ":" in host else host
    if live is None:
        Server(shlex.join(command), host=host, port=port, title="tracetui",
               public_url=f"http://{url_host}:{port}").serve()
        return
    with _recording(live, listen or DEFAULT_LISTEN, grpc, max_request_size, capture) as path:
        h, p = live.http
        command += ["--follow-capture", path, "--capture-label", f"{h}:{p}"]
        Server(shlex.join(command), host=host, port=port, title="tracetui",
               public_url=f"http://{url_host}:{port}").serve()


@contextlib.contextmanager
def _recording(live, listen: str, grpc: str | None, max_request_size: str, capture: str | None):
    """`tracetui record` in a child process for the time of the block; yields the capture's path.
    The token goes through the environment (TRACETUI_TOKEN), never the command line."""
    tmp = None
    if capture is None:
        tmp = tempfile.mkdtemp(prefix="tracetui-serve-")
        capture = os.path.join(tmp, "capture.jsonl")
    path = os.path.abspath(capture)
    cmd = [sys.executable, "-m", "tracetui", "record", "--listen", listen, "-o", path,
           "--max-request-size", max_request_size]
    if grpc is not None:
        cmd += ["--grpc", grpc]
    env = dict(os.environ)
    if live.token:
        env["TRACETUI_TOKEN"] = live.token
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)
    try:
        yield path
    finally:
        proc.terminate()  # SIGTERM: requests in flight are written and answered, then it exits
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
