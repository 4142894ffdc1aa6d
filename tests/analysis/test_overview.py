"""What the trace view shows in its header and steps through: critical path, errors, services."""

from builders import span, trace

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.span import STATUS_ERROR


def test_overview_of_a_small_trace():
    # root 0..100 with a 10..60 (cart, error) and b 65..95 (pay); b1 70..80 inside b.
    t = trace(
        span("root", "", 0, 100, service="front"),
        span("b", "root", 65, 95, service="pay"),
        span("a", "root", 10, 60, service="cart", status=STATUS_ERROR),
        span("b1", "b", 70, 80, service="db", status=STATUS_ERROR),
    )
    a = TraceAnalysis(t)
    p = {sid: t.position(sid) for sid in ("root", "a", "b", "b1")}
    # Walking back from 100: root 95..100, b 80..95, b1 70..80, b 65..70, root 60..65, a 10..60, root 0..10.
    assert a.on_path == {p["root"]: 5 + 5 + 10, p["b"]: 15 + 5, p["b1"]: 10, p["a"]: 50}
    assert a.critical_path_ns == 100
    assert a.critical_order == [p["root"], p["a"], p["b"], p["b1"]]
    assert a.on_path_set == set(p.values())
    # Self time: root 100 - (50 + 30) = 20; b 30 - 10 = 20.
    assert a.self_times[p["root"]] == 20 and a.self_times[p["b"]] == 20
    assert a.error_positions == [p["a"], p["b1"]]  # tree order, not input order
    assert a.services == [("cart", 1), ("db", 1), ("front", 1), ("pay", 1)]
    assert a.max_depth == 2


def test_span_off_the_critical_path_is_not_in_it():
    # c runs 10..20 but d (10..90) finishes last: c is never on the path.
    t = trace(span("r", "", 0, 100), span("c", "r", 10, 20), span("d", "r", 10, 90))
    a = TraceAnalysis(t)
    assert t.position("c") not in a.on_path_set
    assert a.critical_order == [t.position("r"), t.position("d")]
