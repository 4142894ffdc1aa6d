"""Wire types: the msgspec structs OTLP JSON decodes into, for both key styles.

The typed path decodes into `WSpan` wire structs; the fast path decodes each span directly into a
subclass of the model's `Span` (`fast_structs`), with the same containers around it.
"""

from typing import Annotated, Any, Union

import msgspec

from tracetui.loaders.vocabulary import MAX_KIND, MAX_STATUS, MAX_TIME_NS
from tracetui.model.span import NO_RESOURCE, NO_SCOPE, Span


class Int64Obj(msgspec.Struct):
    """The OTel-JS 0.44 bug: int64 written as {"low": …, "high": …}."""

    low: Union[int, None] = None  # neither given: an object that is no int64 (not 0)
    high: Union[int, None] = None


Int64 = Union[int, str, Int64Obj]


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def containers(span_cls: type, rename):
    """The document around spans (resource, scope, Tempo/Jaeger wrappers) for one key style."""

    # Resource and scope attributes stay undecoded: the same few resources repeat in every
    # batch, and are decoded once each (typed.resource_of, typed.scope_of).
    class WScope(msgspec.Struct, rename=rename):
        name: str = ""
        version: str = ""
        attributes: msgspec.Raw = msgspec.Raw(b"")

    class WScopeSpans(msgspec.Struct, rename=rename):
        scope: Union[WScope, None] = None
        instrumentation_library: Union[WScope, None] = None
        spans: list[span_cls] = []  # type: ignore[valid-type]

    class WResource(msgspec.Struct, rename=rename):
        attributes: msgspec.Raw = msgspec.Raw(b"")

    class WResourceSpans(msgspec.Struct, rename=rename):
        resource: Union[WResource, None] = None
        scope_spans: list[WScopeSpans] = []
        instrumentation_library_spans: list[WScopeSpans] = []

    class WDoc(msgspec.Struct, rename=rename):
        resource_spans: list[WResourceSpans] = []
        batches: list[WResourceSpans] = []  # Tempo API v1
        # A bare ResourceSpans (Java's logging exporter writes one per line).
        resource: Union[WResource, None] = None
        scope_spans: list[WScopeSpans] = []
        instrumentation_library_spans: list[WScopeSpans] = []

    class WWrapper(msgspec.Struct):
        trace: Union[WDoc, None] = None  # Tempo API v2
        result: Union[WDoc, None] = None  # Jaeger API v3
        data: Union[WDoc, None] = None

    return WDoc, WWrapper


def structs(rename):
    """The wire types, for one key style (camelCase or snake_case)."""

    class WStatus(msgspec.Struct, rename=rename):
        code: Union[int, str] = 0
        message: str = ""

    class WSpan(msgspec.Struct, rename=rename, gc=False):
        trace_id: str = ""
        span_id: str = ""
        parent_span_id: str = ""
        name: str = ""
        kind: Union[int, str] = 0
        start_time_unix_nano: Int64 = 0
        end_time_unix_nano: Int64 = 0
        status: Union[WStatus, None] = None
        attributes: msgspec.Raw = msgspec.Raw(b"")
        events: msgspec.Raw = msgspec.Raw(b"")
        links: msgspec.Raw = msgspec.Raw(b"")
        trace_state: str = ""

    WDoc, WWrapper = containers(WSpan, rename)
    return WDoc, WWrapper, WSpan


CAMEL = structs(camel)
SNAKE = structs(None)
_DECODERS: dict[tuple[bool, bool], msgspec.json.Decoder] = {}


def decoder(snake: bool, wrapped: bool) -> msgspec.json.Decoder:
    key = (snake, wrapped)
    dec = _DECODERS.get(key)
    if dec is None:
        doc, wrapper, _ = SNAKE if snake else CAMEL
        dec = _DECODERS[key] = msgspec.json.Decoder(wrapper if wrapped else doc)
    return dec


# The fast types take only what needs no check: a kind, status code or time out of range, or a
# name for them, fails validation and the document goes the typed path, which reports it.
_Kind = Annotated[int, msgspec.Meta(ge=0, le=MAX_KIND)]
# (msgspec bounds fit in an int64: times from 2^63 to 2^64-1, years past 2262, go the typed path.)
_Time = Annotated[int, msgspec.Meta(ge=0, le=min(MAX_TIME_NS, (1 << 63) - 1))]


class _FStatus(msgspec.Struct, gc=False):
    code: Annotated[int, msgspec.Meta(ge=0, le=MAX_STATUS)] = 0
    message: str = ""


def fast_structs(snake: bool):
    def k(camel: str) -> str:
        return snake_case(camel) if snake else camel

    span_keys = {
        "trace_id": k("traceId"), "span_id": k("spanId"), "parent_id": k("parentSpanId"),
        "start_ns": k("startTimeUnixNano"), "end_ns": k("endTimeUnixNano"), "status": "status",
        "raw_attributes": "attributes", "raw_events": "events", "raw_links": "links",
        "trace_state": k("traceState"),
        # Not OTLP keys: filled after decoding.
        "status_message": "$status_message", "resource": "$resource", "scope": "$scope",
        "follows_from": "$follows_from",
    }

    class FSpan(Span, rename=span_keys, gc=False):
        # Every field of `Span`, in its order (msgspec renames only fields a class defines).
        trace_id: str
        span_id: str
        parent_id: str = ""
        name: str = ""
        kind: _Kind = 0
        start_ns: _Time = 0
        end_ns: _Time = 0
        status: Union[Annotated[int, msgspec.Meta(ge=0, le=MAX_STATUS)], _FStatus] = 0
        status_message: str = ""
        resource: Any = NO_RESOURCE
        scope: Any = NO_SCOPE
        raw_attributes: msgspec.Raw = None  # type: ignore[assignment]
        raw_events: msgspec.Raw = None  # type: ignore[assignment]
        raw_links: msgspec.Raw = None  # type: ignore[assignment]
        follows_from: bool = False
        trace_state: str = ""

    return containers(FSpan, None if snake else camel)


def snake_case(camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


_FAST: dict[tuple[bool, bool], msgspec.json.Decoder] = {}


def fast_decoder(snake: bool, wrapped: bool) -> msgspec.json.Decoder:
    key = (snake, wrapped)
    dec = _FAST.get(key)
    if dec is None:
        doc, wrapper = fast_structs(snake)
        dec = _FAST[key] = msgspec.json.Decoder(wrapper if wrapped else doc, strict=False)
    return dec


def fast_rs_decoders(snake: bool) -> tuple[msgspec.json.Decoder, msgspec.json.Decoder]:
    decs = _FAST_RS.get(snake)
    if decs is None:
        doc_type, _ = fast_structs(snake)
        rs_type = doc_type.__annotations__["resource_spans"].__args__[0]
        decs = _FAST_RS[snake] = (msgspec.json.Decoder(rs_type, strict=False),
                                  msgspec.json.Decoder(list[rs_type], strict=False))
    return decs


_FAST_RS: dict[bool, tuple[msgspec.json.Decoder, msgspec.json.Decoder]] = {}
