"""The words every loader shares: span kinds and status codes by name and by number, the resource
that a producer's attributes make, the range of a time, and the problem lines these give.

The five loaders (OTLP JSON and protobuf, Jaeger, Zipkin, the console exporter) and the live
receiver use these instead of tables of their own, so that the same input means the same thing
whichever format brought it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tracetui.model.span import (
    KIND_CLIENT,
    KIND_CONSUMER,
    KIND_INTERNAL,
    KIND_NAMES,
    KIND_PRODUCER,
    KIND_SERVER,
    KIND_UNSPECIFIED,
    STATUS_ERROR,
    STATUS_NAMES,
    STATUS_OK,
    STATUS_UNSET,
    UNKNOWN_SERVICE,
    Resource,
)

# -- span kinds and status codes --------------------------------------------------------------

KIND_BY_NAME: dict[str, int] = {
    "UNSPECIFIED": KIND_UNSPECIFIED, "INTERNAL": KIND_INTERNAL, "SERVER": KIND_SERVER,
    "CLIENT": KIND_CLIENT, "PRODUCER": KIND_PRODUCER, "CONSUMER": KIND_CONSUMER,
}
STATUS_BY_NAME: dict[str, int] = {"UNSET": STATUS_UNSET, "OK": STATUS_OK, "ERROR": STATUS_ERROR}
MAX_KIND = len(KIND_NAMES) - 1
MAX_STATUS = len(STATUS_NAMES) - 1
_KIND_PREFIXES = ("SPAN_KIND_", "SPANKIND.")  # OTLP's enum names, Python's `SpanKind.SERVER`
_STATUS_PREFIXES = ("STATUS_CODE_", "STATUSCODE.")  # OTLP's enum names, Python's `StatusCode.ERROR`


def _name(value: Any, prefixes: tuple[str, ...]) -> str:
    s = str(value).strip().upper()
    for p in prefixes:
        if s.startswith(p):
            return s[len(p):]
    return s


def kind_from_name(value: Any) -> int | None:
    """A span kind from any producer's spelling: `SPAN_KIND_SERVER` (OTLP), `server` (Jaeger's
    `span.kind` tag), `SERVER` (Zipkin), `SpanKind.SERVER` (Python); None when it names no kind."""
    return KIND_BY_NAME.get(_name(value, _KIND_PREFIXES))


def status_from_name(value: Any) -> int | None:
    """A status code from `STATUS_CODE_ERROR` (OTLP), `ERROR`, `error`, `StatusCode.ERROR`
    (Python); None when it names no status."""
    return STATUS_BY_NAME.get(_name(value, _STATUS_PREFIXES))


def kind_or_problem(value: Any) -> tuple[int, str | None]:
    """A span kind from a number or a name, and a problem message when it is none OTLP knows
    (then the kind is unspecified: the span is kept)."""
    return _code_or_problem(value, MAX_KIND, kind_from_name, KIND_UNSPECIFIED, "span kind", "unspecified")


def status_or_problem(value: Any) -> tuple[int, str | None]:
    """A status code from a number or a name, and a problem message when it is none OTLP knows
    (then the status is unset: the span is kept)."""
    return _code_or_problem(value, MAX_STATUS, status_from_name, STATUS_UNSET, "status code", "unset")


def _code_or_problem(value: Any, top: int, from_name: Callable[[Any], int | None], default: int, what: str,
                     shown_as: str) -> tuple[int, str | None]:
    if type(value) is int and 0 <= value <= top:
        return value, None
    code = from_name(value) if isinstance(value, str) else None
    if code is not None:
        return code, None
    return default, f"{what} {_shown(value)} is none OTLP knows: shown as {shown_as}"


# -- times ----------------------------------------------------------------------------------

# OTLP times are fixed64: nanoseconds since 1970 up to 2^64-1 (the year 2554). Anything outside
# is not a time any producer meant, and it breaks every consumer that holds 64 bits (`--json`).
MAX_TIME_NS = (1 << 64) - 1


def time_in_range(ns: int) -> bool:
    """Whether `ns` can be a span time: 0 to 2^64-1 nanoseconds since 1970."""
    return 0 <= ns <= MAX_TIME_NS


def times_problem(start_ns: int, end_ns: int) -> str | None:
    """The problem with a span's times when one is out of range (the span is then skipped:
    a clamped time would draw a trace centuries long); None when both can be times."""
    for what, ns in (("start", start_ns), ("end", end_ns)):
        if not time_in_range(ns):
            return (f"span {what} time {_shown(ns)} is out of range (0 to 2^64-1 ns since 1970): "
                    "skipped")
    return None


UNREADABLE_TIME = "span time is not a number of nanoseconds: skipped"


# -- the resource -----------------------------------------------------------------------------


def resource_from_attributes(attributes: dict[str, Any], service: Any = None) -> Resource:
    """The resource of a producer: its service from `service` (Jaeger's `serviceName`, Zipkin's
    endpoint) or else the `service.name` attribute, `unknown_service` when neither is given (as
    the OTel SDKs name a service that did not say). A given service is also kept as the
    `service.name` attribute when the attributes have none."""
    if service in (None, ""):
        service = attributes.get("service.name")
    elif "service.name" not in attributes:
        attributes["service.name"] = service
    return Resource(str(service) if service not in (None, "") else UNKNOWN_SERVICE, attributes)


# -- problem messages -------------------------------------------------------------------------


def span_without(what: str) -> str:
    """A span without one of its ids (`what`: the format's own key, e.g. `traceId`)."""
    return f"span without {what}: skipped"


ENDS_BEFORE_START = "ends before it starts: shown with zero duration"
NO_END_TIME = "has no end time: shown with zero duration"
NEGATIVE_DURATION = "has a negative duration: shown as zero"  # Jaeger's and Zipkin's end before start
_TIME_PROBLEM = re.compile(
    rf"span (\S+) ({re.escape(ENDS_BEFORE_START)}|{re.escape(NO_END_TIME)}|{re.escape(NEGATIVE_DURATION)})$")


def ends_before_start(span_id: str, end_ns: int | None = None) -> str:
    """A span whose end is before its start; an end of 0 is no end at all (OTLP's default: a
    span exported before it ended, or a producer that never set it)."""
    return f"span {span_id} {NO_END_TIME if end_ns == 0 else ENDS_BEFORE_START}"


def negative_duration(span_id: str) -> str:
    return f"span {span_id} {NEGATIVE_DURATION}"


def span_time_problem(message: str) -> tuple[bool, str] | None:
    """(no end, span id) of a problem message `ends_before_start` wrote; None for any other."""
    m = _TIME_PROBLEM.match(message)
    if m is None:
        return None
    return m.group(2) == NO_END_TIME, m.group(1)


def bad_span(error: Any) -> str:
    return f"bad span ({error}): skipped"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or type(value) is bool else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
