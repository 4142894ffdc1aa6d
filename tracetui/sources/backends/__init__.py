"""Remote backends (Jaeger, Tempo, Zipkin) as trace sources.

`open_backend(source)` gives a client for `jaeger+http://…`, `tempo+https://…`, `zipkin+http://…`
or `@name`; `load_search` / `load_trace` fill a `TraceStore` from it; `search_spans` collects
without a store (for worker threads: the store is changed on the app's thread only).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tracetui.loaders import Problem
from tracetui.model import TraceStore
from tracetui.sources.backends.base import (
    Backend,
    BackendError,
    Progress,
    SearchResult,
    TraceHit,
    TraceNotFound,
)
from tracetui.sources.backends.config import BackendConfig, ConfigError, is_backend_source, resolve
from tracetui.sources.backends.params import ParamError, SearchParams, build_params

__all__ = ["Backend", "BackendConfig", "BackendError", "ConfigError", "ParamError", "SearchParams",
           "SearchResult", "TraceHit", "TraceNotFound", "build_params", "is_backend_source", "load_search",
           "load_trace", "open_backend", "search_spans"]


def open_backend(source: str | BackendConfig, **kw) -> Backend:
    """A client for a backend source. Raises ConfigError (one line) for a bad source or config."""
    config = source if isinstance(source, BackendConfig) else resolve(source)
    if config.kind == "jaeger":
        from tracetui.sources.backends.jaeger import JaegerBackend as cls
    elif config.kind == "tempo":
        from tracetui.sources.backends.tempo import TempoBackend as cls
    else:
        from tracetui.sources.backends.zipkin import ZipkinBackend as cls
    return cls(config, **kw)


def load_trace(backend: Backend, trace_id: str, store: TraceStore, progress: Progress | None = None) -> list[Problem]:
    """Fetch one trace into the store, batch by batch. Raises BackendError."""
    problems: list[Problem] = []
    for batch in backend.fetch_trace(trace_id, progress=progress):
        if batch.spans:
            store.add(batch.spans)
        problems.extend(batch.problems)
    return problems


def search_spans(backend: Backend, params: SearchParams, known: frozenset[str] = frozenset(),
                 workers: int = 4, fraction: Callable[[float], None] | None = None,
                 ) -> tuple[SearchResult, list, list[Problem]]:
    """Search and return (result, spans of the traces found that are not in `known`, problems).

    Touches no store, so it can run in a worker thread. When the API returns only summaries
    (Tempo), each trace is fetched, a few at a time. A trace that fails to load is a problem,
    not an error; the search itself failing raises BackendError. `fraction(0..1)` is told how far
    it got: bytes of the search answer (when the server says how many), then traces fetched.
    """

    def body_progress(done: int, total: int | None) -> None:
        if fraction is not None and total:
            fraction(min(1.0, done / total) * 0.5)

    result = backend.search(params, progress=body_progress)
    spans: list = []
    problems: list[Problem] = []
    for b in result.batches:
        spans.extend(s for s in b.spans if s.trace_id not in known)
        problems.extend(b.problems)
    if result.complete:
        return result, spans, problems
    todo = [h.trace_id for h in result.hits if h.trace_id not in known]

    def fetch(tid: str):
        try:
            return list(backend.fetch_trace(tid)), None
        except BackendError as e:
            return [], e

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo) or 1))) as pool:
        for i, (tid, (batches, err)) in enumerate(zip(todo, pool.map(fetch, todo), strict=True)):
            if fraction is not None:
                fraction(0.5 + 0.5 * (i + 1) / len(todo))
            if err is not None:
                problems.append(Problem(backend.label, f"trace {tid}", err.message))
            for b in batches:
                spans.extend(b.spans)
                problems.extend(b.problems)
    return result, spans, problems


def load_search(backend: Backend, params: SearchParams, store: TraceStore) -> tuple[SearchResult, list[Problem]]:
    """Run a search and put the traces found into the store (see `search_spans`)."""
    result, spans, problems = search_spans(backend, params, frozenset(store.traces))
    if spans:
        store.add(spans)
    return result, problems
