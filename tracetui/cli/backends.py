"""The command line's backend side: search options, and loading backend sources into a store.

Kept out of cli/commands.py so that file stays thin: `@search_options` adds the options and hands the
command one `search` argument (a `SearchRequest`); `load_backend_sources` does the I/O.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the loaders are imported by the commands that load (`--help` does not)
    from tracetui.loaders import Problem
    from tracetui.model import TraceStore

_OPTS = ("service", "operation", "tag", "min_duration", "max_duration", "since", "start", "end", "limit",
         "query", "follow")


@dataclass(frozen=True)
class SearchRequest:
    """The search options as typed; parsed (and checked) by `params()`."""

    service: str | None = None
    operation: str | None = None
    tag: tuple[str, ...] = ()
    min_duration: str | None = None
    max_duration: str | None = None
    since: str | None = None
    start: str | None = None
    end: str | None = None
    limit: int | None = None
    query: str | None = None
    follow: float | None = None

    def params(self):
        from tracetui.sources.backends.params import ParamError, build_params

        try:
            return build_params(service=self.service, operation=self.operation, tags=self.tag,
                                min_duration=self.min_duration, max_duration=self.max_duration,
                                since=self.since, start=self.start, end=self.end, limit=self.limit,
                                query=self.query)
        except ParamError as e:
            raise click.UsageError(str(e)) from None

    @property
    def given(self) -> bool:
        return any(getattr(self, k) not in (None, ()) for k in _OPTS)


def search_options(follow: bool = False) -> Callable:
    """Add the backend search options to a command; it receives them as `search: SearchRequest`."""

    def decorate(f: Callable) -> Callable:
        opts = [
            click.option("--service", metavar="NAME", help="Backend search: traces with spans of this service."),
            click.option("--operation", metavar="NAME", help="Backend search: span (operation) name."),
            click.option("--tag", multiple=True, metavar="KEY=VALUE", help="Backend search: attribute (repeatable)."),
            click.option("--min-duration", metavar="DUR", help="Backend search: at least this long (200ms, 1.5s)."),
            click.option("--max-duration", metavar="DUR", help="Backend search: at most this long."),
            click.option("--since", metavar="DUR", help="Backend search: the last DUR (default 1h)."),
            click.option("--start", metavar="TIME", help="Backend search: from this time (ISO 8601, UTC if no zone)."),
            click.option("--end", metavar="TIME", help="Backend search: until this time (default now)."),
            click.option("--limit", type=int, metavar="N", help="Backend search: at most N traces (default 20)."),
            click.option("--query", metavar="TRACEQL", help="Backend search (Tempo): a TraceQL query."),
        ]
        if follow:
            opts.append(click.option("--follow", type=float, is_flag=False, flag_value=10.0, default=None,
                                     metavar="[SECONDS]",
                                     help="Re-run the backend search every SECONDS (default 10); new traces on top."))

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            fields = {k: kwargs.pop(k) for k in _OPTS if k in kwargs}
            return f(*args, search=SearchRequest(**fields), **kwargs)

        for opt in reversed(opts):
            wrapper = opt(wrapper)
        return wrapper

    return decorate


def split_sources(sources: list[str]) -> tuple[list[str], list[str]]:
    """(backend sources, file sources)."""
    # Only import the backends package (it brings httpx: ~100 ms of `tracetui summary FILE`,
    # a fifth of it at 100k spans) when a source can be one: `x+http(s)://…` or `@name`.
    if not any("://" in s or s.startswith("@") for s in sources):
        return [], list(sources)
    from tracetui.sources.backends.config import is_backend_source

    backends = [s for s in sources if is_backend_source(s)]
    return backends, [s for s in sources if not is_backend_source(s)]


def fail(message: str) -> None:
    from tracetui.render.text import clean

    click.echo(f"tracetui: {clean(message)}", err=True)  # backend and config text: cleaned
    sys.exit(2)


def open_backends(sources: list[str]) -> list:
    if not sources:
        return []  # no backends package (httpx) for files only
    from tracetui.sources.backends import ConfigError, open_backend

    out = []
    for s in sources:
        try:
            out.append(open_backend(s))
        except ConfigError as e:
            fail(str(e))
    return out


def needs_a_service(backends: list, search: SearchRequest, trace_id: str | None) -> list:
    """The backends that cannot search as asked because the search names no service (Jaeger)."""
    if trace_id is not None or search.service or search.query:
        return []
    return [b for b in backends if b.needs_service]


def service_hint(backend) -> str:
    """`jaeger+http://…: a Jaeger search needs --service (services: a, b, c, …)`, one line."""
    from tracetui.sources.backends import BackendError

    try:
        services = backend.services()
    except BackendError as e:
        return str(e)
    from tracetui.render.text import clean

    # the backend's own names: shown cleaned (an OSC 52 "service" would write the clipboard)
    shown = ", ".join(clean(s, 60) for s in services[:8]) + (", …" if len(services) > 8 else "")
    return f"{backend.label}: a Jaeger search needs --service (services: {shown or 'none yet'})"


def load_backend_sources(backends: list, store: TraceStore, search: SearchRequest, trace_id: str | None,
                         progress: bool = False, skip: tuple = ()) -> list[Problem]:
    """Fetch `trace_id` from each backend, or run the search; one line and exit 2 on failure.
    Backends in `skip` are not searched (the TUI opens its search screen for them instead)."""
    if not backends:
        return []  # no backends package (httpx) for files only
    from tracetui.sources.backends import BackendError, TraceNotFound, load_search, load_trace

    params = search.params()
    problems: list[Problem] = []
    for b in backends:
        if b in skip:
            continue
        show = _progress_printer(b.label) if progress and sys.stderr.isatty() else None
        try:
            if trace_id is not None:
                try:
                    problems += load_trace(b, trace_id, store, progress=show)
                except TraceNotFound:
                    if len(backends) == 1:
                        raise
            else:
                _, found = load_search(b, params, store)
                problems += found
        except BackendError as e:
            fail(str(e))
        finally:
            if show is not None:
                click.echo("\r\033[K", err=True, nl=False)
    return problems


def _progress_printer(label: str) -> Callable[[int, int | None], None]:
    from tracetui.render.text import clean

    label = clean(label, 80)

    def show(done: int, total: int | None) -> None:
        of = f" of {total / 1e6:.1f} MB" if total else ""
        click.echo(f"\r{label}: {done / 1e6:.1f} MB{of}", err=True, nl=False)

    return show
