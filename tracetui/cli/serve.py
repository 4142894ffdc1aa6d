"""`tracetui serve [SOURCE…]`: the explorer in a browser, served by textual-serve.

textual-serve (the Textual project's own server) starts one `tracetui open …` process per
browser tab and relays its screen and keys over a websocket; every tab is a whole explorer of
the same sources (files, directories, backends with their search options). Loopback unless
`--host` names another address (then a warning: anyone who can reach the port can read the
traces, and textual-serve has no authentication).
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys

import click

from tracetui.cli.backends import _OPTS, search_options

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
@search_options(follow=True)
def serve_cmd(sources: tuple[str, ...], port: int, host: str, trace_id: str | None, utc: bool, search) -> None:
    """Serve the explorer of SOURCES to a browser (http://127.0.0.1:8000 by default)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise click.ClickException("serve needs textual-serve: pip install textual-serve") from None
    if not sources:
        raise click.UsageError("name the traces to serve: files, directories or a backend "
                               "(each browser tab loads them; stdin cannot be shared)")
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
    server = Server(shlex.join(command), host=host, port=port, title="tracetui",
                    public_url=f"http://{url_host}:{port}")
    server.serve()
