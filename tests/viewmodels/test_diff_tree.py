"""The diff of two traces as rows: what changed open, unchanged subtrees folded."""

from __future__ import annotations

from incident import AFTER, SLOW_OPERATION, load

from tracetui.analysis.trace_diff import diff_traces
from tracetui.viewmodels.diff_tree import DiffTreeModel


def test_what_changed_is_open_and_the_unchanged_subtree_is_folded():
    traces = sorted(load(AFTER), key=lambda t: t.duration_ns)
    m = DiffTreeModel(diff_traces(traces[0], traces[-1]))
    shown = [m.node(r).frame for r in range(len(m.rows))]
    assert SLOW_OPERATION in shown
    catalog_call = shown.index("frontend: GET /api/products/{sku}")
    assert m.hidden_below(catalog_call) == 2  # catalog's server span and its Redis read
    assert "catalog: GET product" not in shown
    m.toggle(catalog_call)
    assert "catalog: GET /api/products/{sku}" in [m.node(r).frame for r in range(len(m.rows))]
    m.expand_all()
    assert len(m.rows) == len(m.diff.nodes)
    # siblings by the size of their change: the slow branch first
    assert m.node(1).frame == "frontend: GET /api/stock/{sku}"
