"""What the OTLP receivers (HTTP and gRPC) share: decoding a request off the event loop, counting,
and handing accepted spans to a sink.

The transports only move bytes and map outcomes to their own status codes; everything a user
sees counted (spans received, rate, rejected requests and why) lives here, in `IngestStats`.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import DecodeError

from tracetui.loaders import otlp_json, otlp_proto
from tracetui.loaders.problems import Batch
from tracetui.model.packed import compact
from tracetui.sources.receiver import checks
from tracetui.sources.receiver.config import DEFAULT_MAX_BODY

PROTOBUF = "protobuf"
JSON = "json"
TRACES, LOGS = "traces", "logs"  # the signal of a request (its path, its gRPC service)

RATE_WINDOW_S = 5.0
IN_FLIGHT_BODIES = 4  # the default memory budget of bodies in flight, in largest requests


class Undecodable(Exception):
    """The body is not an OTLP request of its signal in the encoding it claims (HTTP 400)."""


@dataclass(slots=True)
class Received:
    """One accepted request: its spans, what was wrong with some of them, and the request itself.

    `body` is the decompressed request as it came (protobuf or JSON bytes); `message` is the
    parsed `ExportTraceServiceRequest` (or `ExportLogsServiceRequest`, `signal` LOGS) for
    protobuf requests (None for JSON).
    """

    batch: Batch
    encoding: str
    body: bytes
    message: Any = None
    transport: str = "http"
    peer: str = ""
    span_count: int = -1  # spans accepted; -1: len(batch.spans) (a decoder may count without building spans)
    line: bytes | None = None  # prepared capture line (record's decoder makes it off the loop)
    signal: str = TRACES

    @property
    def accepted_spans(self) -> int:
        return len(self.batch.spans) if self.span_count < 0 else self.span_count

    @property
    def accepted_logs(self) -> int:
        return len(self.batch.logs)

    @property
    def rejected_spans(self) -> int:
        return sum(p.skipped for p in self.batch.problems)

    @property
    def error_message(self) -> str:
        """Up to three problems, for `partial_success.error_message` (warnings included)."""
        probs = self.batch.problems
        text = "; ".join(f"{p.where}: {p.message}" if p.where else p.message for p in probs[:3])
        if len(probs) > 3:
            text += f"; and {len(probs) - 3} more"
        return text


Sink = Callable[[Received], Awaitable[None] | None]
Decoder = Callable[[bytes, str, str], Received]


def decode_logs(body: bytes, encoding: str, source: str = "receiver") -> Received:
    """Decode one logs request body (already decompressed): its log records, every one kept (a
    record without a trace id is one of no trace; an unreadable time or severity, a warning).
    Raises `Undecodable`. Pure; thread-safe."""
    from tracetui.loaders import otlp_logs

    if encoding == PROTOBUF:
        try:
            msg = otlp_logs.parse_logs_request(body)
        except (DecodeError, ValueError, RuntimeError) as e:
            raise Undecodable(f"not an OTLP protobuf ExportLogsServiceRequest ({e or 'undecodable'})") from None
        return Received(otlp_logs.logs_request_to_batch(msg, source), PROTOBUF, body, msg, signal=LOGS)
    if not body.strip():
        return Received(Batch(), JSON, body, signal=LOGS)
    try:
        checks.check_one_object(body)
    except checks.NotOneObject as e:
        raise Undecodable(str(e)) from None
    batch = otlp_logs.read_logs_json(body, source, "")
    if batch is None or any(not p.warning for p in batch.problems):
        why = "; ".join(p.message for p in batch.problems) if batch is not None else "not one JSON object"
        raise Undecodable(f"not an OTLP JSON ExportLogsServiceRequest ({why})")
    return Received(batch, JSON, body, signal=LOGS)


def decode(body: bytes, encoding: str, source: str = "receiver", keep: bool = True) -> Received:
    """Decode one request body (already decompressed). Raises `Undecodable`. Pure; thread-safe.
    `keep`: the spans are to be stored for long (live mode): packed small (model/packed.py).

    A JSON body must be one JSON object (`checks`); spans with times beyond 64 bits are rejected
    and taken out of `Received.body`, so what is stored or written can be read again.
    """
    if encoding == PROTOBUF:
        try:
            msg = otlp_proto.parse_request(body)
        except (DecodeError, ValueError, RuntimeError) as e:
            raise Undecodable(f"not an OTLP protobuf ExportTraceServiceRequest ({e or 'undecodable'})") from None
        batch = otlp_proto.request_to_batch(msg, source)
        if keep:
            compact(batch.spans)
        return Received(batch, PROTOBUF, body, msg)
    if not body.strip():
        return Received(Batch(), JSON, body)  # an empty request is valid: nothing to add
    try:
        checks.check_one_object(body)
    except checks.NotOneObject as e:
        raise Undecodable(str(e)) from None
    body, out_of_range = checks.drop_times_beyond_64_bits(body, source)
    batch = Batch(problems=list(out_of_range))
    for b in otlp_json.read_otlp_json(body, source):
        if batch.spans:
            batch.spans.extend(b.spans)  # (the store then groups the whole again: it checks)
        else:
            batch.spans = b.spans  # as read, with the reader's groups by trace for the store
        batch.problems.extend(b.problems)
    if not batch.spans and checks.is_empty_request(body):
        batch.problems = out_of_range  # an empty export: nothing to add, nothing wrong
    if keep:
        compact(batch.spans)  # not holding on to the request, whose bytes the Raws would keep
    return Received(batch, JSON, body)


@dataclass
class IngestStats:
    """What the status bar and `record` show. Mutated on the event loop only."""

    requests: int = 0
    spans: int = 0
    logs: int = 0  # log records accepted
    rejected_spans: int = 0
    rejected_requests: int = 0
    reasons: Counter = field(default_factory=Counter)  # "401 unauthorized" -> count
    details: dict = field(default_factory=dict)  # reason -> the latest detail given for it
    started: float = field(default_factory=time.monotonic)
    _recent: deque = field(default_factory=deque, repr=False)  # (monotonic second, spans)

    def accepted(self, spans: int, rejected_spans: int, now: float | None = None, logs: int = 0) -> None:
        self.requests += 1
        self.spans += spans
        self.logs += logs
        self.rejected_spans += rejected_spans
        sec = int(now if now is not None else time.monotonic())
        recent = self._recent
        if recent and recent[-1][0] == sec:
            recent[-1][1] += spans
        else:
            recent.append([sec, spans])
            while recent and recent[0][0] <= sec - RATE_WINDOW_S - 1:
                recent.popleft()

    def rejected(self, reason: str, detail: str = "") -> None:
        self.rejected_requests += 1
        self.reasons[reason] += 1
        self.details[reason] = detail

    def rate(self, now: float | None = None) -> float:
        """Spans per second over the last few whole seconds (0 when nothing came lately)."""
        now = now if now is not None else time.monotonic()
        sec = int(now)
        lo = sec - RATE_WINDOW_S
        total = sum(n for s, n in self._recent if lo <= s < sec)
        window = min(RATE_WINDOW_S, max(1.0, sec - int(self.started)))
        return total / window

    def rejected_short(self) -> str:
        """`2 rejected (401×1, 415×1)` for a status bar ("" when none); 404s keep their path."""
        parts = []
        for why, n in self.reasons.most_common():
            code, _, rest = why.partition(" ")
            parts.append(f"{code} {rest}×{n:,}" if rest.startswith("/") else f"{code}×{n:,}")
        out = f"{self.rejected_requests:,} rejected ({', '.join(parts)})" if parts else ""
        if self.rejected_spans:
            out = f"{out}, " if out else ""
            out += f"{self.rejected_spans:,} span{'s' if self.rejected_spans != 1 else ''} rejected"
        return out

    def rejected_text(self) -> str:
        """`3 requests rejected (2 × 401 unauthorized, 1 × 413 too large)`, or "" when none."""
        parts = [f"{n:,} × {why}" for why, n in self.reasons.most_common()]
        n = self.rejected_requests
        out = f"{n:,} request{'s' if n != 1 else ''} rejected ({', '.join(parts)})" if parts else ""
        if self.rejected_spans:
            out = f"{out}, " if out else ""
            out += f"{self.rejected_spans:,} span{'s' if self.rejected_spans != 1 else ''} rejected"
        return out


class OverBudget(Exception):
    """The bodies in flight would pass the memory budget (HTTP 503, retryable)."""


class InFlight:
    """Bytes of request bodies held in memory, across requests. On the event loop only."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.peak = 0

    def take(self, n: int) -> bool:
        if self.used + n > self.budget:
            return False
        self.used += n
        self.peak = max(self.peak, self.used)
        return True

    def give(self, n: int) -> None:
        self.used -= n


class Hold:
    """What one request holds of the budget; `release()` (idempotent) gives it all back."""

    def __init__(self, budget: InFlight) -> None:
        self.budget = budget
        self.bytes = 0

    def take(self, n: int) -> None:
        if not self.budget.take(n):
            raise OverBudget(f"{self.budget.used + n:,} bytes of request bodies would be in memory; "
                             f"the budget is {self.budget.budget:,}")
        self.bytes += n

    def release(self) -> None:
        self.budget.give(self.bytes)
        self.bytes = 0


class SinkFailed(Exception):
    """The sink could not take the spans (e.g. the capture file could not be written): retryable."""


class Ingest:
    """Decodes requests in one worker thread and hands them to the sink, in order of decoding.

    One thread: decoding is CPU-bound Python, so more threads would only contend for the GIL;
    off the loop, the loop still gets the GIL every switch interval (5 ms) and keys stay fast.
    """

    def __init__(self, sink: Sink, *, token: str | None = None, max_body: int = DEFAULT_MAX_BODY,
                 max_pending: int = 256, decoder: Decoder | None = None,
                 max_in_flight: int | None = None, logs_decoder: Decoder | None = None) -> None:
        """`max_in_flight`: the memory budget of request bodies in flight, across requests and
        transports (default `IN_FLIGHT_BODIES` × `max_body`). `decoder` decodes trace requests,
        `logs_decoder` logs requests."""
        self.sink = sink
        self.decoder: Decoder = decoder or decode
        self.logs_decoder: Decoder = logs_decoder or decode_logs
        self.token = token or None
        self.max_body = max_body
        self.max_pending = max_pending
        self.in_flight = InFlight(max(max_in_flight or IN_FLIGHT_BODIES * max_body, max_body))
        self.stats = IngestStats()
        self.pending = 0
        self._executor: ThreadPoolExecutor | None = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracetui-decode")
        return self._executor

    def authorized(self, authorization: str | None) -> bool:
        """Whether an `Authorization` value carries the token (always, when none is set).

        Compared in constant time, so the answer's timing does not tell how much of a guess was right.
        """
        if self.token is None:
            return True
        scheme, _, given = (authorization or "").strip().partition(" ")
        ok = hmac.compare_digest(given.strip().encode(), self.token.encode())
        return ok and scheme.lower() == "bearer"

    def busy(self) -> bool:
        """Too many requests waiting to be decoded: answer 503 so the exporter retries later."""
        return self.pending >= self.max_pending

    async def accept(self, body: bytes, encoding: str, *, transport: str = "http", peer: str = "",
                     signal: str = TRACES) -> Received:
        """Decode and sink one request. Raises `Undecodable` (counted) or `SinkFailed` (counted)."""
        self.pending += 1
        try:
            loop = asyncio.get_running_loop()
            decoder = self.logs_decoder if signal == LOGS else self.decoder
            try:
                rec = await loop.run_in_executor(self._pool(), decoder, body, encoding, f"{transport}:{peer}")
            except Undecodable as e:
                self.stats.rejected("400 undecodable", str(e))
                raise
            except (RecursionError, MemoryError) as e:
                why = "nested too deeply" if isinstance(e, RecursionError) else "too big to decode"
                self.stats.rejected("400 undecodable", why)
                raise Undecodable(why) from None
            except Exception as e:  # a decoder that should have said Undecodable: still the body's fault
                why = f"could not decode the request ({type(e).__name__}: {e})"[:300]
                self.stats.rejected("400 undecodable", why)
                raise Undecodable(why) from None
            rec.transport, rec.peer = transport, peer
            try:
                result = self.sink(rec)
                if result is not None:
                    await result
            except Exception as e:
                self.stats.rejected("503 not stored", f"{type(e).__name__}: {e}")
                raise SinkFailed(str(e)) from e
            self.stats.accepted(rec.accepted_spans, rec.rejected_spans, logs=rec.accepted_logs)
            return rec
        finally:
            self.pending -= 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
