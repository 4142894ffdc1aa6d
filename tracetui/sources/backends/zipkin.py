"""Zipkin's v2 API (`/api/v2`): services, span names, trace search, one trace.

Search: `GET /api/v2/traces` with `serviceName`, `spanName`, `annotationQuery` (`key=value and word`),
`minDuration`/`maxDuration` (microseconds), `endTs` and `lookback` (epoch milliseconds), `limit`;
the answer is a list of traces, each a list of Zipkin v2 spans. `GET /api/v2/trace/{id}` answers a
list of spans, or 404. Decoding is the Zipkin loader's (through `read_bytes` format detection).
"""

from __future__ import annotations

from collections.abc import Iterator

from tracetui.loaders import Batch
from tracetui.sources.backends.base import Backend, Progress, SearchResult, list_of_str
from tracetui.sources.backends.jaeger import result_from_batches
from tracetui.sources.backends.params import SearchParams


class ZipkinBackend(Backend):
    kind = "zipkin"
    not_found_hint = ": is this a Zipkin server (port 9411)?"

    def services(self) -> list[str]:
        return list_of_str(self.get_json("/api/v2/services"))

    def operations(self, service: str) -> list[str]:
        return list_of_str(self.get_json("/api/v2/spans", {"serviceName": service}))

    def tag_names(self) -> list[str]:
        return list_of_str(self.get_json("/api/v2/autocompleteKeys"))

    def tag_values(self, tag: str) -> list[str]:
        return list_of_str(self.get_json("/api/v2/autocompleteValues", {"key": tag}))

    def search_query(self, params: SearchParams) -> dict[str, str]:
        start, end = params.window()
        end_ms = -(-end // 1_000_000)
        q = {"endTs": str(end_ms), "lookback": str(max(1, round((end - start) / 1_000_000))),
             "limit": str(params.limit)}
        if params.service:
            q["serviceName"] = params.service
        if params.operation:
            q["spanName"] = params.operation
        if params.tags:
            q["annotationQuery"] = " and ".join(f"{k}={v}" if v else k for k, v in params.tags)
        if params.min_duration_ns is not None:
            q["minDuration"] = str(params.min_duration_ns // 1000)
        if params.max_duration_ns is not None:
            q["maxDuration"] = str(params.max_duration_ns // 1000)
        return q

    def search(self, params: SearchParams, progress: Progress | None = None) -> SearchResult:
        if params.query:
            raise self.error("Zipkin has no query language; use --service/--operation/--tag")
        _, body = self.get("/api/v2/traces", self.search_query(params), progress=progress)
        if b"".join(body[:16].split()) in (b"[]", b""):
            return SearchResult(complete=True)
        return result_from_batches(list(self.decode(body, "search")), params.limit)

    def fetch_trace(self, trace_id: str, progress: Progress | None = None) -> Iterator[Batch]:
        _, body = self.get(f"/api/v2/trace/{trace_id}", progress=progress, not_found=f"trace {trace_id} not found")
        if b"".join(body[:16].split()) == b"[]":
            raise self.error(f"trace {trace_id} not found (empty answer)")
        yield from self.decode(body, f"trace {trace_id}")
