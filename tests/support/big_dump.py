"""A big OTLP JSON dump made of real SDK output: sample_traces/shop.json (written by the
OpenTelemetry SDK, see sample_traces/generate.py) copied many times, each copy's traces under
trace ids of their own, as one compact request (how exporters write it; big files of this
shape are decoded while they are read)."""

from __future__ import annotations

import json
from pathlib import Path

SHOP = Path(__file__).resolve().parent.parent.parent / "sample_traces" / "shop.json"


def scaled_shop_dump(path: Path, copies: int) -> tuple[int, int]:
    """Write `copies` copies of shop.json's spans to `path` as one request; return the counts
    of spans and traces written."""
    doc = json.loads(SHOP.read_bytes())
    parts = [json.dumps(rs, separators=(",", ":")) for rs in doc["resourceSpans"]]
    trace_ids = sorted({s["traceId"] for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]})
    per_copy = sum(len(ss["spans"]) for rs in doc["resourceSpans"] for ss in rs["scopeSpans"])
    with open(path, "w") as f:
        f.write('{"resourceSpans":[')
        for k in range(copies):
            text = ",".join(parts)
            for tid in trace_ids:
                text = text.replace(f'"{tid}"', f'"{k:08x}{tid[8:]}"')
            f.write(("," if k else "") + text)
        f.write("]}\n")
    return per_copy * copies, len(trace_ids) * copies
