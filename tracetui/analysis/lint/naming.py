"""Names that hurt: spans of services that did not say who they are, and span names with ids in
them (every request a new name: an operation list that grows without end, no grouping).
"""

from __future__ import annotations

from tracetui.analysis.lint.findings import WARNING, Hit, in_traces, kind
from tracetui.analysis.lint.masking import name_template
from tracetui.model.span import UNKNOWN_SERVICE
from tracetui.model.trace import Trace


@kind("unknown_service", WARNING, "service.name missing", ("service",))
def _unknown(key, count, traces, cost, extra) -> str:
    (service,) = key
    return (f"{in_traces(count, 'span', traces)} come from a service that did not set service.name "
            f"(shown as {service}): set OTEL_SERVICE_NAME or the resource's service.name")


@kind("high_cardinality_name", WARNING, "Span names with ids", ("service", "template"))
def _cardinality(key, count, traces, cost, extra) -> str:
    service, template = key
    examples = ", ".join(extra.get("examples", []))
    return (f"{in_traces(count, 'span', traces)} of {service} have ids or numbers in their names "
            f"({examples}, …): name them by template, like {template}, and put the id in an attribute")


def naming_hits(trace: Trace) -> list[Hit]:
    unknown: dict[str, list[str]] = {}
    names: dict[tuple[str, str], list[str]] = {}
    examples: dict[tuple[str, str], list[str]] = {}
    templates: dict[str, str | None] = {}
    for s in trace.spans:
        svc = s.resource.service
        if svc.startswith(UNKNOWN_SERVICE):
            unknown.setdefault(svc, []).append(s.span_id)
        name = s.name
        template = templates.get(name, "")
        if template == "":
            template = templates[name] = name_template(name)
        if template is not None:
            k = (svc, template)
            names.setdefault(k, []).append(s.span_id)
            ex = examples.setdefault(k, [])
            if name not in ex and len(ex) < 3:
                ex.append(name)
    tid = trace.trace_id
    out = [Hit("unknown_service", (svc,), tid, ids, len(ids)) for svc, ids in unknown.items()]
    out += [Hit("high_cardinality_name", k, tid, ids, len(ids), extra={"examples": examples[k]})
            for k, ids in names.items()]
    return out
