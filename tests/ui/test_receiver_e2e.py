"""End to end, as issue 6 is judged done: a service instrumented with the OpenTelemetry SDK and
OTEL_EXPORTER_OTLP_ENDPOINT shows its traces live in `tracetui --listen`, in a real terminal (tmux)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

from tmux_driver import BIN, TmuxServer, needs_tmux

pytestmark = needs_tmux

_server = TmuxServer("live")
_tmux, _wait_for = _server.run, _server.wait_for
SOCKET = _server.socket

SERVICE = textwrap.dedent("""
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "basket"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # endpoint from the environment
    tracer = provider.get_tracer("basket")
    with tracer.start_as_current_span("PUT /basket/{id}"):
        with tracer.start_as_current_span("redis SET"):
            pass
    provider.shutdown()
""")






def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_instrumented_service_shows_up_live(tmp_path):
    port = _free_port()
    session = f"tracetui-live-{uuid.uuid4().hex[:8]}"
    cmd = (f"env -u COLUMNS -u LINES TZ=UTC TEXTUAL_ANIMATIONS=none TERM=xterm-256color "
           f"{BIN} --listen 127.0.0.1:{port}")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "35", cmd)
    try:
        _wait_for(session, f"● live 127.0.0.1:{port}")
        script = tmp_path / "service.py"
        script.write_text(SERVICE)
        env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"}
        subprocess.run([sys.executable, str(script)], env=env, check=True, timeout=60)
        screen = _wait_for(session, "basket: PUT /basket/{id}")
        _wait_for(session, "2 received")
        _tmux("send-keys", "-t", session, "Enter")
        screen = _wait_for(session, "redis SET")
        assert "PUT /basket/{id}" in screen
        _tmux("send-keys", "-t", session, "q")  # in a trace, q asks first
        _wait_for(session, "press q again to quit")
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while subprocess.run(["tmux", "-L", SOCKET, "has-session", "-t", session], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "q did not quit the app"
            time.sleep(0.2)
        with socket.socket() as s:
            # The receiver let the port go (connections of the exporter may linger in TIME_WAIT:
            # that is not a listener, and reuse_address lets a new one bind, as the receiver does).
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
