"""The performance benchmark (issue 7): every figure side by side with its baseline, as a ratio.

    python tests/bench/run.py            # everything; writes tests/bench/RESULTS.md
    python tests/bench/run.py --quick    # 100k files only, one repeat (a smoke run)
    python tests/bench/run.py --only load,open

Run by hand, never by pytest (tests/bench is in `norecursedirs`). Data comes from generate.py
(deterministic; created under tests/bench/data/ when missing, about 2.2 GB for all sizes).

The machine is shared and noisy, so each measured thing runs in its own process, baselines and
subjects are interleaved in the same run, and the best of several repeats is kept. Peak RSS is
the child's `ru_maxrss` (os.wait4), never this process's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402

MB = 1024 * 1024


# -- running one measured thing in its own process ------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mb: float
    out: dict


def child(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run argv; wall time from start to exit and the child's own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}): {errors.decode()[-2000:]}")
    try:
        parsed = json.loads(text.splitlines()[-1]) if text.strip() else {}
    except (ValueError, IndexError):
        parsed = {}
    return Run(seconds, usage.ru_maxrss / 1024, parsed if isinstance(parsed, dict) else {})


def worker(name: str, *args: str) -> list[str]:
    return [sys.executable, str(HERE / "run.py"), "--worker", name, *args]


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


# -- results --------------------------------------------------------------------------------


@dataclass
class Figure:
    section: str
    what: str
    value: str
    baseline: str
    ratio: str
    goal: str = ""
    met: bool | None = None


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, f: Figure) -> None:
        self.figures.append(f)
        mark = {True: "met", False: "MISSED", None: ""}[f.met]
        print(f"  {f.what:<46} {f.value:>18}  vs {f.baseline:<34} {f.ratio:>8}  {f.goal} {mark}", flush=True)


def ms(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def ms1(s: float) -> str:
    return f"{s * 1000:.1f} ms"


# -- start ----------------------------------------------------------------------------------

START_FLOOR = "import sys, msgspec; msgspec.json.decode(open(sys.argv[1], 'rb').read())"


def bench_start(res: Results, repeats: int, name: str = "spans5.json") -> None:
    print("start: `tracetui summary SMALL --json` and `tracetui --help` against a process that imports msgspec "
          "and decodes the same file")
    path = str(generate.ensure([name])[0])
    floor, summary, helps = [], [], []
    for _ in range(repeats):
        floor.append(child([sys.executable, "-c", START_FLOOR, path]))
        summary.append(child([sys.executable, "-m", "tracetui", "summary", path, "--json"]))
        helps.append(child([sys.executable, "-m", "tracetui", "--help"]))
    f = best(floor)
    for what, runs in ((f"summary {name} --json", summary), ("--help", helps)):
        o = best(runs)
        res.add(Figure("start", f"start: `tracetui {what}`", ms1(o.seconds), f"floor {ms1(f.seconds)}",
                       f"{o.seconds / f.seconds:.2f}x", "<= 3x floor", o.seconds <= 3 * f.seconds))


# -- load -----------------------------------------------------------------------------------


LOAD_1M_REPEATS = 5  # a virtual machine's CPU varies by a fifth between runs (steal): best of five


def bench_load(res: Results, names: list[str], repeats: int, naive: bool) -> None:
    print("load: `tracetui summary FILE --json` against the msgspec floor and the naive orjson way")
    for name in names:
        path = str(generate.ensure([name])[0])
        size = os.path.getsize(path) / 1e6
        floor, ours, slow = [], [], []
        for i in range(repeats):
            floor.append(child(worker("floor", path)))
            ours.append(child([sys.executable, "-m", "tracetui", "summary", path, "--json"]))
            if naive and i == 0:  # slow and memory hungry (7 GB at 1M spans): once is enough
                slow.append(child(worker("naive", path)))
        f, o = best(floor), best(ours)
        kind = "JSON Lines" if name.endswith(".jsonl") else "one request"
        label = f"{name} ({size:.0f} MB, {kind})"
        res.add(Figure("load", f"load {label}: time", ms(o.seconds), f"floor {ms(f.seconds)}",
                       f"{o.seconds / f.seconds:.2f}x", "<= 2x floor", o.seconds <= 2 * f.seconds))
        if slow:
            n = slow[0]
            res.add(Figure("load", f"load {label}: vs naive", ms(o.seconds), f"naive {ms(n.seconds)}",
                           f"{n.seconds / o.seconds:.1f}x faster", ">= 10x faster", n.seconds >= 10 * o.seconds))
        peak_goal = "<= 2.5 GB" if "1m" in name else ""
        res.add(Figure("load", f"load {label}: peak RSS", f"{o.peak_mb:.0f} MB",
                       f"floor {f.peak_mb:.0f} MB" + (f", naive {slow[0].peak_mb:.0f} MB" if slow else ""),
                       f"{o.peak_mb / f.peak_mb:.2f}x", peak_goal,
                       (o.peak_mb <= 2.5 * 1024) if peak_goal else None))
        if "1m" in name:
            after = best([child(worker("after_load", path)) for _ in range(1)])
            res.add(Figure("load", f"load {label}: RSS after load", f"{after.out['rss_mb']:.0f} MB",
                           f"file {size:.0f} MB", f"{after.out['rss_mb'] / size:.2f}x file", "<= 1.5 GB",
                           after.out["rss_mb"] <= 1.5 * 1024))


def w_floor(path: str) -> dict:
    import baselines

    with open(path, "rb") as f:
        data = f.read()
    return {"spans": baselines.floor(data, path.endswith(".jsonl"))}


def w_naive(path: str) -> dict:
    import baselines

    with open(path, "rb") as f:
        data = f.read()
    return {"spans": baselines.naive(data, path.endswith(".jsonl"))}


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def _load(path: str):
    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths

    store = TraceStore()
    problems = load_paths([path], store)
    return store, problems


def w_after_load(path: str) -> dict:
    """What the process holds once the file is loaded, as the CLI and the TUI load it."""
    import gc

    store, _ = _load(path)
    gc.collect()
    return {"rss_mb": _rss_mb(), "spans": store.span_count}


# -- open, critical path, self time of a 100k-span trace --------------------------------------


def bench_open(res: Results, repeats: int) -> None:
    print("open and scroll: one trace of 100k spans (trace100k.json: 30 services, a 5,000-deep chain)")
    path = str(generate.DATA / "trace100k.json")
    runs = [child(worker("open", path)) for _ in range(repeats)]
    o = {k: min(r.out[k] for r in runs) for k in runs[0].out}
    base = o["one_pass"]
    res.add(Figure("open", "tree (parent, children, order, depth)", ms(o["tree"]), f"one pass {ms1(base)}",
                   f"{o['tree'] / base:.1f}x"))
    res.add(Figure("open", "critical path", ms(o["critical_path"]), f"one pass {ms1(base)}",
                   f"{o['critical_path'] / base:.1f}x"))
    res.add(Figure("open", "self time", ms(o["self_time"]), f"one pass {ms1(base)}",
                   f"{o['self_time'] / base:.1f}x"))
    cp_st = o["critical_path"] + o["self_time"]
    res.add(Figure("open", "critical path + self time", ms(cp_st), "goal 200 ms", f"{cp_st / 0.2:.2f}x goal",
                   "<= 0.2 s", cp_st <= 0.2))
    if "first_page_ms" not in o:
        total = o["tree"] + o["critical_path"] + o["self_time"]
        res.add(Figure("open", "open: tree + critical path + self time", ms(total), "goal 500 ms",
                       f"{total / 0.5:.2f}x goal", "<= 0.5 s (without the screen)", total <= 0.5))
        res.notes.append("open/scroll: tests/bench/bench_waterfall.py is not on this branch; no screen measured.")
        return
    parts = [("tree", o["tree"]), ("analysis", o["analysis_ms"] / 1000), ("rows", o["rows_index_ms"] / 1000),
             ("show_trace", o["show_trace_ms"] / 1000), ("first page", o["first_page_ms"] / 1000)]
    total = sum(v for _, v in parts)
    res.add(Figure("open", "open: " + " + ".join(k for k, _ in parts), ms(total), "goal 500 ms",
                   f"{total / 0.5:.2f}x goal", "<= 0.5 s", total <= 0.5))
    res.add(Figure("open", "  of which " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in parts) + " ms", "", "", ""))
    page, worst = o["page_cold_ms_median"] / 1000, o["page_cold_ms_max"] / 1000
    lines = int(o["page_lines"])
    res.add(Figure("scroll", f"one page of waterfall ({lines} lines, render_line, cold cache)", ms1(page),
                   "goal 16 ms", f"{page / 0.016:.2f}x goal", "<= 16 ms", page <= 0.016))
    res.add(Figure("scroll", "  worst of 5 scrolled pages / cached page", f"{ms1(worst)} / {o['page_cached_ms']:.1f} ms",
                   "goal 16 ms", f"{worst / 0.016:.2f}x goal", "", None))


def _timed(fn: Callable[[], object], repeats: int = 7) -> float:
    best_s = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best_s = min(best_s, time.perf_counter() - t)
    return best_s


def w_open(path: str) -> dict:
    import gc

    from tracetui.analysis import critical_path, self_times
    from tracetui.model import Trace

    store, _ = _load(path)
    (trace,) = store
    spans = trace.spans
    gc.collect()
    out = {"one_pass": _timed(lambda: [s.end_ns - s.start_ns for s in spans])}

    def tree() -> float:
        """What opening a loaded trace builds: its tree. Making the `Trace` (its figures and the
        clock skew check, ~0.13 s here) is the load's work, timed by the load figures."""
        loaded = Trace(trace.trace_id, spans)
        t = time.perf_counter()
        loaded.ensure_built()
        return time.perf_counter() - t

    out["tree"] = min(tree() for _ in range(7))
    built = Trace(trace.trace_id, spans)
    built.ensure_built()
    out["critical_path"] = _timed(lambda: critical_path(built))
    out["self_time"] = _timed(lambda: self_times(built))
    try:
        import bench_waterfall  # the waterfall's own probe (from the TUI work)
    except ImportError:
        return out
    out.update(bench_waterfall.bench(built))
    return out


# -- the flame graph's first screen of a 100k-span trace ----------------------------------------


def bench_flame(res: Results, repeats: int) -> None:
    print("flame graph: first screen of a 100k-span trace (big_trace.make_trace), against the waterfall's")
    runs = [child(worker("flame", "100000")) for _ in range(repeats)]
    o = {k: min(r.out[k] for r in runs) for k in runs[0].out}
    flame, water = o["flame_first_screen_ms"] / 1000, o["waterfall_first_screen_ms"] / 1000
    res.add(Figure("flame", "flame first screen (layout + page)", ms(flame), f"waterfall's {ms1(water)}",
                   f"{flame / water:.1f}x", "<= 0.5 s", flame <= 0.5))
    heavy = o["left_heavy_first_screen_ms"] / 1000
    res.add(Figure("flame", "left heavy first screen (call tree + layout + page)", ms(heavy),
                   f"waterfall's {ms1(water)}", f"{heavy / water:.1f}x"))


def w_flame(spans: str) -> dict:
    import bench_flame
    from big_trace import make_trace

    return bench_flame.bench(make_trace(int(spans)))


# -- first paint of the trace list while the 1M file loads -----------------------------------


def bench_first_paint(res: Results, repeats: int, name: str) -> None:
    print(f"first paint: the trace list while {name} loads in the background")
    path = str(generate.DATA / name)
    runs, headless = [], []
    for _ in range(repeats):  # interleaved: the TUI's load, then the same file loaded headless
        runs.append(child(worker("first_paint", path)))
        headless.append(child(worker("headless_load", path)))
    if not runs[0].out:
        res.notes.append("first paint: the TUI (tracetui.ui.app.make_app) is not on this branch.")
        return
    o = {k: min(r.out[k] for r in runs) for k in runs[0].out}
    still = all(r.out["loading_at_first_paint"] for r in runs)
    res.add(Figure("first paint", f"first trace row painted, {name} loading", ms(o["first_paint"]),
                   f"load done {ms(o['load_done'])}", f"{o['first_paint'] / o['load_done']:.2f}x",
                   "<= 1 s, still loading", o["first_paint"] <= 1 and still))
    res.add(Figure("first paint", "while loading: worst event-loop delay (a key's wait)", ms1(o["worst_lag"]),
                   "50 ms (the goal)", f"{o['worst_lag'] / 0.05:.2f}x", "<= 50 ms", o["worst_lag"] <= 0.05))
    if "p99_lag" in o:
        res.add(Figure("first paint", "while loading: p99 / p50 event-loop delay", f"{ms1(o['p99_lag'])} / "
                       f"{ms1(o['p50_lag'])}", "50 ms (the goal)", f"{o['p99_lag'] / 0.05:.2f}x"))
    h = min(r.out["load"] for r in headless)
    res.add(Figure("first paint", f"load done in the TUI, {name}", ms(o["load_done"]),
                   f"headless load {ms(h)} (load_paths)", f"{o['load_done'] / h:.2f}x"))


def w_headless_load(path: str) -> dict:
    """The same file loaded as the headless commands load it (`load_paths` into a store), timed
    like the TUI's load: from the first call, imports done."""
    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths

    t0 = time.perf_counter()
    store = TraceStore()
    load_paths([path], store)
    return {"load": time.perf_counter() - t0, "spans": store.span_count}


def w_first_paint(path: str) -> dict:
    import asyncio

    try:
        from tracetui.ui.app import make_app
        from tracetui.ui.widgets.trace_table import TraceTable
    except ImportError:
        return {}
    from tracetui.model import TraceStore
    from tracetui.sources.files import read_source

    first: list[float] = []
    original = TraceTable.render_line

    def timed_render_line(self, y):  # the first line the table draws with a trace in it
        if not first and len(self.app.index.rows):
            first.append(time.perf_counter())
        return original(self, y)

    TraceTable.render_line = timed_render_line
    out: dict = {}

    async def run() -> None:
        t0 = time.perf_counter()
        app = make_app(TraceStore(), sources=[path], loader=lambda: read_source(path))
        async with app.run_test(size=(160, 46)):
            lags: list[float] = []
            while not first:
                await asyncio.sleep(0.002)
            out["first_paint"] = first[0] - t0
            out["loading_at_first_paint"] = int(app.status.loading)
            # How late a 10 ms timer fires while the load goes on: what a key press waits.
            while app.status.loading:
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - t - 0.01)
            out["load_done"] = time.perf_counter() - t0
            lags.sort()
            out["worst_lag"] = lags[-1] if lags else 0.0
            out["p99_lag"] = lags[int(len(lags) * 0.99)] if lags else 0.0
            out["p50_lag"] = lags[len(lags) // 2] if lags else 0.0
            out["spans"] = app.store.span_count

    asyncio.run(run())
    return out


# -- compare: the slowest 10% against the rest, headless and on the screen -------------------


def bench_compare(res: Results, repeats: int, name: str) -> None:
    print(f"compare: the slowest 10% of {name} against the rest")
    path = str(generate.DATA / name)
    loads, compares = [], []
    for _ in range(repeats):
        loads.append(child([sys.executable, "-m", "tracetui", "summary", path, "--json"]))
        compares.append(child([sys.executable, "-m", "tracetui", "compare", path, "--json"]))
    lo, co = best(loads), best(compares)
    extra = co.seconds - lo.seconds
    res.add(Figure("compare", f"`tracetui compare {name} --json`", ms(co.seconds), f"load (summary) {ms(lo.seconds)}",
                   f"{co.seconds / lo.seconds:.2f}x", "<= load + 2 s", extra <= 2.0))
    runs = [child(worker("compare_screen", path)) for _ in range(max(1, repeats - 1))]
    if not runs[0].out:
        res.notes.append("compare: the comparison screen is not on this branch.")
        return
    o = {k: min(r.out[k] for r in runs) for k in runs[0].out}
    res.add(Figure("compare", "screen: first figures (histogram, scatter) after `c`", ms(o["first_figures"]),
                   f"a sort key's repaint {ms1(o['sort_key'])}", f"{o['first_figures'] / max(o['sort_key'], 1e-3):.1f}x",
                   "<= 1 s", o["first_figures"] <= 1.0))
    res.add(Figure("compare", "screen: tables shown after `c`", ms(o["tables"]), f"load {ms(o['load'])}",
                   f"{o['tables'] / o['load']:.2f}x"))
    if "idle_lag" not in o:  # a branch without the baseline below
        res.add(Figure("compare", "screen: worst event-loop delay while it computes", ms1(o["worst_lag"]),
                       "50 ms (the live goal)", f"{o['worst_lag'] / 0.05:.2f}x", "<= 50 ms", o["worst_lag"] <= 0.05))
        return
    res.add(Figure("compare", "screen: worst event-loop delay while it computes", ms1(o["worst_lag"]),
                   f"idle list {ms1(o['idle_lag'])}", f"{o['worst_lag'] / max(o['idle_lag'], 1e-3):.1f}x",
                   "<= 50 ms", o["worst_lag"] <= 0.05))
    res.add(Figure("compare", "  a key (Tab) answered while it computes", ms1(o["key_busy"]),
                   f"a sort key's repaint {ms1(o['sort_key'])}", f"{o['key_busy'] / max(o['sort_key'], 1e-3):.1f}x",
                   "", None))


def w_compare_screen(path: str) -> dict:
    import asyncio

    try:
        from tracetui.ui.screens.compare import CompareScreen
        from tracetui.ui.widgets.compare_plots import DurationHistogram
    except ImportError:
        return {}
    from textual.events import Key

    from tracetui.ui.app import make_app
    from tracetui.ui.widgets.trace_table import TraceTable

    t0 = time.perf_counter()
    store, _ = _load(path)
    load = time.perf_counter() - t0
    drawn: list[float] = []
    original = DurationHistogram.render_line

    def timed_render_line(self, y):
        if not drawn:
            drawn.append(time.perf_counter())
        return original(self, y)

    DurationHistogram.render_line = timed_render_line
    painted: list[float] = []
    table_render = TraceTable.render_line

    def timed_table(self, y):
        painted.append(time.perf_counter())
        return table_render(self, y)

    TraceTable.render_line = timed_table
    out: dict = {"load": load}

    async def run() -> None:
        app = make_app(store, sources=[path])
        async with app.run_test(size=(160, 46)) as pilot:
            await pilot.pause()
            painted.clear()
            t = time.perf_counter()
            await pilot.press("d")  # the baseline: a key that re-sorts and repaints the list
            while not painted:
                await asyncio.sleep(0.001)
            out["sort_key"] = painted[0] - t
            idle: list[float] = []  # the baseline of the delay: the same timer on the idle list
            for _ in range(30):
                s = time.perf_counter()
                await asyncio.sleep(0.01)
                idle.append(time.perf_counter() - s - 0.01)
            out["idle_lag"] = max(idle)
            t = time.perf_counter()
            app.post_message(Key("c", "c"))  # as the terminal sends it (`pilot.press` waits for an idle CPU)
            while not drawn:
                await asyncio.sleep(0.001)
            out["first_figures"] = drawn[0] - t
            lags: list[float] = []
            key_at = focused = None
            while not (isinstance(app.screen, CompareScreen) and app.screen.model.comparison is not None
                       and not app.screen.computing):
                if key_at is None and time.perf_counter() - t > 0.5 and isinstance(app.screen, CompareScreen):
                    focused, key_at = app.focused, time.perf_counter()
                    app.post_message(Key("tab", None))  # to the other table: the tables go on computing
                elif key_at is not None and "key_busy" not in out and app.focused is not focused:
                    out["key_busy"] = time.perf_counter() - key_at
                s = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - s - 0.01)
            out["tables"] = time.perf_counter() - t
            out["worst_lag"] = max(lags) if lags else 0.0
            out.setdefault("key_busy", float("nan"))  # the tables were done before the key

    asyncio.run(run())
    return out


# -- filter over the spans of the 1M file --------------------------------------------------


# One query per kind of term of the filter language (tracetui/model/query.py).
FILTER_KINDS = [
    ("word", "checkout"),
    ("attribute =", "http.response.status_code=503"),
    ("attribute ~=", "http.route~=cart"),
    ("attribute >=", "http.response.status_code>=500"),
    ("negation", "-checkout"),
    ("negated attribute", "-db.system=postgresql"),
    ("error", "error"),
    ("service=", "service=payment"),
    ("duration>", "duration>1.5s"),
    ("span group", "{service=payment duration>50ms}"),
    ("log ~=", "log~=timeout"),
    ("severity", "severity>=warn"),
]
SPAN_QUERIES = ["checkout", "error", "service=payment"]


def bench_filter(res: Results, repeats: int, name: str) -> None:
    print(f"filter: every span of {name}")
    runs = [child(worker("filter", str(generate.DATA / name))) for _ in range(repeats)]
    o = {k: min(r.out[k] for r in runs) for k in runs[0].out if isinstance(runs[0].out[k], float)}
    base = o["plain_scan"]
    first = runs[0].out
    spans, traces, logs = first["spans"], first["traces"], first["logs"]
    build = o["index_build"]
    res.add(Figure("filter", f"filter index: built in a thread after the load ({spans:,} spans, {logs:,} log "
                   f"records); the UI thread's worst wait meanwhile {ms1(o['index_worst_wait'])}",
                   ms(build), f"plain scan {ms(base)}", f"{build / base:.0f}x",
                   "in the background; waits <= 50 ms", o["index_worst_wait"] <= 0.05))
    res.add(Figure("filter", "filter index: memory it adds (RSS after / its own count)",
                   f"{o['index_rss_mb']:.0f} MB", f"RSS after load {o['rss_load_mb']:.0f} MB",
                   f"{o['index_rss_mb'] / o['rss_load_mb']:.2f}x", f"counted {o['index_counted_mb']:.0f} MB", None))
    for kind, q in FILTER_KINDS:
        t, without = o[f"list {q}"], o[f"plain {q}"]
        res.add(Figure("filter", f"trace list filter, {kind} `{q}` ({traces:,} traces, {spans:,} spans; "
                       f"{int(first[f'shown {q}']):,} shown)", ms(t), f"without index {ms(without)}",
                       f"{t / without:.2f}x", "<= 0.2 s", t <= 0.2))
    for q in SPAN_QUERIES:
        t = o[f"spans {q}"]
        res.add(Figure("filter", f"  matching spans of every trace `{q}`", ms(t), f"plain scan {ms(base)}",
                       f"{t / base:.1f}x", "", None))


def add_bench_logs(store) -> int:
    """Log records for the filter's log terms (the bench files carry none): one for every tenth
    span, on that span, bodies from a few templates with numbers in them, severities 5-21."""
    from tracetui.model.log import LogRecord

    bodies = ["GET /api/cart/{n} 200 in {n}ms", "connection to db-{n} timeout after 30s", "cache miss for key k{n}",
              "retrying payment {n} (attempt 2)", "user {n} logged in", "slow query on orders: {n}ms",
              "queue depth {n}", "request {n} failed: upstream reset"]
    records = []
    i = 0
    for t in store:
        for s in t.spans[::10]:
            records.append(LogRecord(t.trace_id, s.span_id, s.start_ns, severity=5 + 4 * (i % 5),
                                     body=bodies[i % len(bodies)].format(n=i % 997)))
            i += 1
    store.add_logs(records)
    return len(records)


def w_filter(path: str) -> dict:
    import gc
    import threading

    from tracetui.model.filter_index import FilterIndex
    from tracetui.model.query import parse_query
    from tracetui.viewmodels.trace_list import TraceIndex

    store, _ = _load(path)
    logs = add_bench_logs(store)
    traces = list(store)
    spans = [s for t in traces for s in t.spans]
    gc.collect()
    gc.freeze()
    out: dict = {"spans": len(spans), "traces": len(traces), "logs": logs}

    def plain() -> int:  # the baseline: one substring test per span, nothing else
        return sum(1 for s in spans if "checkout" in s.name)

    out["plain_scan"] = _timed(plain, 3)
    listed = TraceIndex()
    listed.update(store, list(store.traces))
    for _, q in FILTER_KINDS:  # without the index: what the list does until it is built
        query = parse_query(q)
        out[f"plain {q}"] = _timed(lambda query=query: listed.set_query(store, query), 1)
    for q in SPAN_QUERIES:
        query = parse_query(q)
        out[f"spans {q}"] = _timed(lambda query=query: [query.matching_positions(t) for t in traces], 2)
    # The index, built in a thread as the app builds it, while this thread does what the event
    # loop does between keys: sleep 5 ms and see how late it wakes.
    out["rss_load_mb"] = _rss_mb()
    built: list = []
    thread = threading.Thread(target=lambda: built.append(FilterIndex.build(traces)))
    t = time.perf_counter()
    thread.start()
    worst = 0.0
    while thread.is_alive():
        s = time.perf_counter()
        time.sleep(0.005)
        worst = max(worst, time.perf_counter() - s - 0.005)
    thread.join()
    out["index_build"] = time.perf_counter() - t
    out["index_worst_wait"] = worst
    gc.collect()
    out["index_rss_mb"] = _rss_mb() - out["rss_load_mb"]
    out["index_counted_mb"] = built[0].memory_bytes() / MB
    listed.filter_index = built[0]
    for _, q in FILTER_KINDS:  # with the index ready, as the list after a load
        query = parse_query(q)
        out[f"list {q}"] = _timed(lambda query=query: listed.set_query(store, query), 3)
        out[f"shown {q}"] = float(len(listed.rows))
    return out


# -- statistics (issue 12) ------------------------------------------------------------------


def bench_stats(res: Results, repeats: int, name: str) -> None:
    """What issue 12's statistics cost beside a plain pass over the same spans, in the same process."""
    print(f"stats: trace100k.json and every span of {name}")
    path = str(generate.DATA / "trace100k.json")
    runs = [child(worker("stats", path, str(generate.DATA / name))) for _ in range(repeats)]
    o = {k: min(r.out[k] for r in runs) for k in runs[0].out if isinstance(runs[0].out[k], float)}
    spans = runs[0].out["spans"]
    one = o["one_pass"]
    res.add(Figure("stats", "`t`: statistics of a 100k-span trace (analysis given)", ms(o["trace_stats"]),
                   f"one pass {ms1(one)}", f"{o['trace_stats'] / one:.1f}x"))
    base = o["plain_scan"]
    for key, what in (("all_stats", f"`stats` of every trace ({spans:,} spans, critical paths included)"),
                      ("durations", "percentile index (durations sorted per operation)"),
                      ("exceptions", "exceptions across traces (grouped)"),
                      ("span_group", "filter `{service=payment duration>50ms}`"),
                      ("crisp", f"CRISP (`C`) of the most frequent root operation ({o['crisp_traces']:,.0f} traces)"),
                      ("diff", f"two-trace diff (`D`) of the two biggest traces ({o['diff_spans']:,.0f} spans)")):
        res.add(Figure("stats", what, ms(o[key]), f"plain scan {ms(base)}", f"{o[key] / base:.1f}x"))


def w_stats(trace_path: str, path: str) -> dict:
    import gc

    from tracetui.analysis.crisp import crisp, traces_of_root
    from tracetui.analysis.exceptions import exception_groups
    from tracetui.analysis.overview import TraceAnalysis
    from tracetui.analysis.percentiles import SpanDurations
    from tracetui.analysis.stats import trace_stats, traces_stats
    from tracetui.analysis.trace_diff import diff_traces
    from tracetui.model.query import parse_query

    store, _ = _load(trace_path)
    (trace,) = store
    a = TraceAnalysis(trace)
    out: dict = {"one_pass": _timed(lambda: [s.end_ns - s.start_ns for s in trace.spans])}
    out["trace_stats"] = _timed(lambda: trace_stats(trace, selfs=a.self_times, on_path=a.on_path))
    store, _ = _load(path)
    traces = list(store)
    spans = [s for t in traces for s in t.spans]
    gc.collect()
    gc.freeze()
    out["spans"] = len(spans)
    out["plain_scan"] = _timed(lambda: sum(1 for s in spans if "checkout" in s.name), 3)
    out["all_stats"] = _timed(lambda: traces_stats(traces), 1)
    out["durations"] = _timed(lambda: SpanDurations(traces), 2)
    out["exceptions"] = _timed(lambda: exception_groups(traces), 2)
    query = parse_query("{service=payment duration>50ms}")
    out["span_group"] = _timed(lambda: [t for t in traces if query.match_trace(t)], 3)
    out["crisp"] = _timed(lambda: crisp(traces), 1)  # the most frequent root operation
    out["crisp_traces"] = float(len(traces_of_root(traces)[1]))
    big = sorted(traces, key=lambda t: len(t.spans))[-2:]  # the two biggest traces, as `D` diffs them
    out["diff"] = _timed(lambda: diff_traces(*big), 2)
    out["diff_spans"] = float(sum(len(t.spans) for t in big))
    return out


# -- live ingest ----------------------------------------------------------------------------


def bench_live(res: Results, seconds: float) -> None:
    print("live: spans/s the OTLP receiver accepts while the UI answers keys")
    run = child(worker("live", str(seconds)))
    o = run.out
    if not o:
        res.notes.append("live ingest: the OTLP receiver (tests/bench/receiver_bench.py) is not on this "
                         "branch yet: not measured.")
        return
    for label, r, judged in (("as fast as senders go", o["max"], True), ("offered 20,000 spans/s", o["at_20k"], False)):
        rate = r["spans_per_s"]
        key = r.get("key_max_ms", r.get("loop_lag_max_ms", 0.0))
        # The goal is judged on the open-throttle run; the 20k/s run shows keys at the goal's rate.
        res.add(Figure("live", f"accepted spans/s, {label}", f"{rate:,.0f}/s", "goal 20,000/s",
                       f"{rate / 20000:.2f}x goal", ">= 20,000/s" if judged else "", rate >= 20000 if judged else None))
        res.add(Figure("live", f"  key handling meanwhile (worst), {label}", f"{key:.0f} ms", "goal 50 ms",
                       f"{key / 50:.2f}x goal", "<= 50 ms" if judged else "", key <= 50 if judged else None))


def bench_live_memory(res: Results, spans: int) -> None:
    print(f"live: memory per retained span ({spans:,} SDK spans, ten attributes each, through the receiver's ingest)")
    o = child(worker("live_memory", str(spans))).out
    if not o:
        res.notes.append("live memory: the OpenTelemetry SDK is not installed (pip install -e '.[samples]'): "
                         "not measured.")
        return
    for enc in ("protobuf", "json"):
        r = o[enc]
        per, wire = r["per_span"], r["wire_per_span"]
        res.add(Figure("live", f"memory per retained span, {enc} (tracemalloc)", f"{per / 1000:.2f} KB",
                       f"{wire / 1000:.2f} KB the span on the wire", f"{per / wire:.2f}x", "<= 0.8 KB", per <= 800))


def w_live_memory(spans: str) -> dict:
    sys.path.insert(0, str(HERE.parent / "support"))
    try:
        from live_memory import as_json, retained, sdk_requests
    except ImportError:
        return {}
    try:
        pb = sdk_requests(int(spans))
    except ImportError:
        return {}
    out = {}
    for enc, reqs in (("protobuf", pb), ("json", as_json(pb))):
        r = retained(reqs, enc)
        out[enc] = {"per_span": r["per_span"], "wire_per_span": sum(map(len, reqs)) / r["spans"]}
    return out


def w_live(seconds: str) -> dict:
    try:
        from receiver_bench import bench
    except ImportError:
        return {}
    return {"max": bench(float(seconds), mode="tui"), "at_20k": bench(float(seconds), mode="tui", rate=20_000)}


# -- the report -----------------------------------------------------------------------------


def _cpu_times() -> list[int]:
    """The machine's CPU time counters (/proc/stat's first line: user, nice, system, idle, iowait,
    irq, softirq, steal, ...), in clock ticks."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def _steal_share(before: list[int], after: list[int]) -> str:
    """Of the time the virtual machine's CPUs were busy or waiting for the host, the share the
    host took (steal): a run with much of it measured a slower machine than the figures say."""
    d = [b - a for a, b in zip(before, after, strict=False)]
    busy = sum(d[:3]) + sum(d[5:8])  # user, nice, system, irq, softirq, steal
    return f"{100 * d[7] / busy:.1f}% of busy CPU time" if busy and len(d) > 7 else "?"


def machine() -> dict[str, str]:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False).stdout.rstrip()
        except OSError:
            return "?"

    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": sh("nproc"),
        "free -h": sh("free -h"),
        "python": platform.python_version(),
        "load average": sh("cat /proc/loadavg"),
        "commit": sh(f"git -C {ROOT} rev-parse --short HEAD"),
    }


_SECTION_OF = {"start": "start", "load": "load", "first paint": "first_paint", "open": "open", "scroll": "open",
               "filter": "filter", "live": "live"}


def keep_other_sections(res: Results, path: Path, sections: list[str]) -> None:
    """With --only, the figures (and notes) of the sections not run stay as the file had them."""
    kept: list[Figure] = []
    notes: list[str] = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 7 and _SECTION_OF.get(cells[0]) not in (None, *sections):
            met = {"met": True, "**missed**": False}.get(cells[6])
            kept.append(Figure(cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], met))
        elif line.startswith("- ") and ":" in line:
            name = line[2:].split(":", 1)[0].split("/")[0].strip().replace(" ingest", "")
            if _SECTION_OF.get(name) not in (None, *sections):
                notes.append(line[2:])
    order = {name: i for i, name in enumerate(SECTIONS)}
    res.figures = sorted(kept + res.figures, key=lambda f: order.get(_SECTION_OF.get(f.section, ""), 99))
    res.notes = notes + res.notes


def write_results(res: Results, info: dict[str, str], path: Path, argv: list[str]) -> None:
    lines = [
        "# Performance results",
        "",
        f"Written by `python tests/bench/run.py{' ' + ' '.join(argv) if argv else ''}` on {info['date']} "
        f"(commit {info['commit']}). Each figure is the best of its repeats, measured in its own process, "
        "interleaved with its baseline in the same run; the ratio is the figure over its baseline.",
        "",
        "| section | figure | value | baseline | ratio | goal | |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in res.figures:
        mark = {True: "met", False: "**missed**", None: ""}[f.met]
        lines.append(f"| {f.section} | {f.what} | {f.value} | {f.baseline} | {f.ratio} | {f.goal} | {mark} |")
    if res.notes:
        lines += ["", "Not measured in this run:", ""] + [f"- {n}" for n in res.notes]
    lines += [
        "",
        "## Machine",
        "",
        f"- nproc: {info['nproc']}; python {info['python']}; load average at the start: {info['load at start']}; "
        f"at the end: {info['load average']}; CPU steal during the run: {info.get('steal', '?')}",
        "- `free -h`:",
        "",
        "```",
        info["free -h"],
        "```",
        "",
    ]
    extra = HERE / "NOTES.md"
    if extra.exists():
        lines += [extra.read_text()]
    path.write_text("\n".join(lines))


WORKERS = {"floor": w_floor, "naive": w_naive, "after_load": w_after_load, "open": w_open, "filter": w_filter,
           "first_paint": w_first_paint, "headless_load": w_headless_load, "live": w_live, "flame": w_flame,
           "compare_screen": w_compare_screen, "stats": w_stats, "live_memory": w_live_memory}
SECTIONS = ["start", "load", "first_paint", "open", "flame", "filter", "compare", "stats", "live"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100k files, one repeat, no naive baseline at 1M")
    ap.add_argument("--only", default="", help=f"comma-separated sections of {','.join(SECTIONS)}")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive orjson baseline (slow, 7 GB at 1M)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        name, *rest = args.worker
        out = WORKERS[name](*rest)
        sys.stdout.write(json.dumps(out) + "\n")
        return
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    with open("/proc/loadavg") as f:
        load_at_start = f.read().strip()
    steal_at_start = _cpu_times()
    sections = [s for s in args.only.split(",") if s] or SECTIONS
    big = [] if args.quick else ["spans1m.json", "spans1m.jsonl"]
    files = ["spans100k.json", "spans100k.jsonl", "trace100k.json", *big]
    if set(sections) - {"start"}:  # `--only start` needs only its small file
        generate.ensure(files)
    res = Results()
    repeats = 1 if args.quick else 3
    if "start" in sections:
        bench_start(res, 3 if args.quick else 10)
    if "load" in sections:
        bench_load(res, ["spans100k.json", "spans100k.jsonl"], repeats, not args.no_naive)
        bench_load(res, ["attrs100k.json", "sdk100k.jsonl"], repeats, False)  # issue 15's other shapes
        if big:
            bench_load(res, big, LOAD_1M_REPEATS, not args.no_naive)
            bench_load(res, ["attrs1m.json", "sdk1m.jsonl"], LOAD_1M_REPEATS, False)
    if "first_paint" in sections:
        bench_first_paint(res, max(1, repeats - 1), big[0] if big else "spans100k.json")
    if "open" in sections:
        bench_open(res, repeats)
    if "flame" in sections:
        bench_flame(res, repeats)
    if "filter" in sections:
        bench_filter(res, max(1, repeats - 1), "spans1m.json" if big else "spans100k.json")
    if "compare" in sections:
        bench_compare(res, max(1, repeats - 1), "spans1m.json" if big else "spans100k.json")
    if "stats" in sections:
        bench_stats(res, max(1, repeats - 1), "spans1m.json" if big else "spans100k.json")
    if "live" in sections:
        bench_live(res, 3 if args.quick else 10)
        bench_live_memory(res, 20_000 if args.quick else 100_000)
    info = machine()
    info["load at start"] = load_at_start
    info["steal"] = _steal_share(steal_at_start, _cpu_times())
    argv = sys.argv[1:]
    if args.only and args.out.exists():
        keep_other_sections(res, args.out, sections)
    write_results(res, info, args.out, argv)
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
