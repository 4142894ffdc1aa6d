"""The statistics table's view model: grouping, sorting (both levels of `both`), cells, and the
query that selects a group's spans."""

import pytest
from builders import checkout_trace

from tracetui.analysis.stats import trace_stats
from tracetui.model.query import parse_query
from tracetui.viewmodels.trace_stats import StatsTableModel


def model(**kw) -> StatsTableModel:
    return StatsTableModel(trace_stats(checkout_trace()), **kw)


def keys(m: StatsTableModel) -> list:
    return [g.key for g in m.rows]


def test_most_self_time_first_and_the_same_column_again_reverses():
    m = model()  # self: cart 42, front 20 (100-50-30), pay 20, db 18
    assert [k[0] for k in keys(m)] == ["cart", "front", "pay", "db"]
    m.sort_by("self")
    assert [k[0] for k in keys(m)] == ["db", "front", "pay", "cart"] and not m.descending  # ties: by name
    m.sort_by("count")
    assert keys(m)[0] == ("db", None) and m.descending
    m.sort_by("name")
    assert [k[0] for k in keys(m)] == ["cart", "db", "front", "pay"] and not m.descending


def test_grouping_cycles_and_both_sorts_operations_under_their_service():
    m = model()
    assert m.next_grouping() == "operation" and all(g.name for g in m.rows)
    assert m.next_grouping() == "both"
    m.sort_by("name")  # A to Z at both levels
    assert keys(m) == [("cart", None), ("cart", "add item"), ("db", None), ("db", "INSERT payment"),
                       ("db", "SELECT cart"), ("front", None), ("front", "GET /checkout"), ("pay", None),
                       ("pay", "charge")]
    assert m.label(m.rows[1]) == "  add item" and m.label(m.rows[0]) == "cart"
    assert m.next_grouping() == "service"


def test_cells_read_as_the_command_line_table():
    m = model(by="operation")
    db_insert = next(g for g in m.rows if g.name == "INSERT payment")
    count, total, self_, *_, share, cp, errors = m.cells(db_insert)
    assert (count, total, self_, share, cp, errors) == ("1", "10.0ms", "10.0ms", "10.0%", "10.0ms", "1")


@pytest.mark.parametrize("by", ["service", "operation", "both"])
def test_the_query_of_a_row_finds_exactly_its_spans(by):
    t = checkout_trace()
    m = StatsTableModel(trace_stats(t), by=by)
    for g in m.rows:
        assert sorted(parse_query(m.query_for(g)).matching_positions(t)) == sorted(g.positions)


def test_unknown_keys_are_refused():
    m = model()
    with pytest.raises(ValueError):
        m.sort_by("colour")
    with pytest.raises(ValueError):
        m.set_grouping("span")
