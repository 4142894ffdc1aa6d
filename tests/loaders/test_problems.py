"""The problem lines and the count a user sees (stderr in summary, status bar in the TUI)."""

from tracetui.loaders import Problem, input_skipped, problems_summary


def test_count_line_and_what_counts_as_skipped_input():
    lost = Problem("a.json", "resourceSpans[0].scopeSpans[0].spans[2]", "span without spanId: skipped", 1)
    line = Problem("b.jsonl", "line 7", "not valid JSON")
    warn = Problem("c.json", "", "Jaeger warning: clock skew", warning=True)
    assert problems_summary([]) == "" and not input_skipped([])
    assert not input_skipped([warn])
    assert input_skipped([warn, line])
    assert problems_summary([lost, lost, line, warn]) == (
        "4 problems: 2 spans skipped, 1 unreadable part, 1 warning")


def test_a_problem_is_one_line_with_control_characters_escaped():
    p = Problem("evil\nname.json", "line 1", "bad \x1b[31mred\x1b[0m value")
    assert str(p) == "evil\\x0aname.json: line 1: bad \\x1b[31mred\\x1b[0m value"


def test_bidi_overrides_cannot_reorder_a_problem_line():
    p = Problem("a\u202ejson.exe", "", "x\u2066y")
    assert str(p) == "a\\u202ejson.exe: x\\u2066y"


def test_repeated_problems_are_one_line_per_kind_with_the_count_and_the_first_place():
    from tracetui.loaders.problems import problem_lines

    spans = [Problem("z.json", f"byte {100 * i:,}", f"span {i:016x} ends before it starts: shown with zero duration",
                     warning=True) for i in range(1, 85)]
    other = Problem("z.json", "byte 9", "span without spanId: skipped", 1)
    lines = problem_lines([spans[0], other, *spans[1:]])
    assert lines == [
        "z.json: byte 100: span 0000000000000001 ends before it starts: shown with zero duration"
        " (and 83 more like it; --verbose lists them)",
        "z.json: byte 9: span without spanId: skipped",
    ]
    assert len(problem_lines([*spans, other], verbose=True)) == 85
    # The same message in another file, or lost data next to a warning, is another kind.
    assert len(problem_lines([other, Problem("y.json", "byte 9", "span without spanId: skipped", 1)])) == 2
