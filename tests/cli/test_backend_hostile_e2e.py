"""The real `tracetui` command against hostile backends on loopback, bounded in time: one that
drips its answer, one that answers far more than anyone asked for (resident memory measured),
and one whose names and error pages carry escape sequences and echoed credentials."""

import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

MiB = 1 << 20


def run(*args: str, env: dict | None = None, timeout: float = 60) -> tuple[int, bytes, bytes, int]:
    """(exit status, stdout, stderr, peak resident KiB) of `tracetui ARGS` in its own process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([sys.executable, "-m", "tracetui", *args], stdout=out, stderr=err,
                             env={**os.environ, **(env or {})})
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                raise AssertionError(f"tracetui {' '.join(args)} ran past {timeout} s")
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read(), err.read(), usage.ru_maxrss


def _config(tmp_path, url: str, extra: str = "") -> dict:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[backends.b]\nurl = "{url}"\n{extra}\n')
    return {"TRACETUI_CONFIG": str(cfg)}


def test_a_dripping_backend_ends_at_the_timeout(drip, tmp_path):
    server = drip(every=0.5, limit=120)  # a minute of drip if nothing stops it
    env = _config(tmp_path, server.url(), "timeout = 2")
    t0 = time.monotonic()
    code, out, err, _ = run("summary", "@b", "--service", "frontend", env=env, timeout=30)
    took = time.monotonic() - t0
    assert code == 2 and out == b""
    assert took < 10, took  # 2 s of request, plus starting Python
    assert err.decode().startswith("tracetui: @b: timed out after 2s: the answer from /api/v2/traces was still "
                                   "arriving (")
    assert err.count(b"\n") == 1


def test_an_oversized_answer_is_cut_at_the_cap_with_memory_to_match(serve, tmp_path):
    server = serve("zipkin")
    env = _config(tmp_path, server.url, 'max_response_size = "16MiB"')
    # the baseline: the same command and code path, answered with a short error page
    server.fail("/api/v2/traces", 400, b"no")
    code, out, err, baseline_kib = run("summary", "@b", "--service", "frontend", "--json", env=env)
    assert code == 2 and b"HTTP 400" in err, err
    # the same search answered with 512 MiB (chunked: nothing says how much is coming)
    server.fail("/api/v2/traces", 200, b"[[" + b" " * 4094 + b"]]", stream=512 * MiB)
    t0 = time.monotonic()
    code, out, err, peak_kib = run("summary", "@b", "--service", "frontend", "--json", env=env)
    took = time.monotonic() - t0
    assert code == 2 and out == b""
    assert err.decode() == ("tracetui: @b: the answer from /api/v2/traces is over max_response_size (limit "
                            "16 MiB); not read further: narrow the search (--limit, --since) or raise "
                            "max_response_size in the config\n")
    grew = (peak_kib - baseline_kib) / 1024
    print(f"baseline {baseline_kib / 1024:.0f} MiB, peak {peak_kib / 1024:.0f} MiB, +{grew:.0f} MiB, {took:.1f} s")
    assert grew < 16 + 24, (baseline_kib, peak_kib)  # the cap, plus a chunk and the final copy's slack


@pytest.mark.parametrize("hostile", [
    "\x1b]52;c;cm0gLXJmIH4=\x07clipboard",  # OSC 52: writes the user's clipboard
    "\x1b[2J\x1b[Hcleared",  # clears the screen
    "\x9b2Jc1-csi",  # the same as one C1 character
    "zero\u200bwidth\u202eoverride",
])
def test_service_names_from_a_backend_reach_stderr_clean(serve, hostile):
    server = serve("jaeger")
    server.fail("/api/v3/services", 200, json.dumps({"services": [hostile, "ok"]}), times=9)
    code, out, err, _ = run("summary", server.url)
    text = err.decode()
    assert code == 2 and text.startswith(f"tracetui: {server.url}: a Jaeger search needs --service (services: ")
    assert not any(c in text for c in "\x1b\x07\x9b\u200b\u202e"), ascii(text)
    assert text.count("\n") == 1 and "ok" in text


def test_an_error_page_with_escapes_and_echoed_credentials(serve, tmp_path):
    import base64

    server = serve("zipkin")
    server.fail("/api/v2/traces", 502, b"<h1>\x1b]52;c;aGk=\x07bad gateway</h1>", content_type="text/html",
                echo=True, times=9)
    env = {**_config(tmp_path, server.url, 'username = "ops"\npassword_env = "PW"\nretries = 0'),
           "PW": "pw-SECRET-0123456789"}
    code, out, err, _ = run("summary", "@b", "--service", "frontend", env=env)
    text = err.decode()
    assert code == 2 and text.startswith("tracetui: @b: server error 502 on /api/v2/traces: <h1>")
    assert "\x1b" not in text and "\x07" not in text and text.count("\n") == 1
    b64 = base64.b64encode(b"ops:pw-SECRET-0123456789").decode()
    assert "SECRET" not in text and b64[:8] not in text and "Basic ***" in text
