"""Generate the sample traces with the real OpenTelemetry Python SDK.

A small web shop runs on loopback: every service is an `http.server` on 127.0.0.1 with its own
`TracerProvider` (so its own `service.name`), and requests carry the W3C `traceparent` header
between them (injected and extracted by the SDK's `TraceContextTextMapPropagator`). A queue
between threads stands in for Kafka; its messages carry `traceparent` too. A "browser" in the
main thread makes a few requests; the spans are encoded by the SDK's OTLP encoder and written as
OTLP JSON by `tracetui.render.otlp_json_out`:

    shop.json    one ExportTraceServiceRequest with every span (compact: ~65 KB)
    shop.jsonl   the same spans, one request per line (per scenario), as the Collector's file
                 exporter writes
    broken.json  two checkouts with broken instrumentation: inventory's server spans lost,
                 payments' clock 40 ms behind (what `tracetui lint` finds)
    skew.json    the product and home pages again, the catalog host's clock 40 ms behind (clock
                 skew: `tracetui` adjusts it; `a` in a trace shows the times as read)
    shop_logs.jsonl  a second run of the shop whose services also log (Python `logging` through
                 the SDK's `LoggingHandler`): spans and log records in one file, a traces line
                 and a logs line per scenario, as the Collector's file exporter mixes them

Run from the repository root (needs the `samples` extra: pip install -e '.[samples]'):

    python sample_traces/generate.py            # writes sample_traces/shop.json, shop.jsonl, shop_logs.jsonl
    python sample_traces/generate.py --out DIR

Random choices (latencies, ids) come from a fixed seed; times, ports and the ids of spans made
on concurrent threads differ from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.sdk.trace.id_generator import IdGenerator
    from opentelemetry.trace import Link, SpanKind, Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError as e:  # the SDK is not a runtime dependency of tracetui
    raise SystemExit(f"generate.py needs the OpenTelemetry SDK: pip install -e '.[samples]' ({e})") from None

from tracetui.render.otlp_json_out import dumps

SEED = 20240611
# The W3C Trace Context spec's example trace id, so `--trace 4bf92f` in the README finds the
# successful checkout.
CHECKOUT_TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736

PROPAGATOR = TraceContextTextMapPropagator()


class SharedExporter(InMemorySpanExporter):
    """The one in-memory exporter every scenario's providers share: a scenario shutting its
    providers down must not stop it for the scenarios after it (the SDK's would refuse spans
    from then on, and later files came out empty)."""

    def shutdown(self) -> None:
        pass


EXPORTER = SharedExporter()
RNG = random.Random(SEED)
RNG_LOCK = threading.Lock()


def pause(low_ms: float, high_ms: float) -> None:
    """Simulated work or network latency."""
    with RNG_LOCK:
        ms = RNG.uniform(low_ms, high_ms)
    time.sleep(ms / 1000)


def pick(low: int, high: int) -> int:
    with RNG_LOCK:
        return RNG.randrange(low, high)


class SeededIds(IdGenerator):
    """Ids from the fixed seed; `next_trace_id` forces the id of the next trace.

    Trace ids have their own generator: only roots draw them, in an order that does not depend
    on thread scheduling, so every run gives the same trace ids (span ids drawn on concurrent
    threads may come out in another order)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._trace_rng = random.Random(seed + 1)
        self._lock = threading.Lock()
        self.next_trace_id: int | None = None

    def generate_span_id(self) -> int:
        with self._lock:
            return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        with self._lock:
            if self.next_trace_id is not None:
                tid, self.next_trace_id = self.next_trace_id, None
                return tid
            return self._trace_rng.getrandbits(128) or 1

    def is_trace_id_random(self) -> bool:
        return True


IDS = SeededIds(SEED)


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# -- services ------------------------------------------------------------------------------------

Handler = Callable[["Service", dict[str, str], dict], tuple[int, dict]]


class Service:
    """One service: an HTTP server on 127.0.0.1 and its own tracer provider."""

    def __init__(self, name: str, version: str, routes: dict[str, Handler] | None = None,
                 instance: str = "7d9f-1") -> None:
        self.name = name
        resource = Resource.create({
            "service.name": name,
            "service.namespace": "shop",
            "service.version": version,
            "service.instance.id": f"{name}-{instance}",
            "deployment.environment.name": "staging",
            "host.name": f"{name}-{instance}",
        })
        self.provider = TracerProvider(resource=resource, id_generator=IDS)
        self.provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        self.http = self.provider.get_tracer("shop.http", "1.4.0")
        self.db = self.provider.get_tracer("shop.db", "1.4.0")
        self.messaging = self.provider.get_tracer("shop.messaging", "1.4.0")
        self.app = self.provider.get_tracer(f"shop.{name}", version)
        self.routes = routes or {}
        self.server: ThreadingHTTPServer | None = None
        if routes is not None:
            self.server = _serve(self)

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    # -- outgoing calls -----------------------------------------------------------------------
    def call(self, target: Service, method: str, path: str, template: str, body: dict | None = None,
             resend_count: int = 0, timeout: float = 5.0) -> tuple[int, dict]:
        """An HTTP call with a CLIENT span; `traceparent` injected into the request headers."""
        url = f"http://127.0.0.1:{target.port}{path}"
        attrs = {
            "http.request.method": method, "url.full": url, "url.template": template,
            "server.address": "127.0.0.1", "server.port": target.port, "peer.service": target.name,
            "network.protocol.version": "1.1",
        }
        if resend_count:
            attrs["http.request.resend_count"] = resend_count
        with self.http.start_as_current_span(f"{method} {template}", kind=SpanKind.CLIENT, attributes=attrs) as span:
            headers = {"Content-Type": "application/json", "User-Agent": f"shop-{self.name}/1.4"}
            PROPAGATOR.inject(headers)
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(req, timeout=timeout) as resp:
                    status, payload = resp.status, json.loads(resp.read() or b"{}")
            except urllib.error.HTTPError as e:
                status, payload = e.code, json.loads(e.read() or b"{}")
            span.set_attribute("http.response.status_code", status)
            if status >= 400:
                span.set_attribute("error.type", str(status))
                span.set_status(Status(StatusCode.ERROR))
            return status, payload

    def query(self, system: str, operation: str, collection: str, text: str, low_ms: float, high_ms: float,
              rows: int | None = None) -> None:
        """A database call (the latency is simulated; the span is the SDK's)."""
        attrs = {
            "db.system.name": system, "db.operation.name": operation, "db.collection.name": collection,
            "db.query.text": text, "server.address": f"{system}.shop.internal",
            "server.port": 5432 if system == "postgresql" else 6379,
        }
        if system == "postgresql":
            attrs["db.namespace"] = "shop"
        with self.db.start_as_current_span(f"{operation} {collection}", kind=SpanKind.CLIENT, attributes=attrs) as span:
            pause(low_ms, high_ms)
            if rows is not None:
                span.set_attribute("db.response.returned_rows", rows)


def _serve(service: Service) -> ThreadingHTTPServer:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _handle(self) -> None:
            path, _, query_string = self.path.partition("?")
            route, handler, params = _match(service.routes, self.command, path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            if query_string:
                params.update(p.split("=", 1) for p in query_string.split("&") if "=" in p)
            parent = PROPAGATOR.extract(self.headers)
            attrs = {
                "http.request.method": self.command, "http.route": route, "url.path": path,
                "url.scheme": "http", "server.address": "127.0.0.1", "server.port": service.port,
                "client.address": self.client_address[0], "network.protocol.version": "1.1",
                "user_agent.original": self.headers.get("User-Agent", ""),
            }
            if query_string:
                attrs["url.query"] = query_string
            span = service.http.start_span(f"{self.command} {route}", context=parent, kind=SpanKind.SERVER,
                                           attributes=attrs)
            token = otel_context.attach(trace.set_span_in_context(span))
            try:
                if handler is None:
                    status, payload = 404, {"error": "not found"}
                else:
                    try:
                        status, payload = handler(service, params, body)
                    except HttpError as e:
                        status, payload = e.status, {"error": str(e)}
                    except Exception as e:  # an unhandled error: the framework answers 500
                        span.record_exception(e)
                        span.set_attribute("error.type", type(e).__qualname__)
                        status, payload = 500, {"error": "internal server error"}
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                    span.set_attribute("error.type", span.attributes.get("error.type", str(status)))
            finally:
                otel_context.detach(token)
                # Ended before the response is written, so the caller's span always ends later.
                span.end()
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"{service.name}-http", daemon=True).start()
    return server


def _match(routes: dict[str, Handler], method: str, path: str) -> tuple[str, Handler | None, dict[str, str]]:
    parts = path.strip("/").split("/")
    for key, handler in routes.items():
        m, route = key.split(" ", 1)
        rparts = route.strip("/").split("/")
        if m != method or len(rparts) != len(parts):
            continue
        params: dict[str, str] = {}
        for r, p in zip(rparts, parts, strict=True):
            if r.startswith("{"):
                params[r.strip("{}")] = p
            elif r != p:
                break
        else:
            return route, handler, params
    return path, None, {}


class Bank:
    """The card network: a third party, not instrumented (its calls are leaf CLIENT spans)."""

    def __init__(self) -> None:
        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                time.sleep(0.600 if body.get("card_token") == "tok_slow_issuer" else 0.030)
                data = json.dumps({"authorization": "auth_" + body.get("order_id", "")}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the caller gave up (timeout)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.name = "card-network"
        threading.Thread(target=self.server.serve_forever, name="bank", daemon=True).start()
        self.port = self.server.server_address[1]


# -- the shop --------------------------------------------------------------------------------------

CATALOG = {"sku-1001": ("Espresso cups (set of 4)", 2400), "sku-1002": ("Milk jug", 1850),
           "sku-1003": ("Burr grinder", 12900), "sku-1004": ("Coffee beans 1kg", 3200)}
CARTS = {"u-1001": ["sku-1001", "sku-1003", "sku-1004"], "u-1002": ["sku-1002", "sku-1003", "sku-1004"]}
CARD_TOKENS = {"u-1001": "tok_visa_4242", "u-1002": "tok_slow_issuer"}


class Shop:
    def __init__(self) -> None:
        self.pending: list[threading.Thread] = []
        self.orders_for_shipping: queue.Queue = queue.Queue()
        self.orders_for_email: queue.Queue = queue.Queue()
        self.seen_charges: set[str] = set()
        self.bank = Bank()
        self.catalog = Service("catalog", "2.3.1", {
            "GET /api/products": self.list_products, "GET /api/products/{sku}": self.get_product})
        self.recommendations = Service("recommendations", "0.9.4", {
            "GET /api/recommendations": self.recommend})
        self.inventory = Service("inventory", "1.12.0", {"GET /api/stock/{sku}": self.stock})
        self.payments = Service("payments", "3.0.2", {"POST /api/charges": self.charge})
        self.analytics = Service("analytics", "0.4.0", {"POST /api/events": self.track})
        self.checkout = Service("checkout", "1.8.0", {"POST /api/checkout": self.place_order})
        self.frontend = Service("frontend", "5.2.0", {
            "GET /": self.home, "GET /products/{sku}": self.product_page, "POST /checkout": self.checkout_page})
        self.shipping = Service("shipping", "1.1.0")
        self.notifications = Service("notifications", "0.7.2")
        self.workers = [
            threading.Thread(target=self.ship_orders, name="shipping-consumer", daemon=True),
            threading.Thread(target=self.email_orders, name="notifications-consumer", daemon=True),
        ]
        for w in self.workers:
            w.start()

    @property
    def services(self) -> list[Service]:
        return [self.frontend, self.checkout, self.catalog, self.recommendations, self.inventory,
                self.payments, self.analytics, self.shipping, self.notifications]

    # frontend
    def home(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        _, products = svc.call(self.catalog, "GET", "/api/products?limit=4", "/api/products")
        _, recs = svc.call(self.recommendations, "GET", "/api/recommendations?user=u-1001", "/api/recommendations")
        with svc.app.start_as_current_span("render home", attributes={"template": "home.html"}):
            pause(3, 6)
        return 200, {"products": products["items"], "recommended": recs["items"]}

    def product_page(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        sku = params["sku"]
        status, product = svc.call(self.catalog, "GET", f"/api/products/{sku}", "/api/products/{sku}")
        with svc.app.start_as_current_span("render product", attributes={"template": "product.html"}):
            pause(2, 4)
        return status, product

    def checkout_page(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        status, order = svc.call(self.checkout, "POST", "/api/checkout", "/api/checkout", body)
        if status >= 500:
            raise HttpError(502, "checkout failed")
        return status, order

    # catalog
    def list_products(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        limit = int(params.get("limit", "20"))
        svc.query("postgresql", "SELECT", "products",
                  "SELECT sku, title, price_cents FROM products ORDER BY rank LIMIT $1", 6, 12, rows=limit)
        return 200, {"items": [{"sku": k, "title": v[0]} for k, v in list(CATALOG.items())[:limit]]}

    def get_product(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        sku = params["sku"]
        svc.query("redis", "GET", "product", f"GET product:{sku}", 0.5, 1.5)
        title, price = CATALOG[sku]
        return 200, {"sku": sku, "title": title, "price_cents": price}

    # recommendations
    def recommend(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        with svc.app.start_as_current_span("score candidates", attributes={"model.name": "als-2024-05",
                                                                           "candidates": 120}):
            pause(15, 25)
        return 200, {"items": ["sku-1002", "sku-1004"]}

    # inventory
    def stock(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        sku = params["sku"]
        svc.query("postgresql", "SELECT", "stock", "SELECT qty, warehouse FROM stock WHERE sku = $1", 8, 30, rows=1)
        return 200, {"sku": sku, "available": 12}

    # payments
    def charge(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        order_id = body["order_id"]
        if order_id not in self.seen_charges and body["card_token"] == "tok_visa_4242":
            # The first attempt of this order meets a full connection pool: a retryable 503.
            self.seen_charges.add(order_id)
            pause(2, 4)
            raise HttpError(503, "connection pool exhausted")
        with svc.app.start_as_current_span("authorize card", attributes={
                "payment.card_token": body["card_token"], "payment.amount_cents": body["amount_cents"],
                "payment.currency": "EUR"}, record_exception=False):
            # The card network is a third party: a plain HTTP call with a 250 ms budget.
            url = f"http://127.0.0.1:{self.bank.port}/v1/authorizations"
            with svc.http.start_as_current_span("POST /v1/authorizations", kind=SpanKind.CLIENT, attributes={
                    "http.request.method": "POST", "url.full": url, "server.address": "127.0.0.1",
                    "server.port": self.bank.port, "peer.service": "card-network"}) as span:
                headers = {"Content-Type": "application/json"}
                PROPAGATOR.inject(headers)
                req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(req, timeout=0.250) as resp:
                        auth = json.loads(resp.read())
                        span.set_attribute("http.response.status_code", resp.status)
                except TimeoutError:
                    span.set_attribute("error.type", "TimeoutError")
                    raise
        svc.query("postgresql", "INSERT", "payments",
                  "INSERT INTO payments (order_id, amount_cents, authorization) VALUES ($1, $2, $3)", 3, 6)
        return 201, {"payment_id": "pay_" + order_id, **auth}

    # analytics
    def track(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        pause(20, 30)  # the event pipeline is slow; nobody waits for it
        svc.query("postgresql", "INSERT", "events", "INSERT INTO events (kind, payload) VALUES ($1, $2)", 30, 40)
        return 202, {}

    # checkout
    def place_order(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        user = body["user"]
        order_id = f"ord-{user[2:]}-{pick(1000, 9999)}"
        trace.get_current_span().set_attribute("shop.order_id", order_id)
        svc.query("redis", "HGETALL", "cart", f"HGETALL cart:{user}", 1, 3)
        skus = CARTS[user]

        # Fan-out: stock checks run in parallel, so these children overlap.
        ctx = otel_context.get_current()

        def check(sku: str) -> tuple[int, dict]:
            token = otel_context.attach(ctx)
            try:
                return svc.call(self.inventory, "GET", f"/api/stock/{sku}", "/api/stock/{sku}")
            finally:
                otel_context.detach(token)

        with ThreadPoolExecutor(max_workers=len(skus)) as pool:
            list(pool.map(check, skus))

        amount = sum(CATALOG[s][1] for s in skus)
        charge = {"order_id": order_id, "card_token": CARD_TOKENS[user], "amount_cents": amount}
        with svc.app.start_as_current_span("charge payment", attributes={"shop.order_id": order_id},
                                          record_exception=False) as span:
            for attempt in range(3):
                status, payment = svc.call(self.payments, "POST", "/api/charges", "/api/charges", charge,
                                           resend_count=attempt)
                if status != 503:
                    break
                span.add_event("retrying after 503", {"http.request.resend_count": attempt + 1,
                                                      "backoff_ms": 20})
                time.sleep(0.020)
            if status >= 400:
                span.set_status(Status(StatusCode.ERROR, f"payment failed with HTTP {status}"))
                raise HttpError(502, f"payment failed: {payment.get('error')}")

        self.publish(svc, order_id, user, amount)

        # Fire-and-forget: the analytics event is sent from a thread nobody joins; it finishes
        # after this request (and the user's) has already been answered.
        def send_event() -> None:
            token = otel_context.attach(ctx)
            try:
                svc.call(self.analytics, "POST", "/api/events", "/api/events", {"kind": "order_placed"})
            finally:
                otel_context.detach(token)

        t = threading.Thread(target=send_event, name="analytics-event")
        self.pending.append(t)
        t.start()
        return 201, {"order_id": order_id, "payment_id": payment["payment_id"]}

    def publish(self, svc: Service, order_id: str, user: str, amount: int) -> None:
        attrs = {
            "messaging.system": "kafka", "messaging.destination.name": "orders",
            "messaging.operation.type": "send", "messaging.operation.name": "send",
            "messaging.kafka.message.key": order_id, "messaging.message.id": f"orders-0-{pick(0, 10**5)}",
            "server.address": "kafka.shop.internal", "server.port": 9092,
        }
        with svc.messaging.start_as_current_span("send orders", kind=SpanKind.PRODUCER, attributes=attrs):
            headers: dict[str, str] = {}
            PROPAGATOR.inject(headers)
            message = {"headers": headers, "order_id": order_id, "user": user, "amount_cents": amount}
            pause(1, 2)
            self.orders_for_shipping.put(message)
            self.orders_for_email.put(message)

    # consumers
    def ship_orders(self) -> None:
        """A batch consumer: its work is a new trace, linked to the producer's span."""
        svc = self.shipping
        while True:
            message = self.orders_for_shipping.get()
            pause(5, 10)  # polling interval
            producer = trace.get_current_span(PROPAGATOR.extract(message["headers"])).get_span_context()
            attrs = {
                "messaging.system": "kafka", "messaging.destination.name": "orders",
                "messaging.operation.type": "process", "messaging.operation.name": "process",
                "messaging.consumer.group.name": "shipping", "messaging.batch.message_count": 1,
            }
            with svc.messaging.start_as_current_span(
                    "process orders", kind=SpanKind.CONSUMER, attributes=attrs,
                    links=[Link(producer, {"messaging.kafka.message.key": message["order_id"]})]):
                svc.query("postgresql", "INSERT", "shipments",
                          "INSERT INTO shipments (order_id, carrier, status) VALUES ($1, $2, 'pending')", 4, 8)
                with svc.app.start_as_current_span("book courier", attributes={"shipping.carrier": "dhl"}):
                    pause(10, 20)
            self.orders_for_shipping.task_done()

    def email_orders(self) -> None:
        """A per-message consumer: its span is a child of the producer's, in the same trace."""
        svc = self.notifications
        while True:
            message = self.orders_for_email.get()
            pause(2, 5)
            parent = PROPAGATOR.extract(message["headers"])
            attrs = {
                "messaging.system": "kafka", "messaging.destination.name": "orders",
                "messaging.operation.type": "process", "messaging.operation.name": "process",
                "messaging.consumer.group.name": "notifications",
                "messaging.kafka.message.key": message["order_id"],
            }
            with svc.messaging.start_as_current_span("process orders", context=parent, kind=SpanKind.CONSUMER,
                                                     attributes=attrs):
                with svc.app.start_as_current_span("render email", attributes={"template": "order_confirmation"}):
                    pause(4, 8)
                with svc.app.start_as_current_span("send email", kind=SpanKind.CLIENT, attributes={
                        "server.address": "smtp.shop.internal", "server.port": 587}):
                    pause(15, 25)
            self.orders_for_email.task_done()

    # the browser
    def visit(self, method: str, path: str, body: dict | None = None) -> int:
        url = f"http://127.0.0.1:{self.frontend.port}{path}"
        data = json.dumps(body).encode() if body is not None else None
        headers = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
                   "Content-Type": "application/json"}
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code

    def settle(self) -> None:
        """Wait for the asynchronous work of the last request (fire-and-forget calls, consumers)."""
        for t in self.pending:
            t.join()
        self.pending.clear()
        self.orders_for_shipping.join()
        self.orders_for_email.join()

    def close(self) -> None:
        for svc in self.services:
            if svc.server is not None:
                svc.server.shutdown()
        self.bank.server.shutdown()
        for svc in self.services:
            svc.provider.shutdown()


SCENARIOS: list[tuple[str, str, dict | None, int | None]] = [
    # (method, path, body, forced trace id)
    ("GET", "/", None, None),                                       # home page: two backends
    ("POST", "/checkout", {"user": "u-1001"}, CHECKOUT_TRACE_ID),    # fan-out, retry, queue, fire-and-forget
    ("GET", "/products/sku-1003", None, None),                      # product page: cache hit
    ("POST", "/checkout", {"user": "u-1002"}, None),                # payment times out: error
]


# -- the incident: one of two replicas answers slowly -------------------------------------------

INCIDENT_START_NS = 1_796_046_000_000_000_000  # 2026-11-30 13:40:00 UTC
INCIDENT_SLOW_FROM_NS = INCIDENT_START_NS + 20 * 60 * 1_000_000_000  # 14:00: inventory-2's queries slow down
INCIDENT_TRACES = 160


def incident(out: Path) -> Path:
    """`incident.json`: 160 checkouts from 13:40 to 14:20 UTC. Inventory runs two replicas
    (resource `host.name` inventory-7d9f-1 and inventory-7d9f-2) and checkout calls either; from
    14:00 the `SELECT stock` query on inventory-7d9f-2 takes 120-450 ms instead of 4-15 ms. Every
    request carries a noise attribute (`app.request.id`, unique) and `enduser.id` (one of 500
    users); payments answers 503 on about 4% of requests. Spans are made by the SDK with explicit
    times (no servers, no sleeps), from a fixed seed: the file is the same on every run."""
    rng = random.Random(SEED + 12)
    ids = SeededIds(SEED + 12)
    exporter = InMemorySpanExporter()

    def tracer(service: str, host: str):
        resource = Resource.create({
            "service.name": service, "service.namespace": "shop", "service.version": "2.3.1",
            "deployment.environment.name": "production", "host.name": host,
        })
        provider = TracerProvider(resource=resource, id_generator=ids)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        return provider.get_tracer("shop.incident", "2.3.1")

    frontend, checkout, payments = (tracer(n, f"{n}-7d9f-1") for n in ("frontend", "checkout", "payments"))
    inventory = [tracer("inventory", f"inventory-7d9f-{i}") for i in (1, 2)]
    ms = 1_000_000

    def span(tr, name: str, parent, start: int, end: int, kind=SpanKind.INTERNAL, error: bool = False, **attrs):
        ctx = trace.set_span_in_context(parent) if parent is not None else None
        sp = tr.start_span(name, context=ctx, kind=kind, attributes=attrs, start_time=start)
        if error:
            sp.set_status(Status(StatusCode.ERROR))
        return sp, end

    for n in range(INCIDENT_TRACES):
        t0 = INCIDENT_START_NS + n * 15_000 * ms + rng.randrange(0, 10_000) * ms
        replica = rng.randrange(2)
        slow = replica == 1 and t0 >= INCIDENT_SLOW_FROM_NS
        failed = rng.random() < 0.04
        done = []  # (span, end): ended children first
        root, _ = span(frontend, "POST /checkout", None, t0, 0, SpanKind.SERVER, error=failed,
                       **{"http.request.method": "POST", "http.route": "/checkout",
                          "app.request.id": f"req-{rng.getrandbits(48):012x}",
                          "enduser.id": f"u-{rng.randrange(500):04d}"})
        t = t0 + rng.randrange(1, 3) * ms
        call, _ = span(frontend, "POST /api/checkout", root, t, 0, SpanKind.CLIENT, error=failed,
                       **{"http.request.method": "POST", "server.address": "checkout", "server.port": 8080})
        srv, _ = span(checkout, "POST /api/checkout", call, t + ms // 2, 0, SpanKind.SERVER, error=failed,
                      **{"http.request.method": "POST", "http.route": "/api/checkout"})
        c = t + ms
        cart_end = c + rng.randrange(300, 1500) * 1000
        done.append(span(checkout, "HGETALL cart", srv, c, cart_end, SpanKind.CLIENT,
                         **{"db.system.name": "redis", "db.operation.name": "HGETALL"}))
        c = cart_end + 200_000
        query_ms = rng.uniform(120, 450) if slow else rng.uniform(4, 15)
        stock_call, _ = span(checkout, "GET /api/stock/{sku}", srv, c, 0, SpanKind.CLIENT,
                             **{"http.request.method": "GET", "server.address": "inventory", "server.port": 8080})
        stock_srv, _ = span(inventory[replica], "GET /api/stock/{sku}", stock_call, c + 300_000, 0, SpanKind.SERVER,
                            **{"http.request.method": "GET", "http.route": "/api/stock/{sku}",
                               "http.response.status_code": 200})
        q0 = c + 500_000
        q1 = q0 + int(query_ms * ms)
        done.append(span(inventory[replica], "SELECT stock", stock_srv, q0, q1, SpanKind.CLIENT,
                         **{"db.system.name": "postgresql", "db.operation.name": "SELECT",
                            "db.collection.name": "stock", "db.query.text": "SELECT qty FROM stock WHERE sku = $1",
                            "db.response.returned_rows": 1}))
        done.append((stock_srv, q1 + 200_000))
        done.append((stock_call, q1 + 400_000))
        c = q1 + 600_000
        pay_ms = rng.lognormvariate(3.3, 0.45)  # ~27 ms median, a tail to ~100 ms
        status = 503 if failed else 201
        charge, _ = span(checkout, "POST /api/charges", srv, c, 0, SpanKind.CLIENT, error=failed,
                         **{"http.request.method": "POST", "server.address": "payments", "server.port": 8080,
                            "http.response.status_code": status})
        pay, _ = span(payments, "POST /api/charges", charge, c + 300_000, 0, SpanKind.SERVER, error=failed,
                      **{"http.request.method": "POST", "http.route": "/api/charges",
                         "http.response.status_code": status})
        p1 = c + 300_000 + int(pay_ms * ms)
        done.append((pay, p1))
        done.append((charge, p1 + 300_000))
        end = p1 + 600_000
        done.append((srv, end))
        done.append((call, end + 300_000))
        done.append((root, end + rng.randrange(1, 3) * ms))
        for sp, e in done:
            sp.end(end_time=e)
    spans = sorted(exporter.get_finished_spans(), key=lambda sp: (sp.context.trace_id, sp.start_time))
    path = out / "incident.json"
    path.write_bytes(dumps(encode_spans(spans)) + b"\n")
    print(f"wrote {len(spans)} spans of {INCIDENT_TRACES} traces to {path}")
    return path


# -- broken instrumentation: lost server spans and a skewed clock ---------------------------------

LOST_SERVER_SPANS = "inventory"  # its SERVER spans never reach the backend (an exporter dropping them)
SKEWED_SERVICE, SKEWED_BEHIND_NS = "payments", 40_000_000  # its host's clock runs 40 ms behind


def broken_instrumentation(shop: Shop) -> list:
    """Two checkouts as `tracetui lint` should see them: the inventory service's server spans are
    lost (its database spans are left orphans, the stock checks have no server span below them)
    and the payments host's clock runs 40 ms behind (its server spans start before their callers).
    Returns the SDK's spans with inventory's server spans removed; `behind` shifts the times."""
    spans = []
    for _ in range(2):
        IDS.next_trace_id = None
        status = shop.visit("POST", "/checkout", {"user": "u-1001"})
        shop.settle()
        spans += EXPORTER.get_finished_spans()
        EXPORTER.clear()
        print(f"POST /checkout (broken instrumentation) -> {status}")
    return [s for s in spans if not (s.resource.attributes.get("service.name") == LOST_SERVER_SPANS
                                     and s.kind == SpanKind.SERVER)]


# -- an incident: one replica turns slow --------------------------------------------------------

REPLICA_BEFORE = "replica_before.jsonl.gz"
REPLICA_AFTER = "replica_after.jsonl.gz"


def replica_incident(out: Path, before: int = 40, after: int = 80) -> None:
    """Many requests of one endpoint, before and during an incident: `GET /availability/{sku}`
    asks catalog for the product and one of four inventory replicas for the stock. During the
    incident (`replica_after.jsonl.gz`) replica 4 reads from a degraded database node: its
    `SELECT stock` takes 150-250 ms instead of 8-30, so every fourth request is slow. Before it
    (`replica_before.jsonl.gz`) all four are healthy. One request per line, gzip (as big dumps
    come); what CRISP and the diffs of tracetui are tested on."""
    import gzip

    shop = Shop()
    degraded = {"on": False}

    def stock(svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        slow = degraded["on"] and svc is replicas[3]
        low, high = (150, 250) if slow else (8, 30)
        svc.query("postgresql", "SELECT", "stock", "SELECT qty, warehouse FROM stock WHERE sku = $1", low, high,
                  rows=1)
        return 200, {"sku": params["sku"], "available": 12}

    replicas = [Service("inventory", "1.12.0", {"GET /api/stock/{sku}": stock}, instance=f"7d9f-{k}")
                for k in range(1, 5)]
    turn = {"next": 0}

    def availability(svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        sku = params["sku"]
        status, product = svc.call(shop.catalog, "GET", f"/api/products/{sku}", "/api/products/{sku}")
        replica = replicas[turn["next"] % len(replicas)]  # round robin, as the load balancer does
        turn["next"] += 1
        _, stock_level = svc.call(replica, "GET", f"/api/stock/{sku}", "/api/stock/{sku}")
        with svc.app.start_as_current_span("render availability", attributes={"template": "stock.html"}):
            pause(1, 3)
        return status, {**product, **stock_level}

    shop.frontend.routes["GET /availability/{sku}"] = availability
    skus = list(CATALOG)
    try:
        for name, count, slow in ((REPLICA_BEFORE, before, False), (REPLICA_AFTER, after, True)):
            degraded["on"] = slow
            turn["next"] = 0
            with gzip.GzipFile(out / name, "wb", mtime=0) as f:
                for _ in range(count):
                    shop.visit("GET", f"/availability/{skus[pick(0, len(skus))]}")
                    shop.settle()
                    spans = EXPORTER.get_finished_spans()
                    EXPORTER.clear()
                    f.write(dumps(encode_spans(spans)) + b"\n")
            print(f"wrote {count} traces to {out / name}")
    finally:
        shop.close()
        for r in replicas:
            r.server.shutdown()
            r.provider.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="directory for shop.json and shop.jsonl (default: next to this script)")
    parser.add_argument("--only", choices=["shop", "incident"], help="write only this scenario's files")
    args = parser.parse_args()
    for var in [v for v in os.environ if v.startswith("OTEL_")]:
        del os.environ[var]  # no sampler, limits or resource attributes from the environment
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only != "shop":
        incident(args.out)
    if args.only == "incident":
        return

    shop = Shop()
    batches = []
    try:
        for method, path, body, trace_id in SCENARIOS:
            IDS.next_trace_id = trace_id
            status = shop.visit(method, path, body)
            shop.settle()
            spans = EXPORTER.get_finished_spans()
            EXPORTER.clear()
            batches.append(spans)
            print(f"{method} {path} -> {status}: {len(spans)} spans")
        broken = broken_instrumentation(shop)
    finally:
        shop.close()

    args.out.mkdir(parents=True, exist_ok=True)
    everything = [s for b in batches for s in b]
    (args.out / "shop.json").write_bytes(dumps(encode_spans(everything)) + b"\n")
    with open(args.out / "shop.jsonl", "wb") as f:
        for b in batches:
            f.write(dumps(encode_spans(b)) + b"\n")
    print(f"wrote {len(everything)} spans to {args.out / 'shop.json'} and {args.out / 'shop.jsonl'}")
    broken = behind(broken, SKEWED_SERVICE, SKEWED_BEHIND_NS)
    (args.out / "broken.json").write_bytes(dumps(encode_spans(broken)) + b"\n")
    print(f"wrote {len(broken)} spans to {args.out / 'broken.json'}")
    replica_incident(args.out)
    write_logs_sample(args.out)
    write_skew_sample(args.out)


# -- the shop with logs (shop_logs.jsonl) ----------------------------------------------------------

# The W3C Trace Context spec's other example trace id: `--trace 0af765` finds the checkout that logs.
LOGS_CHECKOUT_TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C


class ShopLog:
    """A service's log through the SDK's logs API (`LoggerProvider`): a record made inside a span
    carries that span's trace and span ids (the SDK reads them from the current context)."""

    def __init__(self, logger) -> None:
        from opentelemetry._logs import SeverityNumber

        self.logger, self.levels = logger, SeverityNumber

    def _emit(self, level: str, message: str, args: tuple, extra: dict | None) -> None:
        severity = getattr(self.levels, level)
        self.logger.emit(severity_number=severity, severity_text=level, body=message % args, attributes=extra)

    def debug(self, message: str, *args: object, extra: dict | None = None) -> None:
        self._emit("DEBUG", message, args, extra)

    def info(self, message: str, *args: object, extra: dict | None = None) -> None:
        self._emit("INFO", message, args, extra)

    def warning(self, message: str, *args: object, extra: dict | None = None) -> None:
        self._emit("WARN", message, args, extra)

    def error(self, message: str, *args: object, extra: dict | None = None) -> None:
        self._emit("ERROR", message, args, extra)


class LoggingShop(Shop):
    """The same shop, its services logging through the SDK's logs API: a record made inside a
    span carries that span's ids, one made outside any span (at start-up) carries none."""

    def __init__(self, log_exporter) -> None:
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor

        super().__init__()
        self.log_providers = []
        self.logs: dict[str, ShopLog] = {}
        for svc in self.services:
            provider = LoggerProvider(resource=svc.provider.resource)
            provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
            log = ShopLog(provider.get_logger(f"shop.{svc.name}", "1.4.0"))
            self.log_providers.append(provider)
            self.logs[svc.name] = log
            log.info("%s %s started on 127.0.0.1", svc.name, "1.x")  # outside any span: no trace

    def place_order(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        log = self.logs[svc.name]
        log.info("placing order for user %s", body["user"], extra={"shop.user": body["user"]})
        try:
            status, order = super().place_order(svc, params, body)
        except HttpError as e:
            log.error("order failed: %s", e, extra={"shop.user": body["user"]})
            raise
        log.info("order %s placed", order["order_id"], extra={"shop.order_id": order["order_id"]})
        return status, order

    def charge(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        log = self.logs[svc.name]
        log.debug("charging %s cents on %s", body["amount_cents"], body["card_token"])
        try:
            return super().charge(svc, params, body)
        except HttpError as e:
            log.warning("refused with %s: %s", e.status, e, extra={"shop.order_id": body["order_id"]})
            raise
        except TimeoutError:
            log.error("card network timed out after 250 ms", extra={"shop.order_id": body["order_id"]})
            raise

    def stock(self, svc: Service, params: dict, body: dict) -> tuple[int, dict]:
        self.logs[svc.name].debug("stock lookup for %s", params["sku"])
        return super().stock(svc, params, body)

    def close(self) -> None:
        super().close()
        for provider in self.log_providers:
            provider.shutdown()


def write_logs_sample(out: Path) -> None:
    """shop_logs.jsonl: the shop's scenarios again, with logs; per scenario a traces line and a
    logs line (the logs first every other time: a reader must not need the spans first)."""
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter

    log_exporter = InMemoryLogRecordExporter()
    IDS.__init__(SEED + 17)  # its own ids, whether or not shop.json was made first in this run
    EXPORTER.clear()
    shop = LoggingShop(log_exporter)
    lines = [dumps(encode_logs(log_exporter.get_finished_logs()))]  # start-up: no trace
    log_exporter.clear()
    spans = logs = 0
    try:
        for i, (method, path, body, trace_id) in enumerate(SCENARIOS):
            IDS.next_trace_id = LOGS_CHECKOUT_TRACE_ID if trace_id is not None else None
            status = shop.visit(method, path, body)
            shop.settle()
            finished, records = EXPORTER.get_finished_spans(), log_exporter.get_finished_logs()
            EXPORTER.clear()
            log_exporter.clear()
            pair = [dumps(encode_spans(finished))] + ([dumps(encode_logs(records))] if records else [])
            lines.extend(reversed(pair) if i % 2 else pair)
            spans, logs = spans + len(finished), logs + len(records)
            print(f"{method} {path} -> {status}: {len(finished)} spans, {len(records)} log records")
    finally:
        shop.close()
    (out / "shop_logs.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    print(f"wrote {spans} spans and {logs} log records to {out / 'shop_logs.jsonl'}")


# -- clock skew (skew.json) ------------------------------------------------------------------------

SKEW_SERVICE, SKEW_BEHIND_NS = "catalog", 40_000_000  # the catalog host's clock runs 40 ms behind
SKEW_SCENARIOS = [("GET", "/products/sku-1003"), ("GET", "/"), ("GET", "/products/sku-1001"), ("GET", "/")]


def behind(spans: list, service: str, offset_ns: int) -> list:
    """The spans as a host whose clock runs `offset_ns` behind would report them: every time the
    `service` recorded (start, end, events) is earlier by that much. New `ReadableSpan`s (the
    SDK's public constructor); the other services' spans are as they were."""
    from opentelemetry.sdk.trace import Event, ReadableSpan

    out = []
    for s in spans:
        if s.resource.attributes.get("service.name") != service:
            out.append(s)
            continue
        events = [Event(e.name, e.attributes, e.timestamp - offset_ns) for e in s.events]
        out.append(ReadableSpan(
            name=s.name, context=s.context, parent=s.parent, resource=s.resource, attributes=s.attributes,
            events=events, links=s.links, kind=s.kind, status=s.status, start_time=s.start_time - offset_ns,
            end_time=s.end_time - offset_ns, instrumentation_scope=s.instrumentation_scope))
    return out


def write_skew_sample(out: Path) -> None:
    """skew.json: product pages (a ~6 ms request) and home pages (~40 ms) where the catalog's
    host clock runs 40 ms behind: as read, its server spans start before their callers and a
    product page reads ~45 ms, slower than the home page; adjusted, they sit inside their calls."""
    IDS.__init__(SEED + 29)
    EXPORTER.clear()
    shop = Shop()
    spans = []
    try:
        for method, path in SKEW_SCENARIOS:
            IDS.next_trace_id = None
            status = shop.visit(method, path)
            shop.settle()
            spans += EXPORTER.get_finished_spans()
            EXPORTER.clear()
            print(f"{method} {path} (catalog's clock behind) -> {status}")
    finally:
        shop.close()
    skewed = behind(spans, SKEW_SERVICE, SKEW_BEHIND_NS)
    (out / "skew.json").write_bytes(dumps(encode_spans(skewed)) + b"\n")
    print(f"wrote {len(skewed)} spans to {out / 'skew.json'}")


if __name__ == "__main__":
    main()
