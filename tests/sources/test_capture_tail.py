"""Following a capture file as `record` writes it: whole lines only, each once; a file replaced is read again."""

from __future__ import annotations

import orjson


def _line(trace_id: str, name: str) -> bytes:
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "svc"}}]}, "scopeSpans": [{"spans": [
            {"traceId": trace_id, "spanId": "00000000000000a1", "name": name, "startTimeUnixNano": "1000",
             "endTimeUnixNano": "2000"}]}]}]}) + b"\n"


def _names(batches) -> list[str]:
    return [s.name for b in batches for s in b.spans]


def test_only_whole_lines_are_read_and_each_once(tmp_path):
    from tracetui.sources.tail import CaptureTail

    path = tmp_path / "capture.jsonl"
    tail = CaptureTail(str(path))
    assert tail.read_new() == []  # not written yet
    first, second = _line("1" * 32, "one"), _line("2" * 32, "two")
    path.write_bytes(first + second[:20])  # the second line is still being written
    assert _names(tail.read_new()) == ["one"]
    assert tail.read_new() == []
    with path.open("ab") as f:
        f.write(second[20:])
    assert _names(tail.read_new()) == ["two"]
    path.write_bytes(_line("3" * 32, "three"))  # replaced (record without --append): read from the start
    assert _names(tail.read_new()) == ["three"]


def test_a_bad_line_is_a_problem_naming_where(tmp_path):
    from tracetui.sources.tail import CaptureTail

    path = tmp_path / "capture.jsonl"
    path.write_bytes(_line("1" * 32, "one"))
    tail = CaptureTail(str(path))
    tail.read_new()
    with path.open("ab") as f:
        f.write(b"{not json\n")
    batches = tail.read_new()
    problems = [p for b in batches for p in b.problems]
    assert problems and all(str(path) == p.source for p in problems)
