
from builders import span, trace

from tracetui.model import TraceStore


def ids(t, positions):
    return [t.spans[i].span_id for i in positions]


def test_tree_children_sorted_by_start_and_depth():
    t = trace(span("r", "", 0, 100), span("b", "r", 50, 60), span("a", "r", 10, 20), span("c", "a", 11, 12))
    assert ids(t, t.order) == ["r", "a", "c", "b"]
    assert [t.depth[i] for i in t.order] == [0, 1, 2, 1]
    assert ids(t, t.roots) == ["r"]
    assert t.max_depth == 2


def test_orphans_are_kept_and_marked():
    t = trace(span("r", "", 0, 100), span("x", "missing", 5, 10), span("y", "x", 6, 7))
    assert ids(t, t.orphans) == ["x"]
    assert ids(t, t.order) == ["r", "x", "y"]
    assert len(t.spans) == 3


def test_trace_without_root_uses_earliest_orphan():
    t = trace(span("x", "gone", 5, 10), span("w", "gone2", 1, 3))
    assert t.root.span_id == "w"
    assert t.roots == []


def test_zipkin_shared_span_becomes_child_of_its_client():
    # The shared server span reuses the client's id and names it as parent.
    client = span("aa", "root", 10, 90, service="front")
    server = span("aa", "aa", 20, 80, service="back")
    t = trace(span("root", "", 0, 100), client, server)
    assert t.depth[2] == 2 and t.spans[t.parent[2]].service == "front"


def test_parent_cycle_does_not_lose_spans():
    t = trace(span("a", "b", 0, 10), span("b", "a", 1, 5))
    assert sorted(ids(t, t.order)) == ["a", "b"]


def test_late_spans_join_their_trace():
    store = TraceStore()
    store.add([span("r", "", 0, 100)])
    t = store.get("t1")
    assert t.orphans == [] and len(t.spans) == 1
    store.add([span("a", "r", 10, 20), span("z", "r", 5, 6, trace_id="t2")])
    assert len(store) == 2 and ids(t, t.order) == ["r", "a"]


def test_retention_evicts_whole_oldest_traces():
    store = TraceStore(max_spans=4)
    store.add([span("a", "", 0, 1, trace_id="t1"), span("b", "a", 0, 1, trace_id="t1")])
    store.add([span("c", "", 0, 1, trace_id="t2"), span("d", "c", 0, 1, trace_id="t2")])
    store.add([span("e", "", 0, 1, trace_id="t3")])
    assert list(store.traces) == ["t2", "t3"]
    assert store.evicted_traces == 1 and store.evicted_spans == 2 and store.span_count == 3


def test_a_span_that_arrives_twice_is_stored_once():
    # An exporter retrying after a 503 resends the whole batch; a dump may also be loaded twice.
    store = TraceStore()
    store.add([span("r", "", 0, 100), span("a", "r", 10, 20)])
    changed = store.add([span("a", "r", 10, 20), span("b", "r", 30, 40)])
    t = store.get("t1")
    assert ids(t, t.order) == ["r", "a", "b"]
    assert store.span_count == 3 and store.duplicate_spans == 1 and changed == {"t1"}


def test_a_batch_grown_after_the_reader_grouped_it_is_checked_again():
    # A reader hands over its spans grouped by trace and vouched free of repeats; a batch that
    # gained spans since is grouped and checked by the store itself: nothing lost, nothing twice.
    from tracetui.model.store import DistinctSpans

    first = [span("r", "", 0, 100), span("a", "r", 10, 20), span("x", "", 0, 5, trace_id="t2")]
    batch = DistinctSpans(first, {"t1": first[:2], "t2": first[2:]})
    batch += [span("a", "r", 10, 20), span("b", "r", 30, 40)]
    store = TraceStore()
    assert store.add(batch) == {"t1", "t2"}
    t = store.get("t1")
    assert ids(t, t.order) == ["r", "a", "b"] and len(store.get("t2").spans) == 1
    assert store.span_count == 4 and store.duplicate_spans == 1


def test_zipkin_shared_ids_are_not_taken_for_duplicates():
    # Client and shared server span share an id but not a parent: both stay.
    store = TraceStore()
    store.add([span("root", "", 0, 100)])
    store.add([span("aa", "root", 10, 90), span("aa", "aa", 20, 80)])
    assert store.span_count == 3 and store.duplicate_spans == 0


def test_the_tree_and_the_figures_are_explicit_values_rebuilt_after_add():
    from tracetui.model.trace import Trace, TraceStats, TraceTree

    t = trace(span("r", "", 0, 100), span("a", "r", 10, 20), span("o", "gone", 5, 6))
    tree, stats = t.tree, t.stats
    assert isinstance(tree, TraceTree) and isinstance(stats, TraceStats)
    assert ids(t, tree.order) == ["r", "a", "o"] and tree.orphans == [2] and stats.orphan_count == 1
    assert (stats.start_ns, stats.end_ns, stats.root) == (0, 100, 0)
    assert t.children is tree.children and t.start_ns == stats.start_ns  # the trace reads them
    t.add([span("b", "r", 30, 140)])
    # New values for the new spans; one taken before (an open view's) is left as it was.
    assert t.tree is not tree and ids(t, t.tree.order) == ["r", "a", "b", "o"]
    assert t.stats.end_ns == 140 and stats.end_ns == 100 and ids(t, tree.order) == ["r", "a", "o"]
    assert TraceTree.build(t.spans).order == t.tree.order
    assert not hasattr(Trace, "__getattr__")  # no attribute appears by magic: a typo is an AttributeError
