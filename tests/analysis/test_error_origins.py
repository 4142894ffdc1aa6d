from builders import span, trace

from tracetui.analysis.errors import error_origins
from tracetui.model.span import STATUS_ERROR, STATUS_OK

E = {"status": STATUS_ERROR}


def test_the_deepest_failed_span_is_the_origin_not_its_failed_callers():
    t = trace(
        span("root", "", 0, 100, **E),
        span("a", "root", 10, 90, **E),
        span("b", "a", 20, 80, **E),        # origin: nothing below b failed
        span("c", "a", 5, 9, status=STATUS_OK),
        span("d", "root", 1, 5, **E),       # origin too, and it started first
    )
    names = [t.spans[i].span_id for i in error_origins(t)]
    assert names == ["d", "b"]


def test_no_errors_no_origins_and_orphans_count():
    assert error_origins(trace(span("r", "", 0, 10), span("x", "r", 1, 2))) == []
    t = trace(span("r", "", 0, 10), span("o", "missing", 1, 2, **E))
    assert [t.spans[i].span_id for i in error_origins(t)] == ["o"]


def test_a_chain_of_100k_spans_failing_at_the_bottom():
    n = 100_000
    spans = [span("s0", "", 0, 2 * n, **E)]
    spans += [span(f"s{i}", f"s{i - 1}", i, 2 * n - i, **E) for i in range(1, n)]
    t = trace(*spans)
    assert [t.spans[i].span_id for i in error_origins(t)] == [f"s{n - 1}"]
