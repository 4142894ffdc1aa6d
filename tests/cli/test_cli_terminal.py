"""The command line without a terminal: a mistyped command, and the explorer asked for where it
cannot draw. Each used to open the explorer on a pipe: escape codes into the file, 100% CPU until killed."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "sample_traces" / "shop.json")


def tracetui(*args: str, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    # A timeout: the bug was a process that never ends.
    return subprocess.run([sys.executable, "-m", "tracetui", *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=60, cwd=ROOT)


def test_a_mistyped_command_is_an_error_listing_the_commands():
    r = tracetui("summray", SAMPLE)
    assert r.returncode == 2
    assert "no such command or file: summray" in r.stderr
    assert "open" in r.stderr and "summary" in r.stderr and "record" in r.stderr and "lint" in r.stderr
    assert r.stdout == "" and "Traceback" not in r.stderr


def test_a_missing_file_as_first_word_is_the_same_error():
    r = tracetui("no-such-dump.json")
    assert r.returncode == 2 and "no such command or file: no-such-dump.json" in r.stderr


def test_sources_that_are_not_paths_still_open(tmp_path):
    # `-`, a backend URL and `@name` are sources though no such path exists; they reach the explorer,
    # which refuses here only because stdout is a pipe.
    for word in ("-", "jaeger+http://127.0.0.1:9/", "@nosuch"):
        r = tracetui(word, stdin=subprocess.PIPE if word == "-" else subprocess.DEVNULL)
        assert "no such command or file" not in r.stderr, word


def test_the_explorer_refuses_a_stdout_that_is_not_a_terminal():
    r = tracetui(SAMPLE)
    assert r.returncode == 1
    assert "needs a terminal" in r.stderr and "tracetui summary" in r.stderr
    assert r.stdout == ""  # no escape codes written into the file


def test_live_mode_refuses_it_too():
    r = tracetui("--listen", "127.0.0.1:0")
    assert r.returncode == 1 and "needs a terminal" in r.stderr


def test_the_explorer_refuses_keys_from_something_that_is_not_a_terminal():
    # stdout is a terminal (a pty), stdin is /dev/null: there would be no keys to read.
    main, child = pty.openpty()
    try:
        r = tracetui(SAMPLE, stdin=subprocess.DEVNULL, stdout=child)
    finally:
        os.close(child)
        os.close(main)
    assert r.returncode == 1
    assert "stdin is not one" in r.stderr and "tracetui summary" in r.stderr


def test_summary_prints_one_line_per_kind_of_problem_and_all_with_verbose(tmp_path):
    import json

    spans = [{"traceId": "ab" * 16, "spanId": "0" * 15 + "1", "name": "root", "startTimeUnixNano": "1",
              "endTimeUnixNano": "9"}]
    spans += [{"traceId": "ab" * 16, "name": f"no id {i}", "startTimeUnixNano": "1", "endTimeUnixNano": "2"}
              for i in range(84)]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}))
    r = tracetui("summary", str(dump))
    problems = [line for line in r.stderr.splitlines() if "span without spanId" in line]
    assert len(problems) == 1 and "(and 83 more like it; --verbose lists them)" in problems[0]
    assert "spans[1]" in problems[0]  # the first place
    assert r.returncode == 1 and "84 spans skipped" in r.stderr
    r = tracetui("summary", "--verbose", str(dump))
    assert len([line for line in r.stderr.splitlines() if "span without spanId" in line]) == 84


def test_a_stream_of_bad_lines_is_counted_past_the_first_hundred_and_verbose_says_so(tmp_path):
    # `(cat dump.jsonl; yes '{}')`: one Problem per bad line grew without bound (155 MiB for 1M).
    import json

    good = {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "ab" * 16, "spanId": "0" * 15 + "1",
                                                          "name": "root", "startTimeUnixNano": "1",
                                                          "endTimeUnixNano": "9"}]}]}]}
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(good) + "\n" + "{}\n" * 500)
    r = tracetui("summary", str(dump))
    assert r.returncode == 1 and "1 trace" in r.stdout
    bad = [line for line in r.stderr.splitlines() if "no resourceSpans" in line]
    assert bad == [f"tracetui: {dump}: line 2: not OTLP trace data (no resourceSpans)"
                   " (and 499 more like it; --verbose lists the first 100)"]
    r = tracetui("summary", "--verbose", str(dump))
    bad = [line for line in r.stderr.splitlines() if "no resourceSpans" in line]
    assert len(bad) == 101 and bad[99].endswith("line 101: not OTLP trace data (no resourceSpans)")
    assert bad[100].endswith("line 102: not OTLP trace data (no resourceSpans) (and 399 more like it, counted, not listed)")


def test_count_lines_say_1_span_not_1_spans(tmp_path):
    import json

    span = {"traceId": "ab" * 16, "spanId": "0" * 15 + "1", "name": "root", "startTimeUnixNano": "1",
            "endTimeUnixNano": "9"}
    dump = tmp_path / "dump.jsonl"
    line = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})
    dump.write_text(line + "\n" + line + "\n")
    r = tracetui("summary", str(dump))
    assert "tracetui: 1 span appeared more than once and is counted once" in r.stderr
