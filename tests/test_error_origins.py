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
