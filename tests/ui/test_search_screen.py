"""The backend search screen and live follow: the backend feeder in the real app, recording what
it tells the views, against a real loopback backend."""

import asyncio
import json

import pytest
from backend_fixtures import until
from backend_server import _parse_rfc3339
from textual.widgets import Input, Select, Static

from tracetui.model import TraceStore
from tracetui.sources.backends import build_params, load_search, open_backend
from tracetui.ui.app import TraceTuiApp
from tracetui.ui.feeders.backend import BackendFeeder
from tracetui.ui.screens.search import SearchScreen


class BrowsingApp(TraceTuiApp):
    """The app with one backend feeder; records every `spans_added` (trace ids, mark_new)."""

    def __init__(self, store: TraceStore, *, backends, search, follow=None, search_first=False) -> None:
        super().__init__(store, feeders=[BackendFeeder(backends, search, follow, search_first=search_first)])
        self.arrived: list[tuple[set, bool]] = []

    @property
    def backend(self) -> BackendFeeder:
        return self.feeder(BackendFeeder)

    def spans_added(self, trace_ids, problems=(), *, mark_new):
        self.arrived.append((set(trace_ids), mark_new))
        super().spans_added(trace_ids, problems, mark_new=mark_new)


def _app(server, follow=None, **params):
    backend = open_backend(server.url)
    store = TraceStore()
    p = build_params(**params)
    load_search(backend, p, store)
    return BrowsingApp(store, backends=[backend], search=p, follow=follow)


async def test_search_screen_picks_a_service_from_the_backend_and_runs_the_search(serve):
    server = serve("jaeger")
    app = _app(server, service="service1")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("S")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        service = screen.query_one("#service", Select)
        await until(pilot, lambda: len(service._options) > 3)  # the backend's list arrived
        service.value = "api-gateway"
        ops = screen.query_one("#operation", Select)
        await until(pilot, lambda: any(v == "GET /owners" for _, v in ops._options))
        ops.value = "GET /owners"
        screen.query_one("#min-duration", Input).value = "2ms"
        screen.query_one("#limit", Input).value = "3"
        screen.query_one("#limit", Input).focus()
        await pilot.press("enter")
        assert not isinstance(app.screen, SearchScreen)
        await until(pilot, lambda: app.backend.refreshes == 1)
        q = server.queries("/api/v3/traces")[-1]
        assert (q["query.service_name"], q["query.operation_name"], q["query.duration_min"],
                q["query.search_depth"]) == ("api-gateway", "GET /owners", "2ms", "3")
        held = [h for h in server.traces.values()
                if any(v[0] == "api-gateway" and v[1] == "GET /owners" and v[4] >= 2_000_000 for v in h.views)][:3]
        assert held and set(app.store.traces) == {h.trace_id for h in held}  # results replace the list
        ids, mark_new = app.arrived[-1]
        assert not mark_new and {h.trace_id for h in held} <= ids
        assert "api-gateway" in app.sub_title and "≥2ms" in app.sub_title


async def test_a_bad_duration_is_shown_in_the_form_and_nothing_runs(serve):
    server = serve("tempo")
    app = _app(server)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("S")
        screen = app.screen
        screen.query_one("#traceql", Input).value = '{ status = error }'  # Tempo has a TraceQL box
        screen.query_one("#min-duration", Input).focus()
        await pilot.press("f", "a", "s", "t", "enter")
        assert app.screen is screen
        assert "not a duration: 'fast'" in str(screen.query_one("#search-error", Static).render())
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchScreen) and app.backend.refreshes == 0


async def test_follow_adds_new_traces_marked_new_and_keeps_the_rest(serve):
    server = serve("jaeger")
    app = _app(server, follow=0.2, service="service-one")
    before = set(app.store.traces)
    async with app.run_test(size=(120, 35)) as pilot:
        assert "following every 0.2s" in app.sub_title
        await until(pilot, lambda: app.backend.refreshes >= 1)
        assert app.arrived == []  # nothing new yet: nothing added, the views are left alone
        tid = server.add_trace(service="service-one")  # a new trace arrives at the backend
        await until(pilot, lambda: tid in app.store.traces)
        ids, mark_new = app.arrived[-1]
        assert ids == {tid} and mark_new
        assert before <= set(app.store.traces)
        assert sum(len(t.spans) for t in app.store) == app.store.span_count  # nothing added twice
        n = app.store.span_count
        await until(pilot, lambda: app.backend.refreshes >= 4)
        assert app.store.span_count == n  # later rounds do not add the same trace again
        q = server.queries("/api/v3/traces")[-1]
        window = _parse_rfc3339(q["query.start_time_max"]) - _parse_rfc3339(q["query.start_time_min"])
        assert window <= 62 * 10**9  # follow rounds ask only for the recent past, not the whole hour
        await pilot.press("F")  # stop
        assert app.backend.follow_seconds is None and "following" not in app.sub_title


async def test_a_failed_refresh_shows_one_line_and_keeps_the_list(serve):
    server = serve("tempo")
    app = _app(server, follow=0.2)
    before = dict(app.store.traces)
    assert before
    async with app.run_test(size=(120, 35)) as pilot:
        server.fail("/api/search", 503, b"querier overloaded", times=100)
        await until(pilot, lambda: app.status.failure)
        assert app.status.failure == (f"refresh failed: {server.url}: server error 503 on /api/search: "
                                         "querier overloaded (after 3 attempts)")
        assert app.store.traces == before
        server.faults.clear()
        await until(pilot, lambda: app.status.failure == "", timeout=10)  # recovers by itself
        assert app.store.traces == before


async def test_opening_a_trace_fetches_it_again_and_adds_late_spans(serve):
    server = serve("jaeger")
    app = _app(server, service="service1")
    tid = next(t for t in app.store.traces)
    held = server.traces[tid]
    late = held.spans[-1]
    import msgspec
    extra = msgspec.structs.replace(late, span_id="feedfacefeedface", name="late span")
    held.spans = [*held.spans, extra]
    async with app.run_test(size=(120, 35)) as pilot:
        app.open_trace(tid)
        await until(pilot, lambda: any(s.name == "late span" for s in app.store.get(tid).spans))
        assert len(app.store.get(tid).spans) == len(held.spans)
        assert app.arrived[-1] == ({tid}, False)


@pytest.mark.parametrize("kind", ["jaeger", "tempo", "zipkin"])
async def test_the_search_form_starts_from_the_current_search(serve, kind):
    server = serve(kind)
    app = BrowsingApp(TraceStore(), backends=[open_backend(server.url)],
                  search=build_params(service="svc", tags=("http.method=GET", "note=two words"),
                                      min_duration="200ms", since="30m", limit=7))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("S")
        screen = app.screen
        await asyncio.sleep(0)
        assert screen.query_one("#tags", Input).value == "http.method=GET 'note=two words'"
        assert screen.query_one("#range", Select).value == "30m"  # not a preset: kept, not rounded
        assert screen.query_one("#min-duration", Input).value == "200ms"
        assert screen.read_params() == app.backend.search_params.with_(service=screen.read_params().service)
        assert bool(screen.query("#traceql")) == (kind == "tempo")


def test_follow_rounds_search_only_the_recent_past():
    from tracetui.ui.feeders.backend import round_params

    p = build_params(since="6h")
    now = __import__("time").time_ns()
    assert round_params(p, 0, 10) == p  # no good round yet: the whole window
    narrowed = round_params(p, now - 5 * 10**9, 10)
    assert 64 * 10**9 <= narrowed.since_ns <= 70 * 10**9  # 5 s since the last round + 60 s overlap
    assert round_params(build_params(since="30s"), now - 5 * 10**9, 10).since_ns == 30 * 10**9
    absolute = build_params(start="2026-11-25T00:00:00Z", end="2026-11-25T01:00:00Z")
    assert round_params(absolute, now, 10) == absolute


async def test_jaeger_without_a_service_starts_on_the_search_screen_then_follows(serve):
    server = serve("jaeger")
    app = BrowsingApp(TraceStore(), backends=[open_backend(server.url)], search=build_params(), follow=0.2,
                      search_first=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen.query("#service"))
        assert app.backend._follow_timer is None  # following waits for a search that can run
        screen = app.screen
        service = screen.query_one("#service", Select)
        await until(pilot, lambda: len(service._options) > 3)
        service.value = "checkout"
        screen.query_one("#limit", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.backend.refreshes >= 2)  # the search, then follow rounds
        assert app.store.traces and all(any(s.service == "checkout" for s in t.spans) for t in app.store)


async def test_a_jaeger_search_without_a_service_is_refused_in_the_form(serve):
    server = serve("jaeger")
    app = BrowsingApp(TraceStore(), backends=[open_backend(server.url)], search=build_params())
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("S")
        screen = app.screen
        await until(pilot, lambda: len(screen.query_one("#service", Select)._options) > 3)
        screen.query_one("#limit", Input).focus()
        await pilot.press("enter")
        assert app.screen is screen and app.backend.refreshes == 0
        assert "a Jaeger search needs one" in str(screen.query_one("#search-error", Static).render())
        assert screen.query_one("#service", Select).has_focus


async def test_an_answer_to_an_older_search_is_dropped(serve):
    server = serve("jaeger")
    app = _app(server, service="service1")
    async with app.run_test(size=(120, 35)) as pilot:
        server.fail("/api/v3/traces", 200, b"", delay=1.0)  # the first search answers late (and empty)
        app.backend.run_search(replace=True)
        await pilot.pause(0.2)
        app.backend.search_params = build_params(service="service-one")
        app.backend.run_search(replace=True)  # a second search, answered at once
        await until(pilot, lambda: app.backend.refreshes == 1)
        await pilot.pause(1.5)  # the late answer arrives and must not replace the newer results
        assert app.backend.refreshes == 1
        assert app.store.traces and all(any(s.service == "service-one" for s in t.spans) for t in app.store)


async def test_service_names_from_the_backend_are_shown_cleaned(serve):
    server = serve("jaeger")
    hostile = "\x1b]52;c;cm0gLXJmIH4=\x07clip\u200bboard\x9b2J"
    server.fail("/api/v3/services", 200, json.dumps({"services": [hostile, "ok"]}), times=9)
    app = _app(server, service="service1")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("S")
        service = app.screen.query_one("#service", Select)
        await until(pilot, lambda: any(v == hostile for _, v in service._options))
        label = next(str(p) for p, v in service._options if v == hostile)
        assert "clip" in label and not any(c in label for c in "\x1b\x07\u200b\x9b"), ascii(label)
