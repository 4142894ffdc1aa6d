from builders import span, trace

from tracetui.analysis import self_times


def by_id(t, values):
    return {s.span_id: values[i] for i, s in enumerate(t.spans)}


def test_no_children_is_whole_duration():
    t = trace(span("r", "", 0, 100))
    assert by_id(t, self_times(t)) == {"r": 100}


def test_overlapping_children_count_once():
    # children 10..50 and 30..70 cover 10..70 = 60 of the root's 100.
    t = trace(span("r", "", 0, 100), span("a", "r", 10, 50), span("b", "r", 30, 70))
    assert by_id(t, self_times(t)) == {"r": 40, "a": 40, "b": 40}


def test_child_past_parent_end_is_clipped():
    # child 80..150 covers only 80..100 of the root.
    t = trace(span("r", "", 0, 100), span("a", "r", 80, 150))
    assert by_id(t, self_times(t))["r"] == 80


def test_child_entirely_after_parent_takes_nothing():
    t = trace(span("r", "", 0, 100), span("a", "r", 120, 150))
    assert by_id(t, self_times(t))["r"] == 100


def test_nested_and_disjoint():
    # r 0..100: a 0..20, b 50..60 (b has child c 52..58): r self = 100-20-10 = 70; b self = 4.
    t = trace(span("r", "", 0, 100), span("a", "r", 0, 20), span("b", "r", 50, 60), span("c", "b", 52, 58))
    assert by_id(t, self_times(t)) == {"r": 70, "a": 20, "b": 4, "c": 6}


def test_negative_and_zero_times_and_a_child_at_the_parent_start():
    t = trace(span("r", "", -100, 100), span("a", "r", -100, -50), span("b", "r", -60, 0), span("c", "r", 50, 50))
    assert by_id(t, self_times(t)) == {"r": 100, "a": 50, "b": 60, "c": 0}
