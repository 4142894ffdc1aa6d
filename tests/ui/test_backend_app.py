"""The real app (make_app) browsing a loopback backend: search, open, follow, failures."""

from backend_fixtures import until
from textual.widgets import Input, Select

from tracetui.model import TraceStore
from tracetui.sources.backends import build_params, load_search, load_trace, open_backend
from tracetui.ui.app import make_app
from tracetui.ui.screens.search import SearchScreen


def _app(server, follow=None, **params):
    backend = open_backend(server.url)
    store = TraceStore()
    p = build_params(**params)
    load_search(backend, p, store)
    return make_app(store, sources=[backend.label], backends=[backend], search=p, follow=follow)


def _rows(app) -> list[str]:
    return [s.trace_id for s in app.index.rows]


async def test_search_open_and_follow_in_the_real_app(serve):
    server = serve("tempo")
    app = _app(server, follow=0.3, service="service-one")
    async with app.run_test(size=(120, 35)) as pilot:
        first = _rows(app)
        assert first and "following every 0.3s" in app.status.live
        # the cursor sits on the second row; a new trace arrives and goes on top, marked
        table = app.screen.query_one("TraceTable")
        await pilot.press("down")
        selected = table.selected.trace_id
        assert selected == first[1]
        tid = server.add_trace(service="service-one")
        await until(pilot, lambda: tid in _rows(app))
        assert _rows(app)[0] == tid and tid in table.new_ids
        assert table.selected.trace_id == selected and table.cursor == 2  # the selection stays on its trace
        # a failing backend: one line in the status bar, the list stays
        server.fail("/api/search", 503, b"overloaded", times=100)
        await until(pilot, lambda: app.status.failure.startswith("refresh failed:"))
        assert tid in _rows(app)
        server.faults.clear()
        # a new search from the search screen replaces the list
        await pilot.press("S")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        svc = screen.query_one("#service", Select)
        await until(pilot, lambda: len(svc._options) > 3)
        svc.value = "service1"
        screen.query_one("#limit", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: _rows(app) and all(
            any(s.service == "service1" for s in app.store.get(t).spans) for t in _rows(app)))
        # Enter opens the trace
        await pilot.press("F")  # stop following so the list holds still
        await pilot.press("home", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "TraceViewScreen")


async def test_open_with_trace_id_shows_that_trace(serve):
    server = serve("tempo")
    held = next(iter(server.traces.values()))
    backend = open_backend(server.url)
    store = TraceStore()
    load_trace(backend, held.trace_id, store)
    app = make_app(store, sources=[backend.label], backends=[backend], search=build_params(),
                   open_trace_id=held.trace_id.upper())
    async with app.run_test(size=(120, 35)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "TraceViewScreen")
        assert app.screen.trace.trace_id == held.trace_id


async def test_a_token_never_reaches_the_screen(serve, tmp_path, monkeypatch):
    secret = "tok-SECRET-123456"
    server = serve("tempo")
    server.auth = f"Bearer {secret}"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[backends.prod]\nurl = "{server.url.replace("://", "://ops:pw-SECRET-9@")}"\n'
                   'token_env = "TEMPO_TOKEN"\nretries = 0\n')
    monkeypatch.setenv("TRACETUI_CONFIG", str(cfg))
    monkeypatch.setenv("TEMPO_TOKEN", secret)
    backend = open_backend("@prod")
    store = TraceStore()
    p = build_params(since="1h")
    load_search(backend, p, store)
    app = make_app(store, sources=[backend.label], backends=[backend], search=p, follow=0.2)
    async with app.run_test(size=(120, 35)) as pilot:
        # a proxy that echoes the request's credentials in its error page
        server.fail("/api/search", 502, f"bad gateway; request had Authorization: Bearer {secret}".encode(),
                    times=1000)
        await until(pilot, lambda: app.status.failure)
        await pilot.press("S")
        await pilot.pause()
        text = "\n".join(str(w.render()) for screen in app.screen_stack for w in screen.query("*"))
        assert "Search @prod" in text and "refresh failed" in text  # the rendered screens were read
        text += "\n" + app.status.failure + "\n" + app.status.live + "\n" + " ".join(app.sources)
        assert "Bearer ***" in app.status.failure
        assert "SECRET" not in text


async def test_new_traces_arriving_do_not_move_what_is_on_screen(serve):
    server = serve("tempo")
    app = _app(server, follow=0.2, limit=50)
    async with app.run_test(size=(120, 16)) as pilot:  # a short terminal: the list scrolls
        table = app.screen.query_one("TraceTable")
        for _ in range(15):
            await pilot.press("down")
        await pilot.pause()
        top = int(table.scroll_y)
        assert top > 0
        on_screen = _rows(app)[top:top + 5]
        selected = table.selected.trace_id
        tid = server.add_trace(service="frontend")
        await until(pilot, lambda: tid in _rows(app))
        await pilot.pause()
        top = int(table.scroll_y)
        assert _rows(app)[0] == tid  # the new trace is on top, above the window
        assert _rows(app)[top:top + 5] == on_screen and table.selected.trace_id == selected


async def test_a_bad_traceql_query_is_one_line_and_the_list_stays(serve):
    server = serve("tempo")
    app = _app(server, service="frontend")
    before = _rows(app)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("S")
        app.screen.query_one("#traceql", Input).value = "{ resource.service.name = "
        app.screen.query_one("#traceql", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.status.failure)
        assert app.status.failure.startswith(f"search failed: {server.url}: HTTP 400 on /api/search: ")
        assert "\n" not in app.status.failure and _rows(app) == before
        await pilot.press("S")  # the form comes back with the query to fix
        assert app.screen.query_one("#traceql", Input).value == "{ resource.service.name ="
