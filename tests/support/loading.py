"""Helpers for loader tests: load bytes or files into a store, counting problems."""

from __future__ import annotations

from tracetui.loaders import Problem, read_bytes
from tracetui.model import TraceStore
from tracetui.sources.files import load_paths


def load_bytes(data: bytes, source: str = "dump", **kw) -> tuple[TraceStore, list[Problem]]:
    store = TraceStore()
    problems: list[Problem] = []
    for batch in read_bytes(data, source, **kw):
        store.add(batch.spans)
        store.add_logs(batch.logs)
        problems.extend(batch.problems)
    return store, problems


def load_files(*paths) -> tuple[TraceStore, list[Problem]]:
    store = TraceStore()
    problems = load_paths([str(p) for p in paths], store)
    return store, problems


def services(store: TraceStore) -> set[str]:
    return {s.service for t in store for s in t.spans}
