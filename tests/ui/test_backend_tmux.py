"""End to end: the real `tracetui tempo+http://…` in a real terminal (tmux) against a loopback
Tempo: the list fills from a search, a new trace arrives on top while following, a search from
the search screen, a trace opens, and a failing backend reads as one line in the status bar."""

from __future__ import annotations

import re
import subprocess
import time
import uuid

from tmux_driver import BIN, TmuxServer, needs_tmux

ROW = re.compile(r"\d\d-\d\d \d\d:\d\d:\d\d")  # a trace list row starts with its time

pytestmark = needs_tmux

_server = TmuxServer("backend")
_tmux, _wait_for = _server.run, _server.wait_for
SOCKET = _server.socket






def _wait_until(session: str, ok, what: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if ok(screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{what} never happened; the screen was:\n{screen}")


def _rows(screen: str) -> list[str]:
    return [line for line in screen.splitlines() if ROW.search(line)]


def test_browse_and_follow_a_tempo_backend(serve):
    server = serve("tempo")
    session = f"tracetui-tempo-{uuid.uuid4().hex[:8]}"
    cmd = (f"env -u COLUMNS -u LINES TZ=UTC TEXTUAL_ANIMATIONS=none TERM=xterm-256color "
           f"{BIN} {server.url} --follow 1 --since 30m --limit 50")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "35", cmd)
    try:
        screen = _wait_for(session, "following every 1s")
        total = len(server.traces)
        assert f"{total} traces" in screen and "frontend: POST /checkout" in screen
        server.add_trace(service="frontend")  # a new request reaches the backend
        screen = _wait_for(session, f"{total + 1} traces")
        first = next(line for line in screen.splitlines() if ROW.search(line))
        assert first.lstrip().startswith("•") and "frontend: " in first  # on top, marked new
        # search for one service from the search screen
        _tmux("send-keys", "-t", session, "S")
        _wait_for(session, f"Search {server.url}")
        _tmux("send-keys", "-t", session, "Enter")
        time.sleep(0.5)
        _tmux("send-keys", "-t", session, "-l", "shipping")
        _tmux("send-keys", "-t", session, "Enter", "Tab", "Tab", "Tab", "Enter")
        screen = _wait_until(session, lambda sc: _rows(sc) and all("shipping: " in r for r in _rows(sc)),
                             "a list of shipping traces only")
        assert "service=shipping last 30m" in screen
        # open it
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "critical path")
        _tmux("send-keys", "-t", session, "Escape")
        # the backend fails: one line, the list stays
        server.fail("/api/search", 503, b"querier overloaded", times=1000)
        screen = _wait_for(session, "refresh failed")
        assert "server error 503 on /api/search: querier overloaded" in screen and "shipping: " in screen
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
