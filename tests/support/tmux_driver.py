"""Driving the real `tracetui` command in tmux, as a person at a terminal would.

Each test module gets its own tmux server (`-L` socket), so tests never touch a user's tmux.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "tracetui"
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


class TmuxServer:
    def __init__(self, name: str) -> None:
        self.socket = f"tracetui-{name}-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True).stdout

    def wait_for(self, session: str, text: str, timeout: float = 20.0) -> str:
        """The screen, once `text` is on it; fails with the last screen after `timeout`."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.run("capture-pane", "-p", "-t", session)
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")
