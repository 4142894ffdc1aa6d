"""Real dumps made with the OpenTelemetry SDK: spans, their OTLP protobuf request and OTLP JSON."""

from __future__ import annotations

import json


def sdk_spans(traces: int = 3, children: int = 2, service: str = "shop", tiny_resource: bool = False):
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    exporter = InMemorySpanExporter()
    resource = Resource({"service.name": service}) if tiny_resource else Resource.create({"service.name": service})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("dumps")
    for n in range(traces):
        with tracer.start_as_current_span(f"request {n}", kind=SpanKind.SERVER):
            for c in range(children):
                with tracer.start_as_current_span(f"step {c}") as s:
                    s.set_attribute("step", c)
    provider.shutdown()
    return list(exporter.get_finished_spans())


def proto_request(spans) -> bytes:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    return encode_spans(spans).SerializeToString()


def otlp_json(spans) -> dict:
    """OTLP JSON (hex ids, string int64) of the SDK's spans, one resourceSpans per trace."""
    out = []
    for s in spans:
        out.append({
            "resource": {"attributes": [{"key": k, "value": {"stringValue": str(v)}}
                                        for k, v in s.resource.attributes.items()]},
            "scopeSpans": [{"scope": {"name": "dumps"}, "spans": [{
                "traceId": format(s.context.trace_id, "032x"), "spanId": format(s.context.span_id, "016x"),
                "parentSpanId": format(s.parent.span_id, "016x") if s.parent else "",
                "name": s.name, "kind": int(s.kind.value) + 1,
                "startTimeUnixNano": str(s.start_time), "endTimeUnixNano": str(s.end_time),
                "attributes": [{"key": k, "value": {"intValue": str(v)}} for k, v in (s.attributes or {}).items()],
            }]}],
        })
    return {"resourceSpans": out}


def span_keys(spans) -> set[tuple[str, str, str, int, int]]:
    return {(format(s.context.trace_id, "032x"), format(s.context.span_id, "016x"), s.name, s.start_time, s.end_time)
            for s in spans}


def store_keys(store) -> set[tuple[str, str, str, int, int]]:
    return {(s.trace_id, s.span_id, s.name, s.start_ns, s.end_ns) for t in store for s in t.spans}


def pretty(doc: dict) -> bytes:
    return json.dumps(doc, indent=2).encode()


def sdk_spans_and_logs(traces: int = 2, service: str = "shop"):
    """Spans and log records made by the SDK: per trace a server span and a child, each logging
    through the SDK's logs API (a record made in a span carries that span's trace and span
    ids), and one record made outside any span (no trace)."""
    from opentelemetry._logs import SeverityNumber
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    resource = Resource.create({"service.name": service})
    spans_out, logs_out = InMemorySpanExporter(), InMemoryLogRecordExporter()
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans_out))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs_out))
    logger = logger_provider.get_logger("dumps")

    def log(severity: SeverityNumber, body: str, **attributes) -> None:
        logger.emit(severity_number=severity, severity_text=severity.name, body=body, attributes=attributes)

    tracer = tracer_provider.get_tracer("dumps")
    log(SeverityNumber.INFO, f"service {service} started")  # no span: no trace
    for n in range(traces):
        with tracer.start_as_current_span(f"request {n}", kind=SpanKind.SERVER):
            log(SeverityNumber.INFO, f"handling request {n}", **{"request.number": n})
            with tracer.start_as_current_span("step"):
                log(SeverityNumber.WARN, f"slow step in request {n}")
            log(SeverityNumber.ERROR, f"request {n} failed")
    tracer_provider.shutdown()
    logger_provider.shutdown()
    return list(spans_out.get_finished_spans()), list(logs_out.get_finished_logs())


def logs_request(records):
    """The SDK's `ExportLogsServiceRequest` of these records (its OTLP encoder)."""
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs

    return encode_logs(records)
