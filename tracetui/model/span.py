"""The span: one unit of work, stored compactly for a million of them.

Attributes, events and links are kept as the loader produced them: either already decoded
(small formats), as undecoded OTLP JSON (`msgspec.Raw`), or (attributes, events) packed as `bytes`
(model/packed.py: the OTLP protobuf loader and the live receiver), decoded only when someone looks.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tracetui.model.packed import unpack, unpack_events
from tracetui.model.values import decode_events, decode_key_values, decode_links, fast_key_values

# OTLP SpanKind values.
KIND_UNSPECIFIED, KIND_INTERNAL, KIND_SERVER, KIND_CLIENT, KIND_PRODUCER, KIND_CONSUMER = range(6)
KIND_NAMES = ("unspecified", "internal", "server", "client", "producer", "consumer")

# OTLP Status codes.
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2
STATUS_NAMES = ("unset", "ok", "error")

UNKNOWN_SERVICE = "unknown_service"


class Resource(msgspec.Struct, frozen=True, gc=False):
    """What produced the spans: shared by every span of one `ResourceSpans`."""

    service: str = UNKNOWN_SERVICE
    attributes: dict[str, Any] = {}


class Scope(msgspec.Struct, frozen=True, gc=False):
    """The instrumentation scope (library) that made the spans; shared."""

    name: str = ""
    version: str = ""
    attributes: dict[str, Any] = {}


class Event(msgspec.Struct, gc=False):
    time_ns: int
    name: str
    attributes: dict[str, Any] = {}


class Link(msgspec.Struct, gc=False):
    trace_id: str
    span_id: str
    attributes: dict[str, Any] = {}
    trace_state: str = ""


NO_RESOURCE = Resource()
NO_SCOPE = Scope()


class Span(msgspec.Struct, gc=False):
    """One span. Ids are lower-case hex where the source gave hex or base64, else as given.

    `parent_id` is "" for a root. `follows_from` marks a parent relation that does not block the
    parent (Jaeger FOLLOWS_FROM). Times are nanoseconds since the Unix epoch.
    """

    trace_id: str
    span_id: str
    parent_id: str = ""
    name: str = ""
    kind: int = KIND_UNSPECIFIED
    start_ns: int = 0
    end_ns: int = 0
    status: int = STATUS_UNSET
    status_message: str = ""
    resource: Resource = NO_RESOURCE
    scope: Scope = NO_SCOPE
    raw_attributes: Any = None
    raw_events: Any = None
    raw_links: Any = None
    follows_from: bool = False
    trace_state: str = ""

    @property
    def service(self) -> str:
        return self.resource.service

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns

    @property
    def is_error(self) -> bool:
        return self.status == STATUS_ERROR

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind] if 0 <= self.kind < len(KIND_NAMES) else str(self.kind)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status] if 0 <= self.status < len(STATUS_NAMES) else str(self.status)

    @property
    def attributes(self) -> dict[str, Any]:
        raw = self.raw_attributes
        if raw is None:
            return {}
        if raw.__class__ is bytes:
            return unpack(raw)
        if isinstance(raw, dict):
            return raw
        got = fast_key_values(raw)  # the common kinds in C; the rest the generic way
        return got if got is not None else decode_key_values(raw)

    @property
    def events(self) -> list[Event]:
        raw = self.raw_events
        if raw is None:
            return []
        if raw.__class__ is bytes:
            return unpack_events(raw)
        if isinstance(raw, list):
            return raw
        return decode_events(raw)

    @property
    def links(self) -> list[Link]:
        raw = self.raw_links
        if raw is None:
            return []
        if isinstance(raw, list):
            return raw
        return decode_links(raw)
