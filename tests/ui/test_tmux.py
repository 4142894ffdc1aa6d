"""End to end: the real `tracetui` command in a real terminal (tmux), keys typed, screen read."""

from __future__ import annotations

import subprocess
import time
import uuid

from otlp_sample import sample_bytes
from tmux_driver import BIN, TmuxServer, needs_tmux

pytestmark = needs_tmux



# A private tmux server (-L): other tmux users on the machine cannot resize or see our window.
_server = TmuxServer("test")
_tmux, _wait_for = _server.run, _server.wait_for
SOCKET = _server.socket






def test_open_find_the_slowest_trace_and_why_it_failed(tmp_path):
    dump = tmp_path / "dump.json"
    dump.write_bytes(sample_bytes())
    session = f"tracetui-e2e-{uuid.uuid4().hex[:8]}"
    # COLUMNS/LINES inherited from the test process would override the terminal's real size.
    env = (f"env -u COLUMNS -u LINES TZ=Asia/Tokyo TEXTUAL_ANIMATIONS=none TERM=xterm-256color "
           f"{BIN} {dump} --utc")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "35", env)
    try:
        screen = _wait_for(session, "GET /checkout")
        assert "4 traces" in screen and "GET /report" in screen
        assert "11-14 22:13:20.000" in screen  # --utc: the sample's start in UTC, not Tokyo time
        _tmux("send-keys", "-t", session, "d")
        screen = _wait_for(session, "sorted by duration")
        rows = [line for line in screen.splitlines() if "frontend:" in line]
        assert "GET /report" in rows[0]  # the slowest first
        _tmux("send-keys", "-t", session, "j", "Enter")
        _wait_for(session, "Trace aaaaaaaa")
        _tmux("send-keys", "-t", session, "e")
        screen = _wait_for(session, "CardDeclined")
        assert "card declined" in screen and "payment.charge" in screen
        # Hide a service, keys typed ahead in one burst as a fast typist (or a paste) does.
        _tmux("send-keys", "-t", session, "s", "j", "j", "Space")
        screen = _wait_for(session, "hidden")
        panel_line = next(line for line in screen.splitlines() if "hidden" in line)
        assert "payment" in panel_line
        # payment's spans leave the waterfall (under load the panel may paint a frame earlier)
        deadline = time.monotonic() + 10
        while "SELECT cards" in screen and time.monotonic() < deadline:
            time.sleep(0.2)
            screen = _tmux("capture-pane", "-p", "-t", session)
        assert "SELECT cards" not in screen
        _tmux("send-keys", "-t", session, "q")  # in a trace, q asks first: quitting is deliberate
        _wait_for(session, "press q again to quit")
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while _alive(session):
            if time.monotonic() > deadline:
                raise AssertionError("q did not quit the app")
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def _alive(session: str) -> bool:
    return subprocess.run(["tmux", "-L", SOCKET, "has-session", "-t", session],
                          capture_output=True).returncode == 0
