"""Untrusted text reaches the screen literally: no markup, no control or bidi characters."""

from tracetui.render.text import clean, clean_multiline, safe_text


def test_markup_stays_literal():
    assert safe_text("[bold]x[/]").plain == "[bold]x[/]"


def test_escape_sequences_and_layout_breakers_are_neutralised():
    out = clean("a\x1b[2Jb\tc\nd\re")
    assert "\x1b" not in out and "\n" not in out and "\r" not in out and "\t" not in out
    assert out.startswith("a\ufffd[2Jb")


def test_bidi_overrides_cannot_reorder_a_line():
    # U+202E (right-to-left override) would show "txt.exe" as "exe.txt" in some terminals.
    out = clean("name\u202etxt.exe\u2066x\u2069")
    assert all(ch not in out for ch in "\u202e\u2066\u2069")


def test_stack_traces_keep_their_lines_but_lose_controls():
    out = clean_multiline("Traceback:\n\tat x\x1b]0;pwned\x07\n")
    assert out.splitlines()[1].startswith("    at x") and "\x1b" not in out and "\x07" not in out


def test_max_len_marks_the_cut():
    assert clean("abcdef", max_len=4) == "abc…"


# ---- C1 controls and invisible characters (issue 11) ------------------------------------------------

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u2028\u2029\U000e0041"
C1 = "\x85\x9b\x9d"


def test_c1_controls_and_invisible_characters_are_shown_as_replacement_marks():
    out = clean(f"check{INVISIBLE}out{C1}!")
    assert out == "check" + "\ufffd" * len(INVISIBLE) + "out" + "\ufffd" * len(C1) + "!"
    assert not any(c in clean_multiline(f"a\n{INVISIBLE}{C1}") for c in INVISIBLE + C1)


def test_json_keeps_the_text_but_escapes_what_a_terminal_would_act_on():
    import orjson

    from tracetui.render.text import json_bytes

    doc = {"name": f"a{INVISIBLE}{C1}\x7fé😀", "n": 1}
    data = json_bytes(doc)
    assert orjson.loads(data) == doc  # the same strings for a JSON reader
    assert not any(c.encode() in data for c in INVISIBLE + C1 + "\x7f")
    assert b"\\u200b" in data and b"\\u009b" in data and b"\\udb40\\udc41" in data
    assert "é😀".encode() in data  # other text stays as it is
    assert json_bytes({"a": "plain"}) == orjson.dumps({"a": "plain"})


def _otlp_file(path, service: str, name: str) -> None:
    import orjson

    path.write_bytes(orjson.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeSpans": [{"spans": [{"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7",
                                   "name": name, "startTimeUnixNano": "1700000000000000000",
                                   "endTimeUnixNano": "1700000001000000000"}]}]}]}))


def _summary(*args: str):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "tracetui", "summary", *args], capture_output=True, timeout=60,
                          env={**os.environ, "COLUMNS": "160"})


def test_summary_tables_and_json_carry_no_raw_c1_or_invisible_characters(tmp_path):
    import orjson

    service, name = f"check{INVISIBLE}out", f"GET{C1}/cart\u202e"
    f = tmp_path / "t.json"
    _otlp_file(f, service, name)
    for args in ((str(f),), (str(f), "--trace", "4bf92f35")):
        r = _summary(*args)
        assert r.returncode == 0, r.stderr
        text = r.stdout.decode()
        assert "check" in text and not any(c in text for c in INVISIBLE + C1 + "\u202e"), ascii(text)
    r = _summary(str(f), "--json")
    assert orjson.loads(r.stdout)["traces"][0]["root_service"] == service
    assert not any(c.encode() in r.stdout for c in INVISIBLE + C1 + "\u202e")


def test_problem_lines_quoting_a_file_are_cleaned(tmp_path):
    f = tmp_path / f"bad\u200b\x9bname{chr(0x1b)}.json"
    f.write_bytes(b'{"resourceSpans": [oops')
    r = _summary(str(f))
    text = r.stderr.decode()
    assert r.returncode == 2 and "bad" in text
    assert not any(c in text for c in "\u200b\x9b\x1b"), ascii(text)


def test_a_trace_id_in_the_summary_table_is_not_read_as_markup(tmp_path):
    import orjson

    tid = "[reverse]zz[/reverse]"  # Jaeger ids that are not hex stay as given
    f = tmp_path / "j.json"
    f.write_bytes(orjson.dumps({"data": [{"traceID": tid, "processes": {"p1": {"serviceName": "svc"}}, "spans": [
        {"traceID": tid, "spanID": "a1", "operationName": "op", "startTime": 1700000000000000, "duration": 1000,
         "processID": "p1"}]}]}))
    r = _summary(str(f))
    assert r.returncode == 0 and tid in r.stdout.decode(), r.stdout.decode()


def test_every_module_that_prints_to_the_terminal_uses_the_one_cleaning_function():
    """cli/, sources/ and render/ print backend and file text: each module that writes to the
    terminal (echo, print, stderr) goes through render/text.py's `clean` (or safe_text)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "tracetui"
    prints = re.compile(r"click\.echo\(|\bprint\(|stderr\.write\(|\berr\.write\(|console\.print\(|err\.print\(")
    offenders = []
    for sub in ("cli", "sources", "render"):
        for path in (root / sub).rglob("*.py"):
            text = path.read_text()
            if path.name == "text.py" and sub == "render":
                continue
            if prints.search(text) and not re.search(r"\b(clean|safe_text)\b", text):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
