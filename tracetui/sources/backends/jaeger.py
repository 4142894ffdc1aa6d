"""Jaeger query service: API v3 (OTLP JSON in `{"result": …}`) when present, else the legacy
`/api/…` endpoints (Jaeger JSON, `{"data": …}`).

Jaeger v2 removed the legacy search endpoints in 2026-08; v3 is the supported surface, the legacy
endpoints serve older servers. Which one a server speaks is found out once per backend: a 404 on
`/api/v3/services` means no v3. `api = "v3"` or `"legacy"` in the config skips the probe.

v3 search (`GET /api/v3/traces`): `query.service_name`, `query.operation_name`,
`query.start_time_min`/`max` (RFC 3339, required), `query.duration_min`/`max` (Go durations),
`query.search_depth` (and its older name `query.num_traces`), `query.attributes` (a JSON object
of strings). A v3 server answers a search that found nothing with 404 and a JSON error body.
Legacy search (`GET /api/traces`): `service`, `operation`, `tags` (JSON object), `start`/`end`
(epoch microseconds), `minDuration`/`maxDuration` (Go durations), `limit`.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from tracetui.loaders import Batch
from tracetui.model import TraceStore
from tracetui.sources.backends.base import Backend, Progress, SearchResult, TraceHit, list_of_str
from tracetui.sources.backends.params import SearchParams, go_duration, rfc3339

V3, LEGACY = "v3", "legacy"


class JaegerBackend(Backend):
    kind = "jaeger"
    not_found_hint = ": is this a Jaeger query service (port 16686)?"
    needs_service = True

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        forced = self.config.options.get("api")
        self._api: str | None = forced if forced in (V3, LEGACY) else None
        self._services: list[str] | None = None

    @property
    def api(self) -> str:
        """`v3` or `legacy`, probed once."""
        if self._api is None:
            status, body = self.get("/api/v3/services", ok_statuses=(404,))
            if status == 404:
                self._api = LEGACY
            else:
                self._api = V3
                self._services = self._parse_services(body, "services")
        return self._api

    def _parse_services(self, body: bytes, key: str) -> list[str]:
        try:
            return list_of_str(orjson.loads(body), key)
        except (orjson.JSONDecodeError, TypeError, AttributeError):
            raise self.error("malformed answer from the services endpoint") from None

    def services(self) -> list[str]:
        if self.api == V3:
            if self._services is None:
                _, body = self.get("/api/v3/services")
                self._services = self._parse_services(body, "services")
            services, self._services = self._services, None  # fresh next time
            return services
        _, body = self.get("/api/services")
        return self._parse_services(body, "data")

    def operations(self, service: str) -> list[str]:
        if self.api == V3:
            return list_of_str(self.get_json("/api/v3/operations", {"service": service}), "operations")
        from urllib.parse import quote

        return list_of_str(self.get_json(f"/api/services/{quote(service, safe='')}/operations"), "data")

    def search_query(self, params: SearchParams) -> dict[str, str]:
        """The query string this backend sends for `params` (also what the tests assert on)."""
        start, end = params.window()
        if self.api == V3:
            q = {"query.start_time_min": rfc3339(start), "query.start_time_max": rfc3339(end),
                 "query.search_depth": str(params.limit), "query.num_traces": str(params.limit)}
            if params.service:
                q["query.service_name"] = params.service
            if params.operation:
                q["query.operation_name"] = params.operation
            if params.min_duration_ns is not None:
                q["query.duration_min"] = go_duration(params.min_duration_ns)
            if params.max_duration_ns is not None:
                q["query.duration_max"] = go_duration(params.max_duration_ns)
            if params.tags:
                q["query.attributes"] = orjson.dumps(dict(params.tags)).decode()
            return q
        q = {"start": str(start // 1000), "end": str(end // 1000), "limit": str(params.limit)}
        if params.service:
            q["service"] = params.service
        if params.operation:
            q["operation"] = params.operation
        if params.min_duration_ns is not None:
            q["minDuration"] = go_duration(params.min_duration_ns)
        if params.max_duration_ns is not None:
            q["maxDuration"] = go_duration(params.max_duration_ns)
        if params.tags:
            q["tags"] = orjson.dumps(dict(params.tags)).decode()
        return q

    def search(self, params: SearchParams, progress: Progress | None = None) -> SearchResult:
        if params.query:
            raise self.error("Jaeger has no query language; use --service/--operation/--tag")
        bare = [k for k, v in params.tags if not v]
        if bare:
            raise self.error(f"Jaeger matches tags by value: use {bare[0]}=VALUE")
        q = self.search_query(params)
        if self.api == V3:
            status, body = self.get("/api/v3/traces", q, progress=progress, ok_statuses=(404,))
            if status == 404:
                if b'"error"' not in body:  # not a v3 "no traces found" answer: the endpoint is gone
                    raise self.error("/api/v3/traces does not exist here (404)", 404)
                return SearchResult(complete=True)
        else:
            _, body = self.get("/api/traces", q, progress=progress)
            if _empty_legacy(body):
                return SearchResult(complete=True)
        batches = list(self.decode(body, "search"))
        return result_from_batches(batches, params.limit)

    def fetch_trace(self, trace_id: str, progress: Progress | None = None) -> Iterator[Batch]:
        path = f"/api/v3/traces/{trace_id}" if self.api == V3 else f"/api/traces/{trace_id}"
        _, body = self.get(path, progress=progress, not_found=f"trace {trace_id} not found")
        yield from self.decode(body, f"trace {trace_id}")


def _empty_legacy(body: bytes) -> bool:
    head = b"".join(body[:80].split())
    return head.startswith((b'{"data":null', b'{"data":[]'))


def result_from_batches(batches: list[Batch], limit: int) -> SearchResult:
    """Hits for whole traces returned by a search, newest first, at most `limit`."""
    from tracetui.analysis import summarize

    store = TraceStore()
    for b in batches:
        if b.spans:
            store.add(b.spans)
    hits = []
    for t in sorted(store, key=lambda t: t.start_ns, reverse=True)[:limit]:
        s = summarize(t)
        hits.append(TraceHit(s.trace_id, s.root_service, s.root_name, s.start_unix_nano, s.duration_ns,
                             s.span_count, s.error_count, tuple(s.services)))
    keep = {h.trace_id for h in hits}
    out = [Batch(spans=[sp for sp in b.spans if sp.trace_id in keep], problems=b.problems) for b in batches]
    return SearchResult(hits=hits, batches=[b for b in out if b.spans or b.problems], complete=True)
