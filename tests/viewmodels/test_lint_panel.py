"""The lint panel's rows, headless: groups, findings and spans; where Enter goes; folding."""

from __future__ import annotations

from builders import span

from tracetui.analysis.lint import lint
from tracetui.model import TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_SERVER
from tracetui.viewmodels.lint import FINDING, GROUP, MORE, SPAN, SPANS_SHOWN, LintPanelModel

MS = 1_000_000


def store_with_orphans(n_traces: int, orphans_per_trace: int) -> TraceStore:
    spans = []
    for t in range(n_traces):
        tid = f"t{t}"
        spans.append(span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER, trace_id=tid, name="GET /"))
        spans += [span(f"o{i}", "gone", (10 + i) * MS, (11 + i) * MS, service="billing", trace_id=tid,
                       name=f"step {i}") for i in range(orphans_per_trace)]
    spans.append(span("u", "root", 0, MS, service="unknown_service:java", trace_id="t0", kind=KIND_CLIENT))
    st = TraceStore()
    st.add(spans)
    return st


def test_rows_are_groups_then_findings_then_their_spans_and_enter_goes_to_the_span():
    st = store_with_orphans(1, 2)
    model = LintPanelModel(lint(st), st)
    levels = [r.level for r in model.rows]
    assert levels == [GROUP, FINDING, SPAN, SPAN, GROUP, FINDING, SPAN]
    assert model.rows[0].text == "Orphans (parent not in the trace)" and model.rows[0].count == 2
    assert model.target(0) is None  # a group: Enter folds
    assert model.target(1) == ("t0", "o0")  # a finding: its first span
    assert model.target(3) == ("t0", "o1")
    assert model.rows[3].text == "t0  billing  step 1" and model.rows[3].service == "billing"
    assert model.message(3) == model.rows[1].text  # the line under the panel: the whole message


def test_long_lists_show_the_first_spans_and_count_the_rest():
    st = store_with_orphans(3, 6)  # 18 orphans
    model = LintPanelModel(lint(st), st)
    spans = [r for r in model.rows if r.level == SPAN and r.kind == "orphan_spans"]
    (more,) = [r for r in model.rows if r.level == MORE]
    assert len(spans) == SPANS_SHOWN and more.text == f"… {18 - SPANS_SHOWN} more"


def test_one_traces_panel_shows_only_its_findings():
    st = store_with_orphans(3, 2)
    model = LintPanelModel(lint(st), st, trace_id="t1")
    assert [f.kind for f in model.findings] == ["orphan_spans"]  # the unknown service is t0's
    assert {r.target[0] for r in model.rows if r.target} == {"t1"}


def test_folding_a_group_hides_its_rows_and_keeps_the_cursor_on_it():
    st = store_with_orphans(1, 2)
    model = LintPanelModel(lint(st), st)
    row = model.toggle(2)  # a span row folds its group
    assert row == 0 and [r.level for r in model.rows] == [GROUP, GROUP, FINDING, SPAN]
    assert model.toggle(0) == 0 and len(model.rows) == 7


def test_a_clean_store_has_no_rows():
    st = TraceStore()
    st.add([span("root", "", 0, MS, service="front")])
    model = LintPanelModel(lint(st), st)
    assert model.is_clean and model.rows == [] and model.summary() == "no findings"
