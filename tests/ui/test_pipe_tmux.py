"""End to end: a dump piped into the real `tracetui` in a real terminal (tmux). The data comes
from the pipe, the keys from the keyboard."""

from __future__ import annotations

import shlex
import subprocess
import time
import uuid

import pytest
from conftest import FIXTURES
from tmux_driver import BIN, TmuxServer, needs_tmux

pytestmark = needs_tmux

_server = TmuxServer("pipe")
_tmux, _wait_for = _server.run, _server.wait_for
SOCKET = _server.socket






def test_piped_gzipped_cut_dump_opens_and_the_keyboard_works(tmp_path):
    if not BIN.exists():
        pytest.skip("the tracetui console script is not installed in this environment")
    raw = (FIXTURES / "zipkin" / "yelp.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(raw[: raw.index(b'"traceId"', len(raw) // 2)])  # cut inside a span
    exit_file = tmp_path / "exit"
    cmd = (f"gzip -c {shlex.quote(str(cut))} | env -u COLUMNS -u LINES TZ=UTC TEXTUAL_ANIMATIONS=none "
           f"TERM=xterm-256color {shlex.quote(str(BIN))}; echo $? > {shlex.quote(str(exit_file))}")
    session = f"pipe-{uuid.uuid4().hex[:8]}"
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "35", cmd)
    try:
        screen = _wait_for(session, "1 trace ")
        assert "stdin" in screen and "1 problem" in screen
        _tmux("send-keys", "-t", session, "!")  # the problem line, typed on the keyboard
        screen = _wait_for(session, "ends early")
        assert "<stdin>" in screen
        _tmux("send-keys", "-t", session, "!")  # closes it again
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "Trace a03ee8fff1dcd9b9")
        _tmux("send-keys", "-t", session, "q")
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while not exit_file.exists():
            if time.monotonic() > deadline:
                raise AssertionError("q did not quit the app: " + _tmux("capture-pane", "-p", "-t", session))
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
