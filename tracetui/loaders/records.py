"""The Collector `file` exporter's framing for `format: proto` and/or `compression: zstd`:
records of a 4-byte big-endian length followed by that many bytes, each an OTLP request as
protobuf or JSON, zstd-compressed per record when compression is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tracetui.loaders import otlp_proto
from tracetui.loaders.compression import DEFAULT_LIMIT, decompress
from tracetui.loaders.problems import Batch, Problem

# read_bytes, passed in to avoid an import cycle: reads one record's payload of any format.
Reader = Callable[..., Iterator[Batch]]


def read_records(data: bytes, source: str, read: Reader, limit: int = DEFAULT_LIMIT) -> Iterator[Batch]:
    pos, n_rec, end = 0, 0, len(data)
    budget = limit
    while pos < end:
        if end - pos < 4:
            yield Batch(problems=[Problem(source, f"byte {pos:,}", f"{end - pos} stray bytes after the last record: ignored")])
            return
        n = int.from_bytes(data[pos:pos + 4], "big")
        where = f"record {n_rec + 1} (byte {pos:,})"
        if n == 0:
            pos += 4
            n_rec += 1
            continue
        if pos + 4 + n > end:
            yield Batch(problems=[Problem(source, where, f"the file ends inside this record ({n:,} bytes announced, "
                                          f"{end - pos - 4:,} there): the rest of the file was skipped")])
            payload = data[pos + 4:]
            # A cut protobuf record still gives its complete spans (its cut is reported above).
            if payload[:1] == b"\x0a":
                for batch in otlp_proto.read_otlp_proto(payload, source, where):
                    if batch.spans:
                        yield Batch(spans=batch.spans)
            return
        payload = data[pos + 4:pos + 4 + n]
        payload, problems = decompress(payload, source, where, limit=budget)
        budget -= len(payload)
        if problems:
            yield Batch(problems=problems)
        if budget <= 0:
            yield Batch(problems=[Problem(source, where, f"more than {limit:,} bytes of data once decompressed: "
                                          "the rest of the file was skipped")])
            return
        yield from read(payload, source, where=where, limit=budget)
        pos += 4 + n
        n_rec += 1
