"""What one input may cost: decompression bombs and endless input stop at the input limit with
one line, hold the bytes once (resident memory measured in a child process), and still load
what came before the limit. Damaged gzip keeps what decompressed before the damage.

The limit is lowered with TRACETUI_MAX_INPUT so that these run in a few hundred MiB; the same
with the default 4 GiB cap runs with TRACETUI_BIG_TESTS=1 (about 4.2 GB resident, ~30 s).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
import zstandard
from loading import load_bytes, load_files
from sdk_dumps import otlp_json, sdk_spans

from tracetui.loaders.compression import DEFAULT_LIMIT
from tracetui.sources.files import LIMIT_ENV, input_limit

MiB = 1 << 20
SLACK = 48 * MiB  # what a child may use above its baseline besides the bytes it holds at the cap


def _bomb(path: Path, kind: str, size: int) -> Path:
    """`size` zeros compressed, written as they are made (never held whole)."""
    zeros = b"\0" * (16 * MiB)
    with path.open("wb") as f:
        c = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS) if kind == "gzip" else \
            zstandard.ZstdCompressor(level=1).compressobj()
        for _ in range(size // len(zeros)):
            f.write(c.compress(zeros))
        f.write(c.flush())
    return path


def _summary(*args: str, limit: str | None, stdin=subprocess.DEVNULL, timeout: float = 120):
    """Run `tracetui summary ARGS` in a child: (exit status, stderr, peak resident bytes)."""
    env = dict(os.environ)
    env.pop(LIMIT_ENV, None)
    if limit:
        env[LIMIT_ENV] = limit
    proc = subprocess.Popen([sys.executable, "-m", "tracetui", "summary", *args], stdin=stdin,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        err = proc.stderr.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err, usage.ru_maxrss * 1024


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> int:
    """Peak resident memory of `summary` on a tiny dump: the interpreter and its imports."""
    small = tmp_path_factory.mktemp("base") / "small.json"
    small.write_text(json.dumps(otlp_json(sdk_spans(traces=1, children=1))))
    rc, err, peak = _summary(str(small), limit=None)
    assert rc == 0, err
    return peak


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_a_bomb_costs_the_cap_once_not_three_times(tmp_path, baseline, kind):
    cap = 128 * MiB
    bomb = _bomb(tmp_path / f"bomb.{kind}", kind, 512 * MiB)
    rc, err, peak = _summary(str(bomb), limit="128M")
    assert rc == 2
    assert f"{kind} data grows past 128 MiB when decompressed (the input limit)" in err
    assert peak - baseline < cap + SLACK, f"{(peak - baseline) / MiB:.0f} MiB above the baseline for a {cap // MiB} MiB cap"


@pytest.mark.parametrize("source", ["/dev/zero", "yes"])
def test_endless_input_stops_at_the_limit_with_one_line(baseline, source):
    cap = 64 * MiB
    if source == "yes":
        yes = subprocess.Popen(["yes", "{}"], stdout=subprocess.PIPE)
        rc, err, peak = _summary(limit="64M", stdin=yes.stdout, timeout=60)
        yes.stdout.close()
        yes.kill()
        yes.wait()
        name = "<stdin>"
    else:
        rc, err, peak = _summary(source, limit="64M", timeout=60)
        name = source
    assert rc == 2  # nothing in it is a trace
    assert f"{name}: stopped reading at 64 MiB (the input limit, {LIMIT_ENV} sets it); the rest was skipped" in err
    assert peak - baseline < cap + SLACK


def _endless_lines(pipe, template: str, tid: str) -> None:
    """Lines of 4 spans, each line a trace of its own, until the reader stops reading."""
    try:
        n = 1  # an all-zero trace id is no id
        while True:
            pipe.write("".join(template.replace(tid, format(n + i, "032x")) for i in range(64)).encode())
            n += 64
    except (BrokenPipeError, ValueError, OSError):
        pass


def test_an_endless_pipe_of_spans_loads_every_complete_line_before_the_limit():
    spans = sdk_spans(traces=1, children=3)
    tid = format(spans[0].context.trace_id, "032x")
    template = json.dumps(otlp_json(spans)) + "\n"
    line = template.encode()
    env = {**os.environ, LIMIT_ENV: "1M"}
    proc = subprocess.Popen([sys.executable, "-m", "tracetui", "summary", "--json"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    writer = threading.Thread(target=_endless_lines, args=(proc.stdin, template, tid), daemon=True)
    writer.start()
    timer = threading.Timer(60, proc.kill)
    timer.start()
    out, err = proc.stdout.read(), proc.stderr.read()  # small: a summary and a few lines
    proc.wait()
    timer.cancel()
    whole_lines = MiB // len(line)
    traces = json.loads(out)["traces"]
    assert proc.returncode == 1  # input was skipped
    # Every whole line, and the complete spans of the line the limit cut.
    assert 4 * whole_lines <= sum(t["span_count"] for t in traces) < 4 * (whole_lines + 1)
    assert b"<stdin>: stopped reading at 1 MiB" in err


def test_a_file_past_the_limit_is_read_up_to_it(tmp_path, monkeypatch):
    line = json.dumps(otlp_json(sdk_spans(traces=1, children=1))).encode() + b"\n"
    path = tmp_path / "big.jsonl"
    path.write_bytes(line * (3 * (64 << 10) // len(line) + 1))
    monkeypatch.setenv(LIMIT_ENV, "64K")
    store, problems = load_files(path)
    read = store.span_count + store.duplicate_spans  # (the same line again and again: repeats)
    assert 2 * ((64 << 10) // len(line)) <= read < 2 * ((64 << 10) // len(line) + 1)
    assert problems[0].message == f"stopped reading at 64 KiB (the input limit, {LIMIT_ENV} sets it); the rest was skipped"
    assert problems[0].source == str(path)
    monkeypatch.setenv(LIMIT_ENV, "1M")
    store, problems = load_files(path)
    assert problems == [] and store.span_count + store.duplicate_spans == 2 * (3 * (64 << 10) // len(line) + 1)


@pytest.mark.parametrize(("text", "limit"), [("", DEFAULT_LIMIT), ("512M", 512 * MiB), ("8G", 8 << 30),
                                             ("8GiB", 8 << 30), ("100000", 100000), ("1.5k", 1536),
                                             ("lots", DEFAULT_LIMIT), ("0", DEFAULT_LIMIT), ("-5M", DEFAULT_LIMIT)])
def test_the_input_limit_comes_from_the_environment(monkeypatch, text, limit):
    monkeypatch.setenv(LIMIT_ENV, text)
    assert input_limit() == limit


@pytest.mark.skipif(not os.environ.get("TRACETUI_BIG_TESTS"), reason="4 GiB resident: TRACETUI_BIG_TESTS=1")
def test_a_bomb_with_the_default_cap_stays_under_the_cap_plus_a_little(tmp_path, baseline):
    bomb = _bomb(tmp_path / "bomb.zst", "zstd", 5 << 30)
    rc, err, peak = _summary(str(bomb), limit=None, timeout=300)
    assert rc == 2 and "grows past 4 GiB" in err
    assert peak - baseline < DEFAULT_LIMIT + SLACK, peak


# Damaged gzip: what decompressed before the damage is kept, and the byte is named.

SPANS = sdk_spans(traces=64, children=11)  # 768 spans
DOC = json.dumps(otlp_json(SPANS)).encode()


def test_a_gzip_with_a_damaged_checksum_keeps_all_its_spans():
    gz = bytearray(gzip.compress(DOC))
    gz[-8] ^= 0xFF  # the CRC-32 in the trailer
    store, problems = load_bytes(bytes(gz), "dump.json.gz")
    assert store.span_count == 768
    (p,) = problems
    assert p.source == "dump.json.gz" and not p.warning
    assert p.where == f"byte {len(gz) - 5:,}"  # the CRC's last byte, where zlib notices
    assert p.message.startswith("gzip checksum does not match the data")


def test_a_gzip_damaged_in_the_middle_keeps_what_came_before_and_names_the_byte():
    good = gzip.compress(DOC)
    for i in range(len(good) // 2, len(good) - 8):  # the first flip zlib itself refuses
        bad = bytearray(good)
        bad[i] ^= 0xFF
        try:
            zlib.decompress(bytes(bad), 16 + zlib.MAX_WBITS)
        except zlib.error as e:
            if "invalid" in str(e):
                break
    else:
        pytest.fail("no flip zlib refuses")
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    before = b""
    for k in range(len(bad)):
        try:
            before += d.decompress(bytes(bad[k:k + 1]))
        except zlib.error:
            break
    store, problems = load_bytes(bytes(bad), "dump.json.gz")
    assert problems[0].where == f"byte {k:,}" and "gzip data is damaged" in problems[0].message
    assert f"read the {len(before):,} bytes that decompressed before it" in problems[0].message
    expected, _ = load_bytes(before, "prefix")
    assert 0 < store.span_count == expected.span_count


def test_the_explorers_pipe_is_read_up_to_the_limit_and_the_cut_named_when_loaded():
    """The explorer reads the pipe before the terminal takes stdin: that read is capped too."""
    from tracetui.sources.files import iter_paths, read_stdin_now

    with open("/dev/zero", "rb") as endless:
        piped = read_stdin_now(endless, limit=1 * MiB)
    assert len(piped.getvalue()) == MiB
    (first, *_) = [p for b in iter_paths(["-"], stdin=piped) for p in b.problems]
    assert (first.source, first.message) == ("<stdin>", f"stopped reading at 1 MiB (the input limit, {LIMIT_ENV} "
                                                        "sets it); the rest was skipped")
