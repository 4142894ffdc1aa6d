"""Every real fixture loads with the trace count, span count and services worked out from the
file itself (with the json module, independently of the loaders)."""

import json

import pytest
from conftest import FIXTURES
from loading import load_files, services

JAEGER = sorted((FIXTURES / "jaeger").rglob("*.json"))
ZIPKIN = sorted((FIXTURES / "zipkin").glob("*.json"))
OTLP = sorted((FIXTURES / "otlp").glob("*.json"))


def _jaeger_expected(path):
    doc = json.loads(path.read_text())
    traces = doc["data"] if "data" in doc else [doc.get("trace", doc)]
    ids, spans, svcs = set(), 0, set()
    for t in traces:
        for s in t["spans"]:
            ids.add(s.get("traceID") or t["traceID"])
            svcs.add(t["processes"][s["processID"]]["serviceName"])
        spans += len(t["spans"])
    return len(ids), spans, svcs


def _zipkin_expected(path):
    doc = json.loads(path.read_text())
    spans = [s for x in doc for s in (x if isinstance(x, list) else [x])]
    svcs = {(s.get("localEndpoint") or {}).get("serviceName") or "unknown_service" for s in spans}
    return len({s["traceId"] for s in spans}), len(spans), svcs


def _otlp_expected(path):
    doc = json.loads(path.read_text())
    ids, n, svcs = set(), 0, set()
    for rs in doc["resourceSpans"]:
        attrs = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
        svc = attrs.get("service.name", {}).get("stringValue", "unknown_service")
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                ids.add(s["traceId"].lower())
                n += 1
                svcs.add(svc)
    return len(ids), n, svcs


CASES = ([(p, _jaeger_expected) for p in JAEGER] + [(p, _zipkin_expected) for p in ZIPKIN]
         + [(p, _otlp_expected) for p in OTLP])


def test_all_fixture_folders_are_covered():
    assert len(JAEGER) == 20 and len(ZIPKIN) == 8 and len(OTLP) == 1


@pytest.mark.parametrize(("path", "expected"), CASES, ids=[p.relative_to(FIXTURES).as_posix() for p, _ in CASES])
def test_fixture_loads_with_right_counts(path, expected):
    n_traces, n_spans, svcs = expected(path)
    store, problems = load_files(path)
    assert problems == []
    assert len(store) == n_traces
    assert store.span_count == n_spans
    assert services(store) == svcs


def test_all_fixtures_at_once_merge_into_one_store():
    store, problems = load_files(FIXTURES)  # a directory: every file inside it
    # The README beside the dumps is no trace dump: named only as a warning.
    assert [(p.source.rsplit("/", 1)[-1], p.warning) for p in problems] == [("README.md", True)]
    # Jaeger UI's test files reuse identical spans across cases (case4 and case5 share op-A):
    # each span read is either stored or counted once as a repeat, never lost or doubled.
    assert store.span_count + store.duplicate_spans == sum(exp(p)[1] for p, exp in CASES)
    assert store.duplicate_spans > 0
