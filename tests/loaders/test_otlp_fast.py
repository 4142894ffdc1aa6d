"""The OTLP JSON fast path (decode straight into spans, big documents read resourceSpans by
resourceSpans) must give exactly what the typed path gives, problems included."""

from __future__ import annotations

import orjson
import pytest
from conftest import FIXTURES

from tracetui.loaders.otlp_json import read_otlp_json, streaming, wire
from tracetui.loaders.otlp_json import typed as typed_path
from tracetui.model.span import STATUS_ERROR, Span
from tracetui.sources import streaming as file_streaming
from tracetui.sources.streaming import stream_file


def typed(data: bytes):
    """The reference: the typed wire-struct path, without the fast path or chunks."""
    return typed_path.convert_doc(wire.decoder(False, False).decode(data), "f", "")


def read(data: bytes):
    batches = list(read_otlp_json(data, "f"))
    return [s for b in batches for s in b.spans], [p for b in batches for p in b.problems]


def kv(key, value):
    return {"key": key, "value": {"stringValue": value}}


def sp(i: int, parent: int | None = None, trace: str = "ab" * 16, **extra) -> dict:
    out = {"traceId": trace, "spanId": f"{i:016x}", "name": f"op{i % 3}", "kind": 2,
           "startTimeUnixNano": str(1_000 + i), "endTimeUnixNano": str(2_000 + i),
           "attributes": [kv("k", f"v{i}")]}
    if parent is not None:
        out["parentSpanId"] = f"{parent:016x}"
    out.update(extra)
    return out


def doc(*groups: list[dict], service: str = "svc") -> bytes:
    """One resourceSpans per group, compact, as exporters write it."""
    return orjson.dumps({"resourceSpans": [
        {"resource": {"attributes": [kv("service.name", f"{service}{n}")]},
         "scopeSpans": [{"scope": {"name": "lib"}, "spans": g}]}
        for n, g in enumerate(groups)
    ]})


def test_spec_example_same_as_typed_path():
    data = (FIXTURES / "otlp" / "opentelemetry-proto-example.json").read_bytes()
    spans, problems = read(data)
    ref = typed(data)
    assert spans == ref.spans and problems == ref.problems
    assert spans[0].span_id == "eee19b7ec3c1b174"  # upper-case hex in the file


def test_spans_are_plain_spans_with_shared_resource_and_strings():
    data = doc([sp(1), sp(2, 1)], [sp(3, 1, status={"code": 2, "message": "boom"})])
    spans, problems = read(data)
    assert problems == []
    assert all(type(s) is Span for s in spans)
    assert spans == typed(data).spans
    assert spans[0].resource is spans[1].resource and spans[2].service == "svc1"
    assert spans[0].trace_id is spans[2].trace_id
    assert spans[2].status == STATUS_ERROR and spans[2].status_message == "boom"
    assert spans[1].parent_id is spans[0].span_id and spans[0].parent_id == ""  # one string
    assert spans[0].start_ns == 1_001 and spans[0].attributes == {"k": "v1"}


def test_empty_lists_mean_nothing_and_numbers_or_strings_for_times():
    data = doc([sp(1, attributes=[], events=[], links=[], startTimeUnixNano=5, endTimeUnixNano=9)])
    (s,), _ = read(data)
    assert s.raw_attributes is None and s.raw_events is None and s.raw_links is None
    assert (s.start_ns, s.end_ns) == (5, 9)


def test_unusual_documents_match_the_typed_path():
    cases = [
        doc([sp(1, traceId="AB" * 16, spanId="00000000000000FF")]),  # upper-case hex
        doc([sp(1, parentSpanId="0000000000000000")]),  # all-zero parent: a root
        doc([sp(1), sp(2, spanId="")]),  # no span id: skipped, reported
        doc([sp(1, startTimeUnixNano="50", endTimeUnixNano="10")]),  # ends before it starts
        doc([sp(1, kind="SPAN_KIND_CLIENT", status={"code": "STATUS_CODE_ERROR"})]),  # enum names
        doc([sp(1, startTimeUnixNano={"low": 5, "high": 0})]),  # OTel-JS int64
        doc([sp(1, traceId="q83vEjRWeJCrze8SNFZ4kA==", spanId="EjRWeJCrze8=")]),  # base64
    ]
    for data in cases:
        spans, problems = read(data)
        ref = typed(data)
        assert spans == ref.spans, data
        assert problems == ref.problems, data


@pytest.fixture(autouse=True)
def pieces(monkeypatch):
    """Lines longer than 20 bytes count as long: every compact request is read piece by piece."""
    monkeypatch.setattr(streaming, "WHOLE_LINE_BYTES", 20)


def test_big_document_is_read_in_chunks_in_order_with_problems_numbered():
    groups = [[sp(100 * g + i + 1, trace=f"{g % 3:032x}".replace("0", "c")) for i in range(5)] for g in range(8)]
    groups[5][2]["spanId"] = ""  # a problem in the sixth resourceSpans
    groups[6][0]["kind"] = "SPAN_KIND_SERVER"  # a chunk the fast types refuse
    data = doc(*groups)
    spans, problems = read(data)
    ref = typed(data)
    assert spans == ref.spans and len(spans) == 39
    assert [p.where for p in problems] == ["resourceSpans[5].scopeSpans[0].spans[2]"]
    assert problems == ref.problems


def test_chunks_come_as_several_batches(monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_BATCH_SPANS", 10)
    data = doc(*[[sp(10 * g + i) for i in range(6)] for g in range(5)])
    batches = list(read_otlp_json(data, "f"))
    assert len(batches) == 3
    assert [s for b in batches for s in b.spans] == typed(data).spans


def test_split_at_the_wrong_depth_still_reads_everything():
    groups = [[sp(1)], [sp(2)], [sp(3)]]
    data = orjson.dumps({"resourceSpans": [
        {"resource": {"attributes": []}, "scopeSpans": [{"spans": groups[0]}]},
        # An unknown field holding objects with a "resource" key: the split pattern, nested.
        {"resource": {"attributes": []}, "x": [{"a": 1}, {"resource": 1}], "scopeSpans": [{"spans": groups[1]}]},
        {"resource": {"attributes": []}, "scopeSpans": [{"spans": groups[2]}]},
    ]})
    spans, problems = read(data)
    assert [s.span_id for s in spans] == [f"{i:016x}" for i in (1, 2, 3)] and problems == []


def test_truncated_big_document_keeps_the_complete_resource_spans():
    data = doc(*[[sp(10 * g + i + 1) for i in range(3)] for g in range(4)])
    cut = data[: data.rfind(b'{"resource":') + 40]
    spans, problems = read(cut)
    assert len(spans) == 9  # the three resourceSpans before the cut
    assert len(problems) == 1 and "not valid JSON" in problems[0].message


def test_keys_after_the_list_and_a_split_pattern_inside_a_string_value():
    data = doc([sp(1)], [sp(2, attributes=[kv("k", '},{"resource":')])], [sp(3)])
    data = data[:-1] + b',"schemaUrl":"x"}'
    spans, problems = read(data)
    assert [s.span_id for s in spans] == [f"{i:016x}" for i in (1, 2, 3)] and problems == []
    assert spans[1].attributes == {"k": '},{"resource":'}


def test_pretty_printed_documents_are_read_whole():
    data = orjson.dumps(orjson.loads(doc([sp(1), sp(2, 1)])), option=orjson.OPT_INDENT_2)
    spans, _ = read(data)
    assert [s.span_id for s in spans] == [f"{i:016x}" for i in (1, 2)]
    assert spans == typed(data).spans


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_json_lines_with_blank_lines(newline):
    lines = [doc([sp(1)]), b"", b"   ", doc([sp(2)]), b"{broken"]
    spans, problems = read(newline.join(lines) + newline)
    assert [s.span_id for s in spans] == [f"{i:016x}" for i in (1, 2)]
    assert [p.where for p in problems] == ["line 5"]


def test_json_lines_of_documents_with_several_resource_spans():
    data = doc([sp(1)], [sp(2)]) + b"\n\n" + doc([sp(3)], [sp(4, spanId="")]) + b"\r\n" + b"{broken\n"
    spans, problems = read(data)
    assert [s.span_id for s in spans] == [f"{i:016x}" for i in (1, 2, 3)]
    assert [p.where for p in problems] == ["line 3: resourceSpans[1].scopeSpans[0].spans[0]", "line 4"]


def test_problems_of_the_first_line_are_numbered_when_more_lines_follow():
    one = doc([sp(1, spanId="")], [sp(2)])
    assert [p.where for p in read(one)[1]] == ["resourceSpans[0].scopeSpans[0].spans[0]"]
    assert [p.where for p in read(one + b"\n" + doc([sp(3)]))[1]] == ["line 1: resourceSpans[0].scopeSpans[0].spans[0]"]


@pytest.mark.parametrize("piece_bytes", [0, 700, 1 << 20])
def test_a_big_file_is_streamed_as_it_is_read(tmp_path, monkeypatch, piece_bytes):
    monkeypatch.setattr(file_streaming, "STREAM_MIN_BYTES", 1000)
    monkeypatch.setattr(streaming, "READ_STEP", 300)  # many reads, splits across read steps
    monkeypatch.setattr(streaming, "CHUNK_BATCH_SPANS", 10)
    monkeypatch.setattr(streaming, "PIECE_BYTES", piece_bytes)  # one or several resourceSpans a piece
    groups = [[sp(10 * g + i + 1) for i in range(6)] for g in range(8)]
    groups[3][1]["spanId"] = ""  # a problem, numbered as in the whole file
    groups[5][0]["kind"] = "SPAN_KIND_SERVER"  # values the fast types refuse
    data = doc(*groups)
    path = tmp_path / "big.json"
    path.write_bytes(data)
    stream = stream_file(str(path), "f")
    assert stream is not None
    batches = list(stream)
    assert len(batches) > (3 if piece_bytes < 1000 else 0)  # batches close between pieces
    ref = typed(data)
    assert [s for b in batches for s in b.spans] == ref.spans
    assert [p for b in batches for p in b.problems] == ref.problems
    lines = data + b"\n" + doc([sp(100)], [sp(101)]) + b"\n"  # JSON Lines of long lines
    path.write_bytes(lines)
    got = [s.span_id for b in stream_file(str(path), "f") for s in b.spans]
    assert got == [s.span_id for s in ref.spans] + [f"{100:016x}", f"{101:016x}"]
    (tmp_path / "small.json").write_bytes(doc([sp(1)]))
    assert stream_file(str(tmp_path / "small.json"), "f") is None
    path.write_bytes(b"\x1f\x8b" + data)  # gzip or anything else: read whole
    assert stream_file(str(path), "f") is None


def test_json_lines_whose_last_piece_has_enum_names():
    line1 = doc([sp(1)], [sp(2, kind="SPAN_KIND_SERVER")])
    data = line1 + b"\n" + doc([sp(3)], [sp(4)]) + b"\n"
    spans, problems = read(data)
    assert [s.span_id for s in spans] == [f"{i:016x}" for i in (1, 2, 3, 4)] and problems == []
    assert spans[1].kind == 2



def test_a_streamed_file_with_invalid_utf8(tmp_path, monkeypatch):
    monkeypatch.setattr(file_streaming, "STREAM_MIN_BYTES", 100)
    data = doc([sp(1)], [sp(2, name="bad")], [sp(3)]).replace(b'"bad"', b'"b\xffd"')
    path = tmp_path / "big.json"
    for content in (data, data + b"\n" + doc([sp(4)]) + b"\n"):  # one request; JSON Lines
        path.write_bytes(content)
        batches = list(stream_file(str(path), "f"))
        spans = [s for b in batches for s in b.spans]
        assert [s.span_id for s in spans][:3] == [f"{i:016x}" for i in (1, 2, 3)]
        assert spans[1].name == "b\ufffdd"
        problems = [p for b in batches for p in b.problems]
        assert len(problems) == 1 and problems[0].warning and "invalid UTF-8" in problems[0].message


def test_salvaged_text_with_invalid_utf8_is_encoded_with_replacement_characters():
    # Salvage keeps bytes that are not UTF-8 as lone surrogates; msgspec refuses to encode those.
    from tracetui.loaders.otlp_json.tolerant import _encode

    assert orjson.loads(_encode({"name": "b\udcffd"})) == {"name": "b\ufffdd"}
