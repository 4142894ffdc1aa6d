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


def test_a_problem_is_one_line_cleaned_as_tables_are():
    # The loaders' own partial cleaner is gone: the same `clean` as the tables (C1 and invisible too).
    p = Problem("evil\nname.json", "line 1", "bad \x1b[31mred\x1b[0m \x9b2J val\u200bue")
    assert str(p) == "evil\u21b5name.json: line 1: bad \ufffd[31mred\ufffd[0m \ufffd2J val\ufffdue"


def test_bidi_overrides_cannot_reorder_a_problem_line():
    p = Problem("a\u202ejson.exe", "", "x\u2066y")
    assert str(p) == "a\ufffdjson.exe: x\ufffdy"


def test_problems_past_a_hundred_of_a_kind_are_counted_not_kept():
    from tracetui.loaders.problems import ProblemCap, problem_lines

    cap = ProblemCap()
    lost = [Problem("a.jsonl", f"line {i}", "span without spanId: skipped", 2) for i in range(1, 1001)]
    other = Problem("a.jsonl", "line 5", "not valid JSON")
    kept = cap.admit([*lost[:500], other]) + cap.admit(lost[500:])
    counted = cap.counted()
    assert len(kept) == 101 and other in kept and cap.counted() == []
    assert len(counted) == 1 and counted[0].count == 900 and counted[0].skipped == 1800
    assert counted[0].where == "line 101"
    everything = kept + counted
    assert problems_summary(everything) == "1,001 problems: 2,000 spans skipped, 1 unreadable part"
    assert problem_lines(everything)[0] == (
        "a.jsonl: line 1: span without spanId: skipped (and 999 more like it; --verbose lists the first 100)")
    verbose = problem_lines(everything, verbose=True)
    assert len(verbose) == 102
    assert verbose[-1] == "a.jsonl: line 101: span without spanId: skipped (and 899 more like it, counted, not listed)"


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


def test_a_long_session_keeps_a_bounded_list_of_problems_with_true_totals():
    # The explorer's list of problems (live: one batch of problems per request, for days) holds
    # the first hundred of a kind and one growing entry for the rest; the totals stay exact.
    from tracetui.loaders.problems import ProblemLog, problem_count

    log = ProblemLog([Problem("receiver", "request 0", "span kind 9 is not a kind: read as unspecified",
                              warning=True)])
    for i in range(1, 5000):
        log.extend([Problem("receiver", f"request {i}", f"span kind {i} is not a kind: read as unspecified",
                            warning=True)])
    log.extend([Problem("receiver", "request 7", "not valid JSON")])
    shown = list(log)
    assert len(shown) == len(log) == 102
    assert problem_count(shown) == 5001
    assert shown[-1].count == 4900 and shown[-1].where == "request 100"
    assert problems_summary(shown) == "5,001 problems: 1 unreadable part, 5,000 warnings"
    log.clear()
    assert not log and list(log) == []
