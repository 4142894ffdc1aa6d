"""OTLP logs: an `ExportLogsServiceRequest`/`LogsData` as OTLP JSON (either key style) or protobuf.

The Collector's `file` exporter writes logs lines among the spans of a dump; the receiver gets
them on `/v1/logs` and gRPC `LogsService`. Each record becomes a `LogRecord` (ids hex, the
body as text, attributes undecoded until shown). A record is never dropped for what it lacks:
without a time it keeps 0, without a trace id it is kept as a record of no trace (the store
counts those); a severity or time that cannot be read is a warning, and the record is kept.
"""

from collections.abc import Iterator
from typing import Any, Union

import msgspec

from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.vocabulary import resource_from_attributes
from tracetui.model.ids import id_from_bytes, normalize_id
from tracetui.model.log import MAX_SEVERITY, SEVERITY_NAMES, LogRecord, body_text, severity_of_text
from tracetui.model.span import NO_SCOPE, Scope
from tracetui.model.values import any_value, key_values

MAX_TIME = (1 << 64) - 1
_json = msgspec.json.Decoder()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _structs(rename: Any) -> type:
    class WLog(msgspec.Struct, rename=rename, gc=False):
        time_unix_nano: Any = 0
        observed_time_unix_nano: Any = 0
        severity_number: Any = 0
        severity_text: Any = ""
        body: msgspec.Raw = msgspec.Raw(b"")
        attributes: msgspec.Raw = msgspec.Raw(b"")
        trace_id: Any = ""
        span_id: Any = ""
        event_name: Any = ""

    class WScope(msgspec.Struct, rename=rename):
        name: Any = ""
        version: Any = ""
        attributes: Any = []

    class WScopeLogs(msgspec.Struct, rename=rename):
        scope: Union[WScope, None] = None
        log_records: list[WLog] = []

    class WResource(msgspec.Struct, rename=rename):
        attributes: Any = []

    class WResourceLogs(msgspec.Struct, rename=rename):
        resource: Union[WResource, None] = None
        scope_logs: list[WScopeLogs] = []

    class WDoc(msgspec.Struct, rename=rename):
        resource_logs: list[WResourceLogs] = []

    return WDoc


_DECODERS = {False: msgspec.json.Decoder(_structs(_camel)), True: msgspec.json.Decoder(_structs(None))}


def read_logs_json(doc: bytes | memoryview, source: str, where: str, maybe_lines: bool = False) -> Batch | None:
    """The log records of one OTLP JSON logs document. None when it is not one JSON document
    and `maybe_lines` (the whole input: try JSON Lines); raises UnicodeDecodeError for bytes
    that are not UTF-8, as `read_document` does (its callers replace them)."""
    head = bytes(doc[:4096])
    snake = b'"resource_logs"' in head and (b'"resourceLogs"' not in head
                                             or head.find(b'"resource_logs"') < head.find(b'"resourceLogs"'))
    batch = Batch()
    try:
        parsed = _DECODERS[snake].decode(doc)
    except msgspec.ValidationError as e:
        batch.problems.append(Problem(source, where, f"not OTLP logs as they are written ({e}): its records were skipped"))
        return batch
    except msgspec.DecodeError as e:
        if "Invalid UTF-8" in str(e):
            raise UnicodeDecodeError("utf-8", b"", 0, 1, str(e)) from None
        if maybe_lines and bytes(doc).strip().find(b"\n") >= 0:
            return None
        batch.problems.append(Problem(source, where, f"not valid JSON ({e}): the log records in it were skipped"))
        return batch
    at = f"{where}: " if where else ""
    tids: dict[str, str] = {}  # one string per trace id: the records of a trace share it
    for r_i, rl in enumerate(parsed.resource_logs):
        resource = resource_from_attributes(key_values(rl.resource.attributes if rl.resource else []))
        for s_i, sl in enumerate(rl.scope_logs):
            sc = sl.scope
            scope = Scope(str(sc.name or ""), str(sc.version or ""), key_values(sc.attributes)) if sc else NO_SCOPE
            for l_i, w in enumerate(sl.log_records):
                loc = f"{at}resourceLogs[{r_i}].scopeLogs[{s_i}].logRecords[{l_i}]"
                batch.logs.append(_record(w, resource, scope, batch, source, loc, tids))
    return batch


def _record(w: Any, resource: Any, scope: Scope, batch: Batch, source: str, loc: str,
            tids: dict[str, str]) -> LogRecord:
    tid = ""
    if isinstance(w.trace_id, str) and w.trace_id:
        tid = tids.get(w.trace_id)
        if tid is None:
            tid = tids[w.trace_id] = normalize_id(w.trace_id)
    sid = normalize_id(w.span_id) if isinstance(w.span_id, str) and tid else ""
    time_ns = _time(w.time_unix_nano)
    if not time_ns:  # none of its own: when it was observed (OTLP says to read it so)
        time_ns = _time(w.observed_time_unix_nano) if time_ns == 0 else None
    if time_ns is None:
        time_ns = 0
        batch.problems.append(Problem(source, loc, "log record with a time that cannot be read: shown without one",
                                      warning=True))
    text = w.severity_text if isinstance(w.severity_text, str) else str(w.severity_text)
    severity = _severity(w.severity_number)
    if severity is None:
        batch.problems.append(Problem(source, loc, f"log record with a severity OTLP does not define "
                                      f"({w.severity_number!r}): unspecified", warning=True))
        severity = 0
    raw_body = w.body
    body = body_text(_decode_any(raw_body)) if len(raw_body) > 2 else ""
    attrs = w.attributes
    return LogRecord(
        trace_id=tid, span_id=sid, time_ns=time_ns, severity=severity or severity_of_text(text),
        severity_text=text, body=body, resource=resource, scope=scope,
        raw_attributes=attrs if len(attrs) > 2 else None,
        event_name=w.event_name if isinstance(w.event_name, str) else "",
    )


def _decode_any(raw: msgspec.Raw) -> Any:
    try:
        return any_value(_json.decode(raw))
    except msgspec.DecodeError:
        return None


def _time(v: Any) -> int | None:
    """An OTLP JSON int64 time (a number, a decimal string, OTel-JS's {"low","high"}); 0 for
    none; None when it cannot be read or is outside 0..2^64-1."""
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        if not v:
            return 0
        try:
            v = int(v)
        except ValueError:
            return None
    elif isinstance(v, dict) and ("low" in v or "high" in v):
        try:
            v = (int(v.get("high") or 0) << 32) | (int(v.get("low") or 0) & 0xFFFFFFFF)
        except (TypeError, ValueError):
            return None
    if not isinstance(v, int) or not 0 <= v <= MAX_TIME:
        return None
    return v


def _severity(v: Any) -> int | None:
    """A SeverityNumber: an integer 0-24 or its name (`SEVERITY_NUMBER_WARN2`); None when neither."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v if 0 <= v <= MAX_SEVERITY else None
    if isinstance(v, str):
        name = v.strip().upper().removeprefix("SEVERITY_NUMBER_")
        if name in ("", "UNSPECIFIED"):
            return 0
        base, step = name.rstrip("1234"), name[len(name.rstrip("1234")):]
        if base in SEVERITY_NAMES and step in ("", "2", "3", "4"):
            return SEVERITY_NAMES.index(base) * 4 + int(step or 1)
    return None


# -- protobuf ----------------------------------------------------------------------------------

def first_resource_logs_has_records(data: bytes) -> bool:
    """Whether `data` starts with a ResourceLogs (field 1) that parses and holds a record with a
    time: what tells an `ExportLogsServiceRequest` from a traces one (both start with field 1)."""
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.logs.v1.logs_pb2 import ResourceLogs

    from tracetui.loaders.otlp_proto import _Cut, _fields

    try:
        for field, wire, a, b in _fields(data, 0, len(data)):
            if field != 1 or wire != 2:
                return False
            rl = ResourceLogs()
            rl.ParseFromString(data[a:b])
            return any(lr.time_unix_nano or lr.observed_time_unix_nano for sl in rl.scope_logs for lr in sl.log_records)
    except (_Cut, DecodeError, ValueError):
        return False
    return False


def read_logs_proto(data: bytes, source: str, where: str = "") -> Iterator[Batch]:
    """The log records of a protobuf `ExportLogsServiceRequest`."""
    from google.protobuf.message import DecodeError

    try:
        req = parse_logs_request(data)
    except (DecodeError, ValueError, RuntimeError):
        yield Batch(problems=[Problem(source, where, "not an OTLP protobuf logs request (undecodable): "
                                      "its log records were skipped")])
        return
    yield logs_request_to_batch(req, source, where)


def parse_logs_request(data: bytes) -> Any:
    """Parse protobuf bytes; raises `DecodeError` for bytes that are not a logs request."""
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    req = ExportLogsServiceRequest()
    req.ParseFromString(data)
    return req


def logs_request_to_batch(req: Any, source: str, where: str = "") -> Batch:
    """Log records of a parsed `ExportLogsServiceRequest`/`LogsData`."""
    from tracetui.loaders.otlp_proto import any_value as pb_any_value
    from tracetui.loaders.otlp_proto import key_values as pb_key_values

    batch = Batch()
    at = f"{where}: " if where else ""
    for r_i, rl in enumerate(req.resource_logs):
        resource = resource_from_attributes(pb_key_values(rl.resource.attributes))
        for s_i, sl in enumerate(rl.scope_logs):
            sc = sl.scope
            scope = Scope(sc.name, sc.version, pb_key_values(sc.attributes))
            for l_i, lr in enumerate(sl.log_records):
                tid = id_from_bytes(lr.trace_id)
                severity = int(lr.severity_number)
                if not 0 <= severity <= MAX_SEVERITY:
                    batch.problems.append(Problem(
                        source, f"{at}resourceLogs[{r_i}].scopeLogs[{s_i}].logRecords[{l_i}]",
                        f"log record with a severity OTLP does not define ({severity}): unspecified", warning=True))
                    severity = 0
                batch.logs.append(LogRecord(
                    trace_id=tid, span_id=id_from_bytes(lr.span_id) if tid else "",
                    time_ns=lr.time_unix_nano or lr.observed_time_unix_nano,
                    severity=severity or severity_of_text(lr.severity_text), severity_text=lr.severity_text,
                    body=body_text(pb_any_value(lr.body)) if lr.HasField("body") else "",
                    resource=resource, scope=scope, raw_attributes=pb_key_values(lr.attributes) or None,
                    event_name=getattr(lr, "event_name", ""),
                ))
    return batch
