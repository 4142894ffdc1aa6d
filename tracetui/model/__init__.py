"""The in-memory trace model: plain Python, no Textual."""

from tracetui.model.span import Event, Link, Resource, Scope, Span
from tracetui.model.store import TraceStore
from tracetui.model.trace import NO_PARENT, Trace

__all__ = ["Event", "Link", "NO_PARENT", "Resource", "Scope", "Span", "Trace", "TraceStore"]
