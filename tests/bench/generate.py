"""Deterministic generator of large OTLP JSON trace dumps for the benchmark.

    python tests/bench/generate.py                 # every size, into tests/bench/data/
    python tests/bench/generate.py spans100k.json  # one file

Shapes meant to look like real dumps: 30 services with their own resource attributes, operations
with ~10 attributes each (HTTP, RPC, database, messaging), events on ~10% of spans, errors (with
an `exception` event) on ~2%, links on consumer spans, trees both deep (chains) and wide (fan-outs),
spans of one trace spread over several `resourceSpans` (one per service, as SDK batches arrive).
Times and ids follow the OTLP JSON spec: int64 as decimal strings, lower-case hex ids.

Written with orjson from pre-built attribute lists (templates), so generating 1M spans takes
seconds, not minutes. The same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

DATA = Path(__file__).parent / "data"
T0 = 1_764_000_000_000_000_000  # 2025-11-24T16:00:00Z

SERVICES = [
    "frontend", "api-gateway", "auth", "users", "cart", "checkout", "payment", "fraud-check",
    "shipping", "quote", "currency", "email", "recommendation", "product-catalog", "ad",
    "inventory", "pricing", "search", "reviews", "notifications", "accounting", "ledger",
    "kafka-bridge", "image-resizer", "session", "feature-flags", "geo", "tax", "loyalty", "audit",
]
HTTP_ROUTES = ["/api/cart", "/api/checkout", "/api/products/{id}", "/api/users/{id}", "/api/orders",
               "/api/search", "/api/recommendations", "/healthz", "/api/ads", "/api/reviews/{id}"]
DB_STATEMENTS = [
    "SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC LIMIT 20",
    "UPDATE carts SET items = ?, updated_at = now() WHERE id = ?",
    "INSERT INTO ledger (account, amount, currency, ref) VALUES (?, ?, ?, ?)",
    "SELECT p.id, p.name, p.price FROM products p JOIN stock s ON s.product_id = p.id WHERE p.id IN (?)",
]


def kv(key: str, value: object) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": str(v)} for v in value]}}}
    return {"key": key, "value": {"stringValue": str(value)}}


class Op:
    """One operation of a service: its name, kind and variants of its attribute list."""

    __slots__ = ("name", "kind", "variants", "family")

    def __init__(self, name: str, kind: int, family: str, variants: list[list[dict]]) -> None:
        self.name, self.kind, self.family, self.variants = name, kind, family, variants


def _ops(rng: random.Random, service: str) -> list[Op]:
    ops: list[Op] = []
    host = f"{service}.prod.svc.cluster.local"
    for route in rng.sample(HTTP_ROUTES, 3):
        for method in ("GET", "POST"):
            variants = []
            for v in range(24):
                code = 200 if v % 8 else rng.choice([201, 204, 404, 500, 503])
                variants.append([
                    kv("http.request.method", method), kv("http.route", route),
                    kv("url.path", route.replace("{id}", str(rng.randrange(10**6)))),
                    kv("url.scheme", "https"), kv("server.address", host), kv("server.port", 8080),
                    kv("http.response.status_code", code), kv("network.protocol.version", "1.1"),
                    kv("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
                    kv("client.address", f"10.{v}.{rng.randrange(256)}.{rng.randrange(256)}"),
                    kv("http.request.body.size", rng.randrange(20, 20000)),
                ])
            ops.append(Op(f"{method} {route}", 2, "http", variants))
            ops.append(Op(f"{method}", 3, "http", variants))
    for stmt in rng.sample(DB_STATEMENTS, 2):
        table = stmt.split()[3] if stmt.startswith(("SELECT", "INSERT")) else stmt.split()[1]
        verb = stmt.split()[0]
        variants = [[
            kv("db.system", "postgresql"), kv("db.namespace", f"{service}_db"), kv("db.query.text", stmt),
            kv("db.operation.name", verb), kv("db.collection.name", table), kv("server.address", "pg-primary"),
            kv("server.port", 5432), kv("db.response.returned_rows", rng.randrange(0, 500)),
            kv("thread.id", rng.randrange(1, 64)), kv("code.function", f"{service}.repo.{verb.lower()}"),
        ] for _ in range(16)]
        ops.append(Op(f"{verb} {table}", 3, "db", variants))
    for method in ("Get", "List", "Update"):
        variants = [[
            kv("rpc.system", "grpc"), kv("rpc.service", f"{service}.v1.{service.title().replace('-', '')}Service"),
            kv("rpc.method", method), kv("rpc.grpc.status_code", 0 if v % 10 else 14),
            kv("server.address", host), kv("server.port", 50051), kv("network.peer.address", f"10.1.{v}.7"),
            kv("thread.id", rng.randrange(1, 64)), kv("feature.flags", ["new-ui", "fast-path"][: v % 3]),
            kv("cache.hit", bool(v % 2)),
        ] for v in range(16)]
        ops.append(Op(f"{service}.v1/{method}", 2, "rpc", variants))
    variants = [[
        kv("messaging.system", "kafka"), kv("messaging.destination.name", f"{service}-events"),
        kv("messaging.operation.type", "publish"), kv("messaging.kafka.partition", v),
        kv("messaging.message.body.size", rng.randrange(100, 4000)), kv("server.address", "kafka-0"),
        kv("server.port", 9092), kv("messaging.client.id", f"{service}-producer-{v}"),
        kv("thread.id", rng.randrange(1, 64)), kv("messaging.batch.message_count", 1 + v),
    ] for v in range(8)]
    ops.append(Op(f"{service}-events publish", 4, "msg", variants))
    ops.append(Op(f"{service}-events process", 5, "msg", variants))
    ops.append(Op("render", 1, "internal", [[
        kv("code.function", f"{service}.handlers.render"), kv("code.filepath", f"/app/{service}/handlers.py"),
        kv("code.lineno", rng.randrange(10, 900)), kv("thread.id", rng.randrange(1, 64)),
        kv("items", rng.randrange(0, 100)), kv("template", "page.html"), kv("locale", "en-US"),
        kv("cache.hit", bool(v % 2)), kv("retry", 0), kv("tenant", f"t-{v}"),
    ] for v in range(8)]))
    return ops


class World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.services = SERVICES
        self.resources = []
        self.ops: list[list[Op]] = []
        for i, name in enumerate(SERVICES):
            self.resources.append(self.resource(i, name, self.rng))
            self.ops.append(_ops(self.rng, name))
        self.scope = {"name": "io.opentelemetry.contrib", "version": "2.10.0"}
        self.log_events = [
            [{"timeUnixNano": "", "name": "cache.miss", "attributes": [kv("cache.key", f"k{v}")]}] for v in range(8)
        ]

    @staticmethod
    def resource(i: int, name: str, rng: random.Random) -> dict:
        lang = ["go", "java", "python", "nodejs", "dotnet"][i % 5]
        return {"attributes": [
            kv("service.name", name), kv("service.version", f"1.{i}.{rng.randrange(40)}"),
            kv("service.namespace", "shop"), kv("deployment.environment.name", "production"),
            kv("host.name", f"node-{i % 7}"), kv("k8s.pod.name", f"{name}-7c9d{i:02d}-x{i * 7 % 10}k"),
            kv("k8s.namespace.name", "shop"), kv("telemetry.sdk.language", lang),
            kv("telemetry.sdk.name", "opentelemetry"), kv("telemetry.sdk.version", "1.38.0"),
        ]}

    # One trace: a list of (service index, span dict).
    def trace(self, n: int, t_start: int, chain: int = 0) -> list[tuple[int, dict]]:
        rng = self.rng
        rand, randrange, getrandbits = rng.random, rng.randrange, rng.getrandbits
        trace_id = f"{getrandbits(128):032x}"
        svc = [0] * n
        start = [0] * n
        end = [0] * n
        ids = [f"{getrandbits(64):016x}" for _ in range(n)]
        out: list[tuple[int, dict]] = []
        fan = max(1, n // 50)  # a few wide fan-out parents
        for i in range(n):
            if i == 0:
                p = -1
                s = randrange(2) if n > 1 else randrange(len(self.services))
                t0, t1 = t_start, t_start + randrange(5_000_000, 2_000_000_000)
            else:
                if chain and i <= chain:
                    p = i - 1  # a long chain: recursion, a deep call stack
                else:
                    r = rand()
                    p = i - 1 if r < 0.35 else (randrange(min(i, fan)) if r < 0.6 else randrange(i))
                s = svc[p] if rand() < 0.6 else randrange(len(self.services))
                ps, pe = start[p], end[p]
                pd = max(pe - ps, 2)
                if chain and i <= chain:
                    t0, t1 = ps + 1, max(ps + 2, pe - 1)
                else:
                    t0 = ps + int(pd * rand() * 0.8)
                    t1 = t0 + max(1000, int((pe - t0) * (0.1 + 0.85 * rand())))
                    if rand() < 0.01:
                        t1 = pe + randrange(1_000_000, 50_000_000)  # async: outlives its parent
            svc[i], start[i], end[i] = s, t0, t1
            ops = self.ops[s]
            op = ops[randrange(len(ops))]
            span = {
                "traceId": trace_id,
                "spanId": ids[i],
                "parentSpanId": ids[p] if p >= 0 else "",
                "name": op.name,
                "kind": op.kind,
                "startTimeUnixNano": str(t0),
                "endTimeUnixNano": str(t1),
                "attributes": op.variants[randrange(len(op.variants))],
            }
            if p < 0:
                del span["parentSpanId"]
            r = rand()
            if r < 0.02:
                span["status"] = {"code": 2, "message": "upstream returned 503"}
                span["events"] = [{
                    "timeUnixNano": str(t1 - 1000), "name": "exception",
                    "attributes": [
                        kv("exception.type", "ConnectionError"),
                        kv("exception.message", "upstream connect error or disconnect/reset before headers"),
                        kv("exception.stacktrace", "Traceback (most recent call last):\n  File \"/app/client.py\", "
                           "line 88, in call\n    resp = session.send(req)\nConnectionError: reset"),
                    ],
                }]
            elif r < 0.10:
                ev = self.log_events[randrange(8)][0]
                span["events"] = [{**ev, "timeUnixNano": str(t0 + (t1 - t0) // 2)}]
            elif r < 0.30:
                span["status"] = {"code": 1}
            if op.kind == 5 and rand() < 0.5:
                span["links"] = [{"traceId": f"{getrandbits(128):032x}", "spanId": f"{getrandbits(64):016x}"}]
            out.append((s, span))
        return out

    def traces(self, total: int, one_trace: bool = False) -> Iterator[list[tuple[int, dict]]]:
        """Traces until `total` spans: sizes from 1 to ~2,000 (most 20–200), or one trace of `total`."""
        rng = self.rng
        t = T0
        if one_trace:
            yield self.trace(total, t, chain=5000)
            return
        made = 0
        while made < total:
            n = min(total - made, max(1, int(rng.lognormvariate(4.2, 0.9))), 2000)
            yield self.trace(n, t)
            made += n
            t += rng.randrange(1_000_000, 200_000_000)


def _requests(world: World, total: int, per_request: int, one_trace: bool) -> Iterator[dict]:
    """ExportTraceServiceRequests of about `per_request` spans, one resourceSpans per service."""
    pending: list[tuple[int, dict]] = []

    def flush() -> dict:
        by_service: dict[int, list[dict]] = {}
        for s, span in pending:
            by_service.setdefault(s, []).append(span)
        pending.clear()
        return {"resourceSpans": [
            {"resource": world.resources[s], "scopeSpans": [{"scope": world.scope, "spans": spans}]}
            for s, spans in sorted(by_service.items())
        ]}

    for tr in world.traces(total, one_trace):
        pending.extend(tr)
        while len(pending) >= per_request:
            rest = pending[per_request:]
            del pending[per_request:]
            yield flush()
            pending.extend(rest)
    if pending:
        yield flush()


def _attrs_requests(rng: random.Random, total: int) -> Iterator[dict]:
    """The dense shape: traces of 100 spans where every span has 8 attributes and an event, one
    resourceSpans per service and trace (as one batch of one service arrives)."""
    resources = [World.resource(i, name, rng) for i, name in enumerate(SERVICES[:10])]
    scope = {"name": "io.opentelemetry.dense", "version": "1.0.0"}
    t = T0
    for _ in range(total // 100):
        trace_id = f"{rng.getrandbits(128):032x}"
        ids = [f"{rng.getrandbits(64):016x}" for _ in range(100)]
        by_service: dict[int, list[dict]] = {}
        start, end = [t], [t + rng.randrange(50_000_000, 900_000_000)]
        for i in range(100):
            if i:
                p = rng.randrange(i)
                t0 = start[p] + (end[p] - start[p]) // 4 + rng.randrange(1000)
                t1 = t0 + max(1000, (end[p] - t0) * rng.randrange(10, 90) // 100)
                start.append(t0), end.append(t1)
            s = rng.randrange(len(resources))
            span = {
                "traceId": trace_id, "spanId": ids[i], "name": f"op-{s}-{i % 12}", "kind": 2 if i % 3 else 3,
                "startTimeUnixNano": str(start[i]), "endTimeUnixNano": str(end[i]),
                "attributes": [
                    kv("http.request.method", "GET"), kv("http.route", f"/api/item/{i % 20}"),
                    kv("http.response.status_code", 200 if i % 40 else 500), kv("server.address", f"svc-{s}"),
                    kv("server.port", 8080), kv("user.id", f"u-{rng.randrange(10_000)}"),
                    kv("cache.hit", bool(i % 2)), kv("items", rng.randrange(100)),
                ],
                "events": [{"timeUnixNano": str(start[i] + 500), "name": "checkpoint",
                            "attributes": [kv("step", i % 7), kv("note", "reached")]}],
            }
            if i:
                span["parentSpanId"] = ids[p]
            by_service.setdefault(s, []).append(span)
        yield {"resourceSpans": [{"resource": resources[s], "scopeSpans": [{"scope": scope, "spans": spans}]}
                                 for s, spans in sorted(by_service.items())]}
        t += rng.randrange(1_000_000, 100_000_000)


SDK_SAMPLE = Path(__file__).resolve().parents[2] / "sample_traces" / "incident.json"


def _sdk_lines(total: int, batch: int = 512) -> Iterator[bytes]:
    """Real OpenTelemetry SDK output (sample_traces/incident.json: 160 traces of a shop, 1,440 spans)
    copied with new ids and later times until `total` spans, one line per export batch of up to
    512 spans of one service: what the Collector's file exporter writes for many small traces."""
    doc = orjson.loads(SDK_SAMPLE.read_bytes())
    spans_of = [[sp for ss in rs["scopeSpans"] for sp in ss["spans"]] for rs in doc["resourceSpans"]]
    starts = [int(sp["startTimeUnixNano"]) for spans in spans_of for sp in spans]
    ends = [int(sp["endTimeUnixNano"]) for spans in spans_of for sp in spans]
    period = max(ends) - min(starts) + 1_000_000
    made, copy = 0, 0
    while made < total:
        tag, shift = f"{copy:08x}", copy * period
        for rs, spans in zip(doc["resourceSpans"], spans_of, strict=True):
            out = []
            for sp in spans[: total - made]:
                sp = dict(sp, traceId=tag + sp["traceId"][8:], spanId=tag[2:] + sp["spanId"][6:],
                          startTimeUnixNano=str(int(sp["startTimeUnixNano"]) + shift),
                          endTimeUnixNano=str(int(sp["endTimeUnixNano"]) + shift))
                if sp.get("parentSpanId"):
                    sp["parentSpanId"] = tag[2:] + sp["parentSpanId"][6:]
                out.append(sp)
            made += len(out)
            for i in range(0, len(out), batch):
                yield orjson.dumps({"resourceSpans": [{"resource": rs["resource"], "scopeSpans": [
                    {"scope": rs["scopeSpans"][0].get("scope", {}), "spans": out[i:i + batch]}]}]})
        copy += 1


FILES = {
    # name: (spans, JSON Lines?, one trace?); the "attrs" and "sdk" shapes are made by their own functions
    "spans100k.json": (100_000, False, False),
    "spans100k.jsonl": (100_000, True, False),
    "spans1m.json": (1_000_000, False, False),
    "spans1m.jsonl": (1_000_000, True, False),
    "trace100k.json": (100_000, False, True),
    "attrs100k.json": (100_000, False, False),
    "attrs1m.json": (1_000_000, False, False),
    "sdk100k.jsonl": (100_000, True, False),
    "sdk1m.jsonl": (1_000_000, True, False),
    "spans5.json": (5, False, False),  # one small trace: the start of `tracetui summary` (run.py "start")
}


def generate(name: str, out_dir: Path = DATA, seed: int = 7) -> Path:
    total, jsonl, one_trace = FILES[name]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    tmp = path.with_suffix(path.suffix + ".tmp")
    if name.startswith(("attrs", "sdk")):
        with open(tmp, "wb") as f:
            if name.startswith("sdk"):
                for line in _sdk_lines(total):
                    f.write(line + b"\n")
            else:
                f.write(b'{"resourceSpans":[')
                first = True
                for req in _attrs_requests(random.Random(seed + total), total):
                    for rs in req["resourceSpans"]:
                        f.write(b"" if first else b",")
                        f.write(orjson.dumps(rs))
                        first = False
                f.write(b"]}\n")
        tmp.replace(path)
        return path
    world = World(seed + total + (1 if one_trace else 0))
    with open(tmp, "wb") as f:
        if jsonl:
            for req in _requests(world, total, 2000, one_trace):
                f.write(orjson.dumps(req))
                f.write(b"\n")
        else:
            # One request: written resourceSpans by resourceSpans so memory stays small.
            f.write(b'{"resourceSpans":[')
            first = True
            for req in _requests(world, total, 5000, one_trace):
                for rs in req["resourceSpans"]:
                    if not first:
                        f.write(b",")
                    f.write(orjson.dumps(rs))
                    first = False
            f.write(b"]}\n")
    tmp.replace(path)
    return path


def ensure(names: list[str], out_dir: Path = DATA) -> list[Path]:
    """Generate the files that are missing; return their paths."""
    paths = []
    for name in names:
        path = out_dir / name
        if not path.exists():
            t = time.perf_counter()
            generate(name, out_dir)
            print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s",
                  file=sys.stderr)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help=f"files to make, of {', '.join(FILES)} (default: all)")
    ap.add_argument("--out", type=Path, default=DATA)
    ap.add_argument("--force", action="store_true", help="regenerate even if present")
    args = ap.parse_args()
    names = args.names or list(FILES)
    if unknown := [n for n in names if n not in FILES]:
        ap.error(f"unknown file {unknown[0]!r}")
    if args.force:
        for n in names:
            (args.out / n).unlink(missing_ok=True)
    ensure(names, args.out)


if __name__ == "__main__":
    main()
