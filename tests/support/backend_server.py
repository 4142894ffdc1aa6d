"""A fake Jaeger / Tempo / Zipkin query server on loopback, answering with the documented shapes.

The traces it holds are the real ones in tests/fixtures (Jaeger UI's test traces, Zipkin's lens
test data, the OTLP spec example), moved to the last few minutes and given hex ids, and served
the way each backend serves them:

- Jaeger API v3: `{"result": TracesData}` (hex ids, integer enums), errors as
  `{"error": {"httpCode", "message"}}`, 404 for a search that found nothing; legacy API: Jaeger
  JSON `{"data": [...], "errors": ...}`. `v3=False` makes it an old server without `/api/v3`.
- Tempo: `/api/search` summaries (trace ids without leading zeros), `/api/v2/traces/{id}`
  `{"trace": …}` and `/api/traces/{id}` `{"batches": …}` with base64 ids and enum names, or OTLP
  protobuf for `Accept: application/protobuf`; tags and tag values (v2 shapes).
- Zipkin v2: lists of spans, lists of traces.

It records every request (path, query, headers) for tests to assert on, and misbehaves on demand:
`fail(path_prefix, status, …)` (5xx then success, 401/403, malformed bodies), `slow` seconds of
delay, `auth` (required Authorization header). `add_trace()` makes a new trace "now" (live mode).

Run it by hand: `python tests/support/backend_server.py --kind jaeger --port 16686 --grow 5`.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import glob
import hashlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from aiohttp import web

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
SAMPLES = HERE.parent.parent / "sample_traces"

import sys  # noqa: E402

sys.path.insert(0, str(HERE))
from loops import cancel_the_rest  # noqa: E402
from otlp_writer import jaeger_trace, traces_data, traces_proto, zipkin_spans  # noqa: E402

from tracetui.loaders import read_bytes  # noqa: E402
from tracetui.model import Span  # noqa: E402

SPACING_NS = 45 * 10**9  # the held traces end 45 s apart, the newest 45 s ago


def _hex(seed: str, n: int) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:n]


@dataclass
class Held:
    """One trace the server holds, in the shapes it can answer with."""

    trace_id: str
    spans: list[Span] = field(default_factory=list)  # parsed (Jaeger- and OTLP-origin traces)
    jaeger: dict | None = None  # a Jaeger JSON trace object (legacy API)
    zipkin: list | None = None  # Zipkin v2 spans

    @property
    def views(self) -> list[tuple[str, str, dict, int, int, bool]]:
        """(service, name, attributes, start_ns, duration_ns, error) per span, for filtering."""
        if self.spans:
            return [(s.service, s.name, {**s.resource.attributes, **s.attributes}, s.start_ns, s.duration_ns,
                     s.is_error) for s in self.spans]
        out = []
        for z in self.zipkin or []:
            tags = z.get("tags") or {}
            out.append(((z.get("localEndpoint") or {}).get("serviceName") or "unknown", z.get("name", ""), tags,
                        int(z.get("timestamp", 0)) * 1000, int(z.get("duration", 0)) * 1000, "error" in tags))
        return out

    @property
    def start_ns(self) -> int:
        return min(v[3] for v in self.views)

    @property
    def end_ns(self) -> int:
        return max(v[3] + v[4] for v in self.views)

    @property
    def root(self) -> tuple[str, str]:
        if self.spans:
            ids = {s.span_id for s in self.spans}
            roots = sorted((s for s in self.spans if s.parent_id not in ids), key=lambda s: s.start_ns)
            return (roots[0].service, roots[0].name) if roots else ("", "")
        zs = self.zipkin or []
        ids = {z["id"] for z in zs}
        roots = sorted((z for z in zs if z.get("parentId") not in ids), key=lambda z: z.get("timestamp", 0))
        z = roots[0] if roots else zs[0]
        return (z.get("localEndpoint") or {}).get("serviceName", ""), z.get("name", "")


# ---- loading and reshaping the fixtures ------------------------------------------------------

def _jaeger_docs() -> list[tuple[str, dict]]:
    out = []
    for f in sorted(glob.glob(str(FIXTURES / "jaeger" / "*" / "*.json"))):
        doc = json.loads(Path(f).read_text())
        out.append((Path(f).stem, doc.get("trace", doc)))
    return out


def _rehex_jaeger(name: str, doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    tid = _hex("trace:" + name, 32)
    doc["traceID"] = tid
    for sp in doc["spans"]:
        sp["traceID"] = tid
        sp["spanID"] = _hex(f"{name}:{sp['spanID']}", 16)
        for ref in sp.get("references") or []:
            ref["traceID"] = tid
            ref["spanID"] = _hex(f"{name}:{ref['spanID']}", 16)
    return doc


def _shift_jaeger(doc: dict, end_ns: int) -> dict:
    end_us = max(sp["startTime"] + sp.get("duration", 0) for sp in doc["spans"])
    d = end_ns // 1000 - end_us
    for sp in doc["spans"]:
        sp["startTime"] += d
        for log in sp.get("logs") or []:
            log["timestamp"] += d
    return doc


def _shift_zipkin(spans: list, end_ns: int) -> list:
    spans = copy.deepcopy(spans)
    end_us = max(s.get("timestamp", 0) + s.get("duration", 0) for s in spans)
    d = end_ns // 1000 - end_us
    for s in spans:
        if "timestamp" in s:
            s["timestamp"] += d
        for a in s.get("annotations") or []:
            a["timestamp"] += d
    return spans


def _shift_spans(spans: list[Span], end_ns: int) -> list[Span]:
    d = end_ns - max(s.end_ns for s in spans)
    return [msgspec.structs.replace(s, start_ns=s.start_ns + d, end_ns=s.end_ns + d) for s in spans]


def _load_spans(data: bytes) -> list[Span]:
    return [s for b in read_bytes(data, "fixture") for s in b.spans]


def _sample_traces() -> list[list[Span]]:
    """The shop traces made by the real OpenTelemetry SDK (sample_traces/shop.json), one list each."""
    path = SAMPLES / "shop.json"
    if not path.exists():
        return []
    by_trace: dict[str, list[Span]] = {}
    for s in _load_spans(path.read_bytes()):
        by_trace.setdefault(s.trace_id, []).append(s)
    return list(by_trace.values())


def held_traces(kind: str, now_ns: int) -> list[Held]:
    """The traces a server of this kind holds, newest first: the shop's real SDK traces, then the
    test traces of Jaeger UI (Jaeger, Tempo), the OTLP spec example (Tempo) or Zipkin's (Zipkin)."""
    out: list[Held] = []
    for spans in _sample_traces():
        spans = _shift_spans(spans, now_ns - SPACING_NS * (len(out) + 1))
        if kind == "jaeger":
            doc = jaeger_trace(spans)  # what a Jaeger server stores: microseconds
            out.append(Held(doc["traceID"], spans=_load_spans(json.dumps({"data": [doc]}).encode()), jaeger=doc))
        elif kind == "tempo":
            out.append(Held(spans[0].trace_id, spans=spans))
        else:
            out.append(Held(spans[0].trace_id, zipkin=zipkin_spans(spans)))
    if kind in ("jaeger", "tempo"):
        for name, doc in _jaeger_docs():
            end = now_ns - SPACING_NS * (len(out) + 1)
            doc = _shift_jaeger(_rehex_jaeger(name, doc), end)
            spans = _load_spans(json.dumps({"data": [doc]}).encode())
            out.append(Held(doc["traceID"], spans=spans, jaeger=doc))
    if kind == "tempo":
        spans = _load_spans((FIXTURES / "otlp" / "opentelemetry-proto-example.json").read_bytes())
        spans = _shift_spans(spans, now_ns - SPACING_NS * (len(out) + 1))
        out.append(Held(spans[0].trace_id, spans=spans))
    if kind == "zipkin":
        for f in sorted(glob.glob(str(FIXTURES / "zipkin" / "*.json"))):
            spans = _shift_zipkin(json.loads(Path(f).read_text()), now_ns - SPACING_NS * (len(out) + 1))
            out.append(Held(spans[0]["traceId"], zipkin=spans))
    return out


# ---- the server ------------------------------------------------------------------------------

@dataclass
class Fault:
    path_prefix: str
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    times: int = 1
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    stream: int = 0  # > 0: stream this many bytes of `body` repeated, chunked (no Content-Length)
    echo: bool = False  # answer with the request's headers in the page, as some proxies do


@dataclass
class Recorded:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    peer: tuple | None = None  # the client's (host, port): one per connection


class FakeBackend:
    """One fake backend of `kind` ("jaeger", "tempo", "zipkin")."""

    def __init__(self, kind: str, *, v3: bool = True, tempo_v2: bool = True, chunked: bool = False,
                 now_ns: int | None = None) -> None:
        self.kind = kind
        self.v3 = v3
        self.tempo_v2 = tempo_v2
        self.chunked = chunked  # Jaeger v3: one {"result"} document per trace, one per line
        self.lock = threading.Lock()
        self.traces: dict[str, Held] = {h.trace_id: h for h in held_traces(kind, now_ns or time.time_ns())}
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.slow = 0.0
        self.auth: str | None = None  # required Authorization header value
        self.port = 0
        self._added = 0

    # -- control -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{self.kind}+{getattr(self, 'scheme', 'http')}://127.0.0.1:{self.port}"

    def fail(self, path_prefix: str, status: int, body: bytes | str = b"", *, times: int = 1,
             delay: float = 0.0, content_type: str = "application/json", headers: dict | None = None,
             stream: int = 0, echo: bool = False) -> None:
        """Answer requests under `path_prefix` this way `times` times. `stream=N` sends N bytes of
        `body` repeated, chunked and 1 MiB at a time (stopping when the client goes away); `echo`
        puts the request's headers in the page (a misconfigured proxy's error page)."""
        body = body.encode() if isinstance(body, str) else body
        self.faults.append(Fault(path_prefix, status, body, content_type, times, delay, dict(headers or {}),
                                 stream, echo))

    def queries(self, path: str) -> list[dict[str, str]]:
        return [r.query for r in self.requests if r.path == path]

    def add_trace(self, now_ns: int | None = None, service: str | None = None) -> str:
        """A new trace ending now, cloned with fresh ids from the first held one (with `service`)."""
        now = now_ns or time.time_ns()
        with self.lock:
            self._added += 1
            tmpl = next(h for h in self.traces.values() if service is None or any(v[0] == service for v in h.views))
            n = f"live{self._added}:{now}"
            tid = _hex("trace:" + n, 32 if len(tmpl.trace_id) == 32 else 16)
            if tmpl.zipkin is not None:
                spans = _shift_zipkin(tmpl.zipkin, now)
                idmap = {s["id"]: _hex(f"{n}:{s['id']}", 16) for s in spans}
                for s in spans:
                    s["traceId"], s["id"] = tid, idmap[s["id"]]
                    if s.get("parentId") in idmap:
                        s["parentId"] = idmap[s["parentId"]]
                held = Held(tid, zipkin=spans)
            elif tmpl.jaeger is None:  # OTLP-origin (Tempo): clone the spans
                spans = _shift_spans(tmpl.spans, now)
                tid = _hex("trace:" + n, 32)
                idmap = {s.span_id: _hex(f"{n}:{s.span_id}", 16) for s in spans}
                held = Held(tid, spans=[msgspec.structs.replace(
                    s, trace_id=tid, span_id=idmap[s.span_id], parent_id=idmap.get(s.parent_id, s.parent_id))
                    for s in spans])
            else:
                doc = copy.deepcopy(tmpl.jaeger)
                doc = _shift_jaeger(_rehex_jaeger(n, doc), now)
                tid = doc["traceID"]
                held = Held(tid, spans=_load_spans(json.dumps({"data": [doc]}).encode()), jaeger=doc)
            self.traces = {tid: held, **self.traces}
            return tid

    # -- running in a thread ---------------------------------------------------------------------
    def start(self, port: int = 0, ssl_context=None) -> FakeBackend:
        self.scheme = "https" if ssl_context is not None else "http"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(self.app(), access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.SockSite(self._runner, sock, ssl_context=ssl_context).start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.run_until_complete(cancel_the_rest())  # none destroyed pending in a later test
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # -- the HTTP side ---------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        if self.kind == "jaeger":
            r.add_get("/api/v3/services", self.j3_services)
            r.add_get("/api/v3/operations", self.j3_operations)
            r.add_get("/api/v3/traces", self.j3_search)
            r.add_get("/api/v3/traces/{id}", self.j3_trace)
            r.add_get("/api/services", self.jl_services)
            r.add_get("/api/services/{service}/operations", self.jl_operations)
            r.add_get("/api/traces", self.jl_search)
            r.add_get("/api/traces/{id}", self.jl_trace)
        elif self.kind == "tempo":
            r.add_get("/api/search", self.t_search)
            r.add_get("/api/v2/search/tags", self.t_tags)
            r.add_get("/api/v2/search/tag/{tag}/values", self.t_tag_values)
            r.add_get("/api/v2/traces/{id}", self.t_trace_v2)
            r.add_get("/api/search/tags", self.t_tags_v1)
            r.add_get("/api/search/tag/{tag}/values", self.t_tag_values_v1)
            r.add_get("/api/traces/{id}", self.t_trace_v1)
        else:
            r.add_get("/api/v2/services", self.z_services)
            r.add_get("/api/v2/spans", self.z_spans)
            r.add_get("/api/v2/traces", self.z_search)
            r.add_get("/api/v2/trace/{id}", self.z_trace)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.requests.append(Recorded(request.path, dict(request.query), dict(request.headers), peer))
        if self.slow:
            await asyncio.sleep(self.slow)
        for f in self.faults:
            if f.times > 0 and request.path.startswith(f.path_prefix):
                f.times -= 1
                if f.delay:
                    await asyncio.sleep(f.delay)
                if f.stream:
                    return await self._stream(request, f)
                body = f.body
                if f.echo:  # credentials first, as the proxies that do this tend to
                    echoed = sorted(request.headers.items(), key=lambda kv: kv[0].lower() != "authorization"
                                    and not kv[0].lower().startswith("x-"))
                    body = f.body + "".join(f"<br>{k}: {v}" for k, v in echoed).encode()
                return web.Response(status=f.status, body=body, content_type=f.content_type, headers=f.headers)
        if self.auth is not None and request.headers.get("Authorization") != self.auth:
            return web.Response(status=401, text="unauthorized: bad or missing credentials")
        if (self.kind == "jaeger" and not self.v3 and request.path.startswith("/api/v3/")) or (
                self.kind == "tempo" and not self.tempo_v2 and request.path.startswith("/api/v2/")):
            return web.Response(status=404, text="404 page not found")
        with self.lock:
            return await handler(request)

    @staticmethod
    async def _stream(request: web.Request, f: Fault) -> web.StreamResponse:
        resp = web.StreamResponse(status=f.status, headers={"Content-Type": f.content_type, **f.headers})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        block = (f.body or b" ") * max(1, (1 << 20) // max(1, len(f.body)))
        sent = 0
        try:
            while sent < f.stream:
                piece = block[: f.stream - sent]
                await resp.write(piece)
                sent += len(piece)
            await resp.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client stopped reading: what a capped client does
        return resp

    # -- shared filtering ------------------------------------------------------------------------
    def _match(self, *, service=None, operation=None, tags: dict | None = None, min_ns=None, max_ns=None,
               start_ns=None, end_ns=None, trace_duration=False, words=()) -> list[Held]:
        out = []
        for h in self.traces.values():
            views = h.views
            if start_ns is not None and not (start_ns <= h.start_ns <= end_ns):
                continue
            if trace_duration:
                dur = h.end_ns - h.start_ns
                if (min_ns is not None and dur < min_ns) or (max_ns is not None and dur > max_ns):
                    continue
            ok = False
            for svc, name, attrs, _, dur, err in views:
                if service and svc != service:
                    continue
                if operation and name != operation:
                    continue
                if tags and any(str(attrs.get(k)).lower() != str(v).lower() for k, v in tags.items()):
                    continue
                if any(w not in attrs and not (w == "error" and err) for w in words):
                    continue
                if not trace_duration and ((min_ns is not None and dur < min_ns) or (max_ns is not None and dur > max_ns)):
                    continue
                ok = True
                break
            if ok:
                out.append(h)
        return out

    # -- Jaeger API v3 -----------------------------------------------------------------------------
    @staticmethod
    def _j3_error(status: int, message: str) -> web.Response:
        return web.json_response({"error": {"httpCode": status, "message": message}}, status=status)

    async def j3_services(self, request):
        services = sorted({v[0] for h in self.traces.values() for v in h.views})
        return web.json_response({"services": services})

    async def j3_operations(self, request):
        svc = request.query.get("service", "")
        ops = sorted({(s.name, s.kind_name) for h in self.traces.values() for s in h.spans if s.service == svc})
        return web.json_response({"operations": [{"name": n, "spanKind": k} for n, k in ops]})

    async def j3_search(self, request):
        q = request.query
        tmin, tmax = q.get("query.start_time_min"), q.get("query.start_time_max")
        if not tmin or not tmax:
            return self._j3_error(400, "query.start_time_min and query.start_time_max are required")
        try:
            start, end = _parse_rfc3339(tmin), _parse_rfc3339(tmax)
            min_ns = _parse_go(q["query.duration_min"]) if "query.duration_min" in q else None
            max_ns = _parse_go(q["query.duration_max"]) if "query.duration_max" in q else None
            attrs = json.loads(q["query.attributes"]) if "query.attributes" in q else None
        except ValueError as e:
            return self._j3_error(400, f"malformed parameter: {e}")
        found = self._match(service=q.get("query.service_name"), operation=q.get("query.operation_name"),
                            tags=attrs, min_ns=min_ns, max_ns=max_ns, start_ns=start, end_ns=end)
        found = found[: int(q.get("query.search_depth") or q.get("query.num_traces") or 20)]
        if not found:
            return self._j3_error(404, "No traces found")
        if self.chunked:
            body = b"".join(json.dumps({"result": traces_data(h.spans)}).encode() + b"\n" for h in found)
            return web.Response(body=body, content_type="application/json")
        return web.json_response({"result": traces_data([s for h in found for s in h.spans])})

    async def j3_trace(self, request):
        h = self.traces.get(request.match_info["id"].lower())
        if h is None:
            return self._j3_error(404, "trace not found")
        return web.json_response({"result": traces_data(h.spans)})

    # -- Jaeger legacy API ---------------------------------------------------------------------------
    @staticmethod
    def _jl(data: Any, status: int = 200, error: str | None = None) -> web.Response:
        errors = [{"code": status, "msg": error}] if error else None
        total = len(data) if isinstance(data, list) else 0
        return web.json_response({"data": data, "total": total, "limit": 0, "offset": 0, "errors": errors},
                                 status=status)

    async def jl_services(self, request):
        return self._jl(sorted({v[0] for h in self.traces.values() for v in h.views}))

    async def jl_operations(self, request):
        svc = request.match_info["service"]
        return self._jl(sorted({v[1] for h in self.traces.values() for v in h.views if v[0] == svc}))

    async def jl_search(self, request):
        q = request.query
        if not q.get("service"):
            return self._jl(None, 400, "parameter 'service' is required")
        try:
            end = int(q["end"]) * 1000 if "end" in q else time.time_ns()
            start = int(q["start"]) * 1000 if "start" in q else end - 3600 * 10**9
            min_ns = _parse_go(q["minDuration"]) if "minDuration" in q else None
            max_ns = _parse_go(q["maxDuration"]) if "maxDuration" in q else None
            tags = json.loads(q["tags"]) if "tags" in q else None
        except ValueError as e:
            return self._jl(None, 400, f"malformed parameter: {e}")
        found = self._match(service=q["service"], operation=q.get("operation"), tags=tags, min_ns=min_ns,
                            max_ns=max_ns, start_ns=start, end_ns=end)[: int(q.get("limit") or 20)]
        return self._jl([h.jaeger for h in found])

    async def jl_trace(self, request):
        h = self.traces.get(request.match_info["id"].lower())
        if h is None:
            return self._jl(None, 404, "trace not found")
        return self._jl([h.jaeger])

    # -- Tempo -----------------------------------------------------------------------------------
    async def t_search(self, request):
        q = request.query
        try:
            start = int(q["start"]) * 10**9 if "start" in q else None
            end = int(q["end"]) * 10**9 if "end" in q else None
            min_ns = _parse_go(q["minDuration"]) if "minDuration" in q else None
            max_ns = _parse_go(q["maxDuration"]) if "maxDuration" in q else None
            if "q" in q:
                conds = _traceql(q["q"])
            else:
                conds = [(k, "=", v) for k, v in _logfmt(q.get("tags", "")).items()]
        except ValueError as e:
            return web.Response(status=400, text=f"invalid request: {e}")
        service = next((v for k, op, v in conds if k in ("service.name", ".service.name", "resource.service.name")), None)
        operation = next((v for k, op, v in conds if k == "name"), None)
        err = any(k == "status" and v == "error" for k, op, v in conds)
        tags = {k.split(".", 1)[1] if k.startswith(("span.", ".")) else k: v for k, op, v in conds
                if k not in ("service.name", ".service.name", "resource.service.name", "name", "status")}
        found = self._match(service=service, operation=operation, tags=tags, min_ns=min_ns, max_ns=max_ns,
                            start_ns=start, end_ns=end, trace_duration=True, words=("error",) if err else ())
        found = found[: int(q.get("limit") or 20)]
        traces = []
        for h in found:
            stats: dict[str, dict[str, int]] = {}
            for svc, *_, e in h.views:
                st = stats.setdefault(svc, {"spanCount": 0})
                st["spanCount"] += 1
                if e:
                    st["errorCount"] = st.get("errorCount", 0) + 1
            rs, rn = h.root
            t = {"traceID": h.trace_id.lstrip("0"), "rootServiceName": rs, "rootTraceName": rn,
                 "startTimeUnixNano": str(h.start_ns), "serviceStats": stats,
                 "spanSets": [{"spans": [{"spanID": h.spans[0].span_id, "startTimeUnixNano": str(h.spans[0].start_ns),
                                          "durationNanos": str(h.spans[0].duration_ns)}], "matched": 1}]}
            ms = (h.end_ns - h.start_ns) // 10**6
            if ms:
                t["durationMs"] = ms  # proto3 JSON leaves zero out
            traces.append(t)
        return web.json_response({"traces": traces, "metrics": {"inspectedTraces": len(self.traces),
                                                                "inspectedBytes": "1234", "totalBlocks": 1}})

    async def t_tags(self, request):
        span_tags = sorted({k for h in self.traces.values() for s in h.spans for k in s.attributes})
        res_tags = sorted({k for h in self.traces.values() for s in h.spans for k in s.resource.attributes})
        return web.json_response({"scopes": [
            {"name": "resource", "tags": res_tags}, {"name": "span", "tags": span_tags},
            {"name": "intrinsic", "tags": ["duration", "kind", "name", "rootName", "rootServiceName", "status",
                                           "statusMessage", "traceDuration"]}], "metrics": {"inspectedBytes": "1"}})

    async def t_tag_values(self, request):
        tag = request.match_info["tag"]
        q = request.query.get("q", "")
        m = re.search(r'resource\.service\.name\s*=\s*"([^"]*)"', q)
        spans = [s for h in self.traces.values() for s in h.spans if not m or s.service == m.group(1)]
        if tag in ("resource.service.name", ".service.name"):
            values = {s.service for s in spans}
        elif tag == "name":
            values = {s.name for s in spans}
        else:
            key = tag.split(".", 1)[1] if tag.startswith(("span.", "resource.", ".")) else tag
            values = {str(s.attributes[key]) for s in spans if key in s.attributes}
        return web.json_response({"tagValues": [{"type": "string", "value": v} for v in sorted(values)],
                                  "metrics": {"inspectedBytes": "1"}})

    async def t_tags_v1(self, request):
        names = {k for h in self.traces.values() for s in h.spans for k in (*s.attributes, *s.resource.attributes)}
        return web.json_response({"tagNames": sorted(names | {"name", "status"})})

    async def t_tag_values_v1(self, request):
        tag = request.match_info["tag"]
        spans = [s for h in self.traces.values() for s in h.spans]
        values = {s.service for s in spans} if tag == "service.name" else {s.name for s in spans} if tag == "name" \
            else {str(s.attributes[tag]) for s in spans if tag in s.attributes}
        return web.json_response({"tagValues": sorted(values)})

    def _t_find(self, request) -> Held | None:
        return self.traces.get(request.match_info["id"].lower().rjust(32, "0"))

    def _rendered(self, h: Held, what: str) -> bytes:
        """Trace bodies, rendered once per held trace (big traces are slow to render)."""
        key = (id(h), len(h.spans), what)
        cache = self.__dict__.setdefault("_bodies", {})
        if key not in cache:
            if what == "proto":
                cache[key] = traces_proto(h.spans)
            elif what == "v2":
                cache[key] = json.dumps({"trace": traces_data(h.spans, ids="base64", enums="name"),
                                         "metrics": {"inspectedBytes": "1"}}).encode()
            else:
                cache[key] = json.dumps({"batches": traces_data(h.spans, ids="base64", enums="name")["resourceSpans"]}
                                        ).encode()
        return cache[key]

    async def t_trace_v2(self, request):
        h = self._t_find(request)
        if h is None:
            return web.Response(status=404, text="trace not found")
        if "application/protobuf" in request.headers.get("Accept", ""):
            inner = self._rendered(h, "proto")
            return web.Response(body=b"\x0a" + _varint(len(inner)) + inner, content_type="application/protobuf")
        return web.Response(body=self._rendered(h, "v2"), content_type="application/json")

    async def t_trace_v1(self, request):
        h = self._t_find(request)
        if h is None:
            return web.Response(status=404, text="trace not found")
        if "application/protobuf" in request.headers.get("Accept", ""):
            return web.Response(body=self._rendered(h, "proto"), content_type="application/protobuf")
        return web.Response(body=self._rendered(h, "v1"), content_type="application/json")

    # -- Zipkin ------------------------------------------------------------------------------------
    async def z_services(self, request):
        return web.json_response(sorted({v[0] for h in self.traces.values() for v in h.views}))

    async def z_spans(self, request):
        svc = request.query.get("serviceName")
        if not svc:
            return web.Response(status=400, text="serviceName is required")
        return web.json_response(sorted({v[1] for h in self.traces.values() for v in h.views if v[0] == svc}))

    async def z_search(self, request):
        q = request.query
        try:
            end = int(q.get("endTs") or time.time_ns() // 10**6) * 10**6
            start = end - int(q.get("lookback") or 86_400_000) * 10**6
            min_ns = int(q["minDuration"]) * 1000 if "minDuration" in q else None
            max_ns = int(q["maxDuration"]) * 1000 if "maxDuration" in q else None
        except ValueError as e:
            return web.Response(status=400, text=str(e))
        tags, words = {}, []
        for term in (q.get("annotationQuery") or "").split(" and "):
            if "=" in term:
                k, v = term.split("=", 1)
                tags[k.strip()] = v.strip()
            elif term.strip():
                words.append(term.strip())
        found = self._match(service=q.get("serviceName"), operation=q.get("spanName"), tags=tags or None,
                            min_ns=min_ns, max_ns=max_ns, start_ns=start, end_ns=end, words=words)
        return web.json_response([h.zipkin for h in found[: int(q.get("limit") or 10)]])

    async def z_trace(self, request):
        h = self.traces.get(request.match_info["id"].lower())
        if h is None:
            return web.Response(status=404, text=f"Cannot find trace {request.match_info['id']}")
        return web.json_response(h.zipkin)


class DripServer:
    """A server on loopback that answers every request one byte every `every` seconds: the status
    line and headers too (`headers_too`), or headers at once and then the body. It stops after
    `limit` bytes (tests stay bounded) or when the client hangs up."""

    def __init__(self, every: float = 0.3, headers_too: bool = False, limit: int = 40,
                 body: bytes = b'{"services": ["a", "b", "c", "d", "e", "f", "g", "h"]}') -> None:
        self.every, self.headers_too, self.limit, self.body = every, headers_too, limit, body
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, kind: str = "zipkin") -> str:
        return f"{kind}+http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(self.body) * 100}"
                "\r\n\r\n").encode()
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if not self.headers_too:
                    conn.sendall(head)
                    data = self.body * 100
                else:
                    data = head + self.body * 100
                for i in range(min(self.limit, len(data))):
                    if self._stop.wait(self.every):
                        return
                    conn.sendall(data[i:i + 1])
            except OSError:
                return

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()


# ---- little parsers for what the clients send ----------------------------------------------------

_GO = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def _parse_go(s: str) -> int:
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise ValueError(f"not a Go duration: {s!r}")
    return round(sum(float(a) * _GO[b] for a, b in parts))


def _parse_rfc3339(s: str) -> int:
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", s)
    if not m:
        raise ValueError(f"not RFC 3339: {s!r}")
    import datetime as dt

    base = dt.datetime.fromisoformat(m.group(1) + (m.group(3).replace("Z", "+00:00")))
    return int(base.timestamp()) * 10**9 + int((m.group(2) or "0").ljust(9, "0"))


def _logfmt(s: str) -> dict[str, str]:
    out = {}
    for m in re.finditer(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)', s):
        v = m.group(2)
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out[m.group(1)] = v
    return out


def _traceql(q: str) -> list[tuple[str, str, str]]:
    """The conditions of `{ a = "x" && b = y }` (the subset these tests use)."""
    m = re.fullmatch(r"\s*\{(.*)\}\s*", q)
    if not m:
        raise ValueError(f"parse error in TraceQL query: {q!r}")
    conds = []
    for part in filter(None, (p.strip() for p in m.group(1).split("&&"))):
        c = re.fullmatch(r'([\w.:]+)\s*(=|!=)\s*("(?:[^"\\]|\\.)*"|[\w.]+)', part)
        if not c:
            raise ValueError(f"parse error in TraceQL query near {part!r}")
        v = c.group(3)
        conds.append((c.group(1), c.group(2), v[1:-1] if v.startswith('"') else v))
    return conds


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=("jaeger", "tempo", "zipkin"), default="jaeger")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--legacy", action="store_true", help="Jaeger without API v3 (an old server)")
    ap.add_argument("--grow", type=float, default=0, metavar="SECONDS", help="add a new trace every SECONDS")
    ap.add_argument("--token", help="require 'Authorization: Bearer TOKEN'")
    args = ap.parse_args()
    server = FakeBackend(args.kind, v3=not args.legacy)
    if args.token:
        server.auth = f"Bearer {args.token}"
    server.start(args.port)
    print(f"{server.url}  ({len(server.traces)} traces)", flush=True)
    try:
        while True:
            time.sleep(args.grow or 3600)
            if args.grow:
                print("new trace", server.add_trace(), flush=True)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
