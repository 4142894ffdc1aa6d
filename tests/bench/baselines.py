"""The two baselines the loader is measured against, each run as its own process.

    python tests/bench/baselines.py floor FILE   # typed msgspec decode, attributes kept as msgspec.Raw
    python tests/bench/baselines.py naive FILE   # orjson.loads into dicts (the collector on, as usual)

Each reads the file, decodes every document (one, or one per line for JSON Lines), counts the
spans and prints `{"spans": N}`. Nothing else: the floor is what no loader of this format can beat
in Python without skipping work, the naive way is what a straightforward loader does.
"""

from __future__ import annotations

import sys
from typing import Any, Union

import msgspec
import orjson


class Status(msgspec.Struct, gc=False):
    code: int = 0
    message: str = ""


class WSpan(msgspec.Struct, rename="camel", gc=False):
    trace_id: str = ""
    span_id: str = ""
    parent_span_id: str = ""
    name: str = ""
    kind: int = 0
    start_time_unix_nano: Union[int, str] = 0
    end_time_unix_nano: Union[int, str] = 0
    status: Union[Status, None] = None
    attributes: msgspec.Raw = msgspec.Raw(b"")
    events: msgspec.Raw = msgspec.Raw(b"")
    links: msgspec.Raw = msgspec.Raw(b"")


class WScopeSpans(msgspec.Struct, gc=False):
    scope: msgspec.Raw = msgspec.Raw(b"")
    spans: list[WSpan] = []


class WResource(msgspec.Struct, gc=False):
    attributes: list[Any] = []


class WResourceSpans(msgspec.Struct, rename="camel", gc=False):
    resource: Union[WResource, None] = None
    scope_spans: list[WScopeSpans] = []


class WDoc(msgspec.Struct, rename="camel", gc=False):
    resource_spans: list[WResourceSpans] = []


def _docs(data: bytes, jsonl: bool) -> list[bytes] | list[memoryview]:
    """The documents: the whole input, or its lines as views (no copy: as fast as it gets)."""
    if not jsonl:
        return [data]
    view, out, start = memoryview(data), [], 0
    while (end := data.find(b"\n", start)) >= 0:
        if end > start:
            out.append(view[start:end])
        start = end + 1
    if start < len(data):
        out.append(view[start:])
    return out


def floor(data: bytes, jsonl: bool) -> int:
    dec = msgspec.json.Decoder(WDoc)
    docs = [dec.decode(d) for d in _docs(data, jsonl)]
    return sum(len(ss.spans) for doc in docs for rs in doc.resource_spans for ss in rs.scope_spans)


def naive(data: bytes, jsonl: bool) -> int:
    docs = [orjson.loads(d) for d in _docs(data, jsonl)]
    return sum(len(ss["spans"]) for doc in docs for rs in doc["resourceSpans"] for ss in rs["scopeSpans"])


def main() -> None:
    what, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = f.read()
    n = {"floor": floor, "naive": naive}[what](data, path.endswith(".jsonl"))
    sys.stdout.write(f'{{"spans": {n}}}\n')
    sys.stdout.flush()


if __name__ == "__main__":
    main()
