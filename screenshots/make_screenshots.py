"""Make the README's screenshots from the real app on a sample trace file.

    python screenshots/make_screenshots.py [TRACE_FILE]

Writes SVGs next to this script: trace_list.svg (sorted by duration), trace_view.svg (the
slowest failing trace, on the span where its errors start: key f), service_filter.svg (a service hidden), help.svg,
flame.svg (the same trace's flame graph: w, f) and flame_left_heavy.svg (left heavy with the
sandwich table, the detail pane hidden: w, m, t, p); from the replica incident
(sample_traces/replica_*.jsonl.gz): crisp.svg (CRISP, the slowest 5% against the fastest half)
and trace_diff.svg (the fastest trace, A, against the slowest, B); compare.svg is the comparison
screen (key c) on sample_traces/incident.json; service_map.svg (the map of every trace of the
shop, an edge selected).
Times are shown in UTC so the pictures do not depend on where they were made.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ["TZ"] = "UTC"
# The pictures never depend on choices remembered on this machine (theme, palette: ui/settings.py).
os.environ["TRACETUI_STATE"] = str(Path(tempfile.mkdtemp()) / "state.json")
os.environ["TRACETUI_CONFIG"] = str(Path(tempfile.mkdtemp()) / "config.toml")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZE = (120, 35)


def default_source() -> Path:
    for candidate in (ROOT / "sample_traces" / "shop.json", *sorted((ROOT / "sample_traces").glob("*.json"))):
        if candidate.exists():
            return candidate
    raise SystemExit("no sample trace file found: pass one, e.g. python screenshots/make_screenshots.py FILE")


def load(path: Path):
    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths

    store = TraceStore()
    problems = load_paths([str(path)], store)
    return store, problems


def pick_trace(store) -> str:
    """The slowest trace with an error (what a person debugging would open), else the slowest."""
    traces = sorted(store, key=lambda t: t.duration_ns, reverse=True)
    failing = [t for t in traces if t.error_count]
    return (failing or traces)[0].trace_id


async def shoot(source: Path) -> list[Path]:
    from tracetui.ui.app import make_app

    store, problems = load(source)
    shown = [source.relative_to(ROOT).as_posix() if source.is_relative_to(ROOT) else source.name]
    trace_id = pick_trace(store)
    out: list[Path] = []

    async def run(name: str, keys: list[str], open_trace: bool) -> None:
        app = make_app(store, problems=problems, sources=shown, utc=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if open_trace:
                app.open_trace(trace_id)
                await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await app.workers.wait_for_complete()  # (the service map reads its calls in a worker)
                await pilot.pause()
            await pilot.pause(0.3)
            path = HERE / f"{name}.svg"
            app.save_screenshot(path.name, str(HERE))
            out.append(path)

    await run("trace_list", ["d"], open_trace=False)
    await run("trace_view", ["f"], open_trace=True)
    await run("service_filter", ["s", "space"], open_trace=True)
    await run("help", ["question_mark"], open_trace=True)
    await run("service_map", ["M", "j", "j", "j", "j"], open_trace=False)
    await run("flame", ["w", "f"], open_trace=True)
    await run("flame_left_heavy", ["w", "m", "t", "p"], open_trace=True)
    out.extend(await shoot_incident())
    return out


async def shoot_incident() -> list[Path]:
    """CRISP and the diff of two traces, on the incident where one inventory replica is slow."""
    import time

    from tracetui.model import TraceStore
    from tracetui.sources.files import load_paths
    from tracetui.ui.app import make_app

    files = [ROOT / "sample_traces" / "replica_before.jsonl.gz", ROOT / "sample_traces" / "replica_after.jsonl.gz"]
    if not all(f.exists() for f in files):
        return []
    store = TraceStore()
    problems = load_paths([str(f) for f in files], store)
    shown = [f.relative_to(ROOT).as_posix() for f in files]
    out: list[Path] = []

    async def run(name: str, keys: list[str], wait_crisp: bool = False) -> None:
        app = make_app(store, problems=problems, sources=shown, utc=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                if wait_crisp and key == "C":
                    deadline = time.monotonic() + 30
                    while getattr(app.screen, "model", None) is None and time.monotonic() < deadline:
                        await asyncio.sleep(0.05)
            await pilot.pause(0.3)
            path = HERE / f"{name}.svg"
            app.save_screenshot(path.name, str(HERE))
            out.append(path)

    await run("crisp", ["C", "x"], wait_crisp=True)
    await run("trace_diff", ["d", "d", "m", "G", "D"])  # the fastest (A) against the slowest (B)
    return out


async def shoot_compare(source: Path = ROOT / "sample_traces" / "incident.json") -> Path:
    """The comparison screen on the incident: the slowest 10% against the rest, once computed."""
    from tracetui.ui.app import make_app
    from tracetui.ui.screens.compare import CompareScreen

    store, problems = load(source)
    app = make_app(store, problems=problems, sources=[source.relative_to(ROOT).as_posix()], utc=True)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        for _ in range(600):
            screen = app.screen
            if isinstance(screen, CompareScreen) and screen.model.comparison is not None and not screen.computing:
                break
            await asyncio.sleep(0.05)
        await pilot.pause(0.3)
        path = HERE / "compare.svg"
        app.save_screenshot(path.name, str(HERE))
    return path


def main() -> None:
    source = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else default_source()
    for path in asyncio.run(shoot(source)):
        print(path.relative_to(ROOT))
    incident = ROOT / "sample_traces" / "incident.json"
    if incident.exists():
        print(asyncio.run(shoot_compare(incident)).relative_to(ROOT))


if __name__ == "__main__":
    main()
