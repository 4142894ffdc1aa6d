"""The summary table on hand-built traces: start times, id prefixes, orphans, narrow terminals."""

from __future__ import annotations

import io

from builders import span
from rich.console import Console

from tracetui.model import TraceStore
from tracetui.model.span import STATUS_ERROR
from tracetui.render.summary import print_summary, print_trace, short_id_length

DAY = 86_400 * 10**9
T0 = 1_700_000_000 * 10**9  # 2023-11-14 22:13:20 UTC
MS = 10**6


def render(store: TraceStore, width: int) -> list[str]:
    out = io.StringIO()
    print_summary(Console(file=out, width=width, color_system=None), store, utc=True)
    return out.getvalue().splitlines()


def test_short_ids_grow_until_they_tell_traces_apart():
    assert short_id_length(["abcdef0100", "abcdef0200", "1234567800"]) == 8  # "abcdef01" vs "abcdef02"
    assert short_id_length(["abcdef0100", "1234567800"]) == 7
    assert short_id_length(["span-A", "span-B"]) == 6  # never longer than the ids


def test_traces_on_different_days_show_the_date_in_each_row():
    store = TraceStore()
    store.add([span("a", start=T0, end=T0 + 5 * MS, trace_id="a" * 32),
               span("b", start=T0 + DAY, end=T0 + DAY + 7 * MS, trace_id="b" * 32)])
    lines = render(store, 80)
    assert lines[0].startswith("2 traces, 2 spans (UTC)")  # no single day to name
    rows = lines[3:]
    assert rows[0].startswith("11-14 22:13:20  aaaaaaa")
    assert rows[1].startswith("11-15 22:13:20  bbbbbbb")
    wide = render(store, 160)
    assert wide[3].startswith("2023-11-14 22:13:20.000  " + "a" * 32)


def test_one_day_goes_in_the_title_and_rows_keep_milliseconds():
    store = TraceStore()
    store.add([span("a", start=T0 + 250 * MS, end=T0 + 300 * MS, trace_id="a" * 32)])
    lines = render(store, 80)
    assert lines[0].startswith("1 trace, 1 span, 2023-11-14 (UTC)")
    assert lines[3].startswith("22:13:20.250  aaaaaaa")
    assert "50.0ms" in lines[3]


def test_a_trace_without_its_root_names_its_earliest_orphan():
    store = TraceStore()
    store.add([span("b", "lost", start=T0 + 2 * MS, end=T0 + 9 * MS, service="cart", name="GET /cart",
                    trace_id="c" * 32),
               span("c", "lost", start=T0 + 1 * MS, end=T0 + 3 * MS, service="web", name="GET /", trace_id="c" * 32)])
    (row,) = render(store, 100)[3:]
    assert "web: GET / (no root)" in row
    assert row.split()[-4:] == ["8.00ms", "2", "0", "2"]  # duration 1..9 ms, 2 spans, 0 errors, 2 orphans


def test_failed_root_is_marked_and_narrow_terminals_keep_the_numbers():
    store = TraceStore()
    long_name = "POST /api/v1/organizations/{org}/projects/{project}/deployments"
    store.add([span("r", start=T0, end=T0 + 1234 * MS, service="gateway", name=long_name, trace_id="d" * 32,
                    status=STATUS_ERROR)])
    for width, shown in ((60, "✗ gateway:…"), (80, "✗ gateway: POST /api/v1/")):
        lines = render(store, width)
        assert all(len(line.rstrip()) <= width for line in lines)
        row = lines[3]
        assert shown in row and "…" in row
        assert row.split()[-4:] == ["1.23s", "1", "1", "0"]


def test_trace_tables_keep_their_numbers_next_to_long_names():
    store = TraceStore()
    store.add([span("r", start=T0, end=T0 + 100 * MS, service="s" * 50, name="n" * 100, trace_id="e" * 32),
               span("c", "r", start=T0 + 10 * MS, end=T0 + 40 * MS, service="db", name="SELECT", trace_id="e" * 32,
                    status=STATUS_ERROR)])
    out = io.StringIO()
    print_trace(Console(file=out, width=80, color_system=None), store.get("e" * 32), utc=True)
    text = out.getvalue()
    assert all(len(line.rstrip()) <= 80 for line in text.splitlines())
    path, selfs = text.split("Most self time")
    # Critical path: the root from 0 to 10 ms and 40 to 100 ms (70 ms), the child 10 to 40 ms.
    assert path.splitlines()[0].endswith("…")  # the header: id, then the root's name cut to fit
    (root_row,) = [line for line in path.splitlines()[1:] if "nnnn" in line]
    assert root_row.split()[-2:] == ["70.0ms", "70.0%"]
    (child_row,) = [line for line in path.splitlines() if "SELECT" in line]
    assert "✗ SELECT" in child_row and child_row.split()[-2:] == ["30.0ms", "30.0%"]
    # Self time: the root 100 - 30 = 70 ms of its 100 ms.
    (root_self,) = [line for line in selfs.splitlines() if "nnnn" in line]
    assert root_self.split()[-3:] == ["70.0ms", "100ms", "70.0%"]


def test_a_long_critical_path_is_cut_to_top_rows_and_says_how_many_were_left_out():
    # A chain 1,000 deep: every span is on the path. The table shows the `top` spans with the
    # most time on it (in path order) and one line for the rest, not 1,000 rows.
    chain = [span("s0", start=T0, end=T0 + 3000 * MS, name="root", trace_id="f" * 32)]
    for i in range(1, 1000):
        chain.append(span(f"s{i}", f"s{i - 1}", start=T0 + (100 + i) * MS, end=T0 + (3000 - i) * MS,
                          name=f"op{i}", trace_id="f" * 32))
    # On the path: the root 101 + 1 ms, the deepest span its whole 902 ms, every other one 2 ms.
    store = TraceStore()
    store.add(chain)
    out = io.StringIO()
    print_trace(Console(file=out, width=100, color_system=None), store.get("f" * 32), utc=True, top=3)
    path = out.getvalue().split("Most self time")[0]
    assert "Critical path (top 3 of 1,000 spans)" in path
    rows = [line.split() for line in path.splitlines() if line.split()[:1] in (["root"], ["op1"], ["op999"])]
    assert [r[0] for r in rows] == ["root", "op1", "op999"]  # the most time on the path, in path order
    assert len([line for line in path.splitlines()[1:] if " svc " in line]) == 3
    assert "… 997 more spans on the critical path" in path and "--top N shows more" in path
