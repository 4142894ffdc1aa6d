"""Grafana Tempo's HTTP API.

Search: `GET /api/search` with either a TraceQL query `q`, or tag-based search: `tags` (logfmt:
`service.name=checkout name="GET /cart" http.status_code=500`), `minDuration`/`maxDuration` (Go
durations); both with `limit` and `start`/`end` (epoch seconds). The answer lists trace summaries
(`traceID` hex with leading zeros dropped, `rootServiceName`, `rootTraceName`, `startTimeUnixNano`,
`durationMs`, `serviceStats`), not spans: each trace is fetched on its own.

Traces: `GET /api/v2/traces/{id}` (`{"trace": OTLP}`; falls back to `/api/traces/{id}`,
`{"batches": …}`, on servers without v2) with `Accept: application/json`: OTLP JSON with base64
ids and enum names. With `format = "protobuf"` in the config: `GET /api/traces/{id}` with
`Accept: application/protobuf`, plain OTLP `TracesData` bytes.

Tags: `/api/v2/search/tags` (scoped names), `/api/v2/search/tag/{tag}/values`; services are the
values of `resource.service.name`, operations the values of `name` filtered by service.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from urllib.parse import quote

from tracetui.loaders import Batch
from tracetui.loaders.otlp_proto import read_otlp_proto
from tracetui.sources.backends.base import (
    Backend,
    Progress,
    SearchResult,
    TraceHit,
    TraceNotFound,
    list_of_str,
)
from tracetui.sources.backends.params import SearchParams, go_duration

JSON, PROTOBUF = "json", "protobuf"


def logfmt(pairs: list[tuple[str, str]]) -> str:
    out = []
    for k, v in pairs:
        if v == "" or any(c in v for c in ' "=\\'):
            v = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(f"{k}={v}")
    return " ".join(out)


def traceql_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pad_trace_id(tid: str) -> str:
    """Tempo drops leading zeros from hex trace ids in search results; ids are 128-bit."""
    tid = tid.lower()
    return tid.rjust(32, "0") if len(tid) < 32 and all(c in "0123456789abcdef" for c in tid) else tid


class TempoBackend(Backend):
    kind = "tempo"
    not_found_hint = ": is this Tempo's query frontend (port 3200)?"

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.format = PROTOBUF if self.config.options.get("format") == PROTOBUF else JSON
        self._v2: bool | None = None  # None: not known yet

    # ---- tags -----------------------------------------------------------------------------

    def tag_values(self, tag: str, q: str | None = None) -> list[str]:
        params = {"q": q} if q else None
        doc = self._json_or_none(f"/api/v2/search/tag/{quote(tag, safe='')}/values", params)
        if doc is not None:
            return list_of_str(doc, "tagValues")
        # Tempo 1.x: unscoped names, plain strings
        plain = tag.split(".", 1)[1] if tag.startswith(("resource.", "span.", ".")) else tag
        return list_of_str(self.get_json(f"/api/search/tag/{quote(plain, safe='')}/values", params), "tagValues")

    def _json_or_none(self, path: str, params: dict | None):
        """JSON of path, or None when the endpoint is absent (404): an older Tempo."""
        import orjson

        status, body = self.get(path, params, ok_statuses=(404,))
        if status == 404:
            return None
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise self.error(f"malformed answer from {path}: not JSON") from None

    def services(self) -> list[str]:
        return self.tag_values("resource.service.name")

    def operations(self, service: str) -> list[str]:
        return self.tag_values("name", q="{resource.service.name=" + traceql_string(service) + "}")

    def tag_names(self) -> list[str]:
        doc = self._json_or_none("/api/v2/search/tags", None)
        if doc is None:
            return list_of_str(self.get_json("/api/search/tags"), "tagNames")
        names: set[str] = set()
        for scope in doc.get("scopes") or []:
            sname = scope.get("name", "")
            for t in scope.get("tags") or []:
                names.add(t if sname in ("intrinsic", "") else f"{sname}.{t}")
        return sorted(names)

    # ---- search ---------------------------------------------------------------------------

    def search_query(self, params: SearchParams) -> dict[str, str]:
        start, end = params.window()
        q = {"limit": str(params.limit), "start": str(start // 1_000_000_000),
             "end": str(math.ceil(end / 1_000_000_000))}
        if params.query:
            if params.service or params.operation or params.tags:
                raise self.error("a TraceQL query replaces --service/--operation/--tag; use one or the other")
            q["q"] = params.query
        else:
            pairs = []
            if params.service:
                pairs.append(("service.name", params.service))
            if params.operation:
                pairs.append(("name", params.operation))
            bare = [k for k, v in params.tags if not v]
            if bare:
                raise self.error(f"Tempo's tag search needs key=value (for {bare[0]!r} alone, use --query "
                                 f"'{{ .{bare[0]} != nil }}')")
            pairs += list(params.tags)
            if pairs:
                q["tags"] = logfmt(pairs)
        if params.min_duration_ns is not None:
            q["minDuration"] = go_duration(params.min_duration_ns)
        if params.max_duration_ns is not None:
            q["maxDuration"] = go_duration(params.max_duration_ns)
        return q

    def search(self, params: SearchParams, progress: Progress | None = None) -> SearchResult:
        doc = self.get_json("/api/search", self.search_query(params), progress=progress)
        if not isinstance(doc, dict):
            raise self.error("malformed answer from /api/search: expected an object with `traces`")
        hits = []
        for t in doc.get("traces") or []:
            if not isinstance(t, dict) or not t.get("traceID"):
                continue
            stats = t.get("serviceStats") or {}
            try:
                start = int(t.get("startTimeUnixNano") or 0)
                dur = int(t.get("durationMs") or 0) * 1_000_000
            except (TypeError, ValueError):
                start, dur = 0, 0
            hits.append(TraceHit(
                trace_id=pad_trace_id(str(t["traceID"])),
                root_service=str(t.get("rootServiceName", "")),
                root_name=str(t.get("rootTraceName", "")),
                start_ns=start, duration_ns=dur,
                span_count=sum(int(s.get("spanCount", 0)) for s in stats.values()) if stats else None,
                error_count=sum(int(s.get("errorCount", 0)) for s in stats.values()) if stats else None,
                services=tuple(sorted(stats)),
            ))
        hits.sort(key=lambda h: h.start_ns, reverse=True)
        return SearchResult(hits=hits[: params.limit])

    # ---- traces ---------------------------------------------------------------------------

    def fetch_trace(self, trace_id: str, progress: Progress | None = None) -> Iterator[Batch]:
        nf = f"trace {trace_id} not found"
        if self.format == PROTOBUF:
            _, body = self.get(f"/api/traces/{trace_id}", headers={"Accept": "application/protobuf"},
                               progress=progress, not_found=nf)
            if not body:
                raise self.error(f"{nf} (empty answer)")
            yield from self._proto(body, trace_id)
            return
        headers = {"Accept": "application/json"}
        if self._v2 is not False:
            status, body = self.get(f"/api/v2/traces/{trace_id}", headers=headers, progress=progress,
                                    ok_statuses=(404,))
            if status != 404:
                self._v2 = True
                yield from self._decode_trace(body, trace_id)
                return
            if self._v2:  # v2 is known to exist: the trace is not there
                raise self.error(f"{nf} (404)", 404, TraceNotFound)
        _, body = self.get(f"/api/traces/{trace_id}", headers=headers, progress=progress, not_found=nf)
        self._v2 = False
        yield from self._decode_trace(body, trace_id)

    def _decode_trace(self, body: bytes, trace_id: str) -> Iterator[Batch]:
        any_spans = False
        for b in self.decode(body, f"trace {trace_id}"):
            any_spans = any_spans or bool(b.spans)
            yield b
        if not any_spans:
            raise self.error(f"trace {trace_id} not found (the answer holds no spans)", None, TraceNotFound)

    def _proto(self, body: bytes, trace_id: str) -> Iterator[Batch]:
        batches = list(read_otlp_proto(body, f"{self.label} trace {trace_id}"))
        if not any(b.spans for b in batches):
            msg = batches[0].problems[0].message if batches and batches[0].problems else "no spans"
            raise self.error(f"malformed protobuf answer for trace {trace_id}: {msg}")
        yield from batches
