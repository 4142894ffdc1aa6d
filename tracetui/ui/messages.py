"""Every message the app's own widgets and feeders post, in one place.

Threading rule: the store is only changed on the app's thread. A feeder (tracetui/ui/feeders/:
the file loader's worker, a backend poller, the OTLP receiver) adds spans to the store on the
app's thread and then calls `app.spans_added`, which posts `SpansArrived`; a thread worker does
that through `App.call_from_thread`. See docs/architecture.md, "Feeders".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.message import Message

from tracetui.loaders.problems import Problem


class SpansArrived(Message):
    """Spans of these traces were added to the store (already added, on the app's thread).

    The trace list updates without moving the selection or the scroll; traces seen for the first
    time are marked new when `mark_new` (a live feed; the initial file load does not mark);
    an open trace view of one of these traces grows.
    """

    def __init__(self, trace_ids: Iterable[str], problems: Iterable[Problem] = (), *,
                 mark_new: bool = True) -> None:
        super().__init__()
        self.trace_ids = frozenset(trace_ids)
        self.problems = tuple(problems)
        self.mark_new = mark_new


class LoadProgress(Message):
    """Background loading advanced: `fraction` in 0..1 (None when unknown); `done` at the end.

    `then` (with `done`) is called on the app's thread once every trace of the load is in the list.
    """

    def __init__(self, fraction: float | None, done: bool = False, failure: str = "",
                 then: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.fraction = fraction
        self.done = done
        self.failure = failure
        self.then = then

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LoadProgress) and not message.done


class FilterIndexProgress(Message):
    """The filter index (model/filter_index.py) is being built: `fraction` done; `index` is the
    finished index at the end (built in `seconds`)."""

    def __init__(self, fraction: float, index: object | None = None, seconds: float = 0.0) -> None:
        super().__init__()
        self.fraction = fraction
        self.index = index
        self.seconds = seconds

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FilterIndexProgress) and message.index is None


class TraceHighlighted(Message):
    """The trace list's cursor moved to this trace."""

    def __init__(self, trace_id: str) -> None:
        super().__init__()
        self.trace_id = trace_id

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TraceHighlighted)


class OpenTrace(Message):
    """Open this trace in the trace view (optionally with this span selected)."""

    def __init__(self, trace_id: str, span_id: str = "") -> None:
        super().__init__()
        self.trace_id = trace_id
        self.span_id = span_id


class SortRequested(Message):
    """The user clicked a column header of the trace list."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class FollowLink(Message):
    """The user chose a link in the span detail pane."""

    def __init__(self, trace_id: str, span_id: str) -> None:
        super().__init__()
        self.trace_id = trace_id
        self.span_id = span_id


class ServiceVisibilityChanged(Message):
    """The service filter changed: services to hide and to dim in the waterfall."""

    def __init__(self, hidden: frozenset[str], dimmed: frozenset[str]) -> None:
        super().__init__()
        self.hidden = hidden
        self.dimmed = dimmed
