"""A Zipkin span nested too deeply to decode (a tag hundreds of levels deep) costs only itself
(or, in a list of traces, its trace); the whole file was lost with one line before."""

import json

from tracetui.loaders import read_bytes

DEEP = "[" * 100_000 + "]" * 100_000


def _span(i: int, trace: str = "ab" * 8) -> dict:
    return {"traceId": trace, "id": f"{i:016x}", "name": f"op{i}", "timestamp": 1_700_000_000_000_000 + i,
            "duration": 5, "localEndpoint": {"serviceName": "svc"}}


def _load(data: bytes):
    spans, problems = [], []
    for b in read_bytes(data, "z.json"):
        spans += b.spans
        problems += b.problems
    return spans, problems


def test_a_span_nested_too_deeply_loses_only_that_span():
    text = json.dumps([_span(1), {**_span(2), "tags": {"deep": "X"}}, _span(3)]).replace('"X"', DEEP)
    spans, problems = _load(text.encode())
    assert sorted(s.name for s in spans) == ["op1", "op3"]
    assert [(p.where, p.skipped) for p in problems] == [("[1]", 1)]
    assert "nested too deeply" in problems[0].message


def test_in_a_list_of_traces_only_the_trace_with_the_deep_span_is_lost():
    text = json.dumps([[_span(1)], [{**_span(2, "cd" * 8), "tags": {"deep": "X"}}], [_span(3, "ef" * 8)]])
    spans, problems = _load(text.replace('"X"', DEEP).encode())
    assert sorted(s.name for s in spans) == ["op1", "op3"]
    assert [p.where for p in problems] == ["[1]"] and "trace nested too deeply" in problems[0].message


def test_back_to_back_lists_with_a_deep_span_keep_the_rest():
    one = json.dumps([_span(1), {**_span(2), "tags": {"deep": "X"}}]).replace('"X"', DEEP)
    spans, problems = _load((one + "\n" + json.dumps([_span(3)])).encode())
    assert sorted(s.name for s in spans) == ["op1", "op3"]
    assert len(problems) == 1 and problems[0].skipped == 1
