"""The replica incident of sample_traces/generate.py (`replica_incident`): the traces of one
endpoint before and while one of four inventory replicas reads from a slow database node."""

from __future__ import annotations

from conftest import SAMPLES

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths

BEFORE = SAMPLES / "replica_before.jsonl.gz"
AFTER = SAMPLES / "replica_after.jsonl.gz"
ROOT = "frontend: GET /availability/{sku}"
SLOW_OPERATION = "inventory: SELECT stock"  # what the slow replica spends its time in


def load(*paths) -> TraceStore:
    store = TraceStore()
    problems = load_paths([str(p) for p in paths], store)
    assert problems == []
    return store
