"""Zipkin spans reported in pieces become one span, as Zipkin itself merges them.

Brave and other Zipkin tracers report a span in fragments: annotations or tags added after
the span finished come as a second span with the same id and no timestamp, and a span flushed
early comes in parts. Zipkin (its `Trace.merge`, and the UI's `mergeV2ById`) puts them back
together; these are its rules, applied to the raw JSON objects before they become spans:

- Spans with the same id (and trace) are ordered: not-shared before shared, among not-shared
  the CLIENT first, then by local endpoint (none first, then service, IPv4, IPv6).
- Neighbours are merged when their `shared` flags agree and their local endpoints do not
  contradict each other (service, IPv4, IPv6 and port, each compared only where both have it).
  The first keeps its name, kind, parent, timestamp, duration and endpoint fields; the other
  fills what is missing; tags are combined (the later one wins a key); annotations are joined
  without duplicates, in time order.
- A SERVER span with the id of a CLIENT span but no `shared` flag is marked shared (some
  instrumentation forgets it), and a shared span without `parentId` takes its client's.
- The longest trace id seen for a span (128-bit over its 64-bit lower half) is kept.

Where Zipkin compares neighbours only, we merge a piece into the first span it fits (same
`shared` flag, endpoint not contradicted), which is what Zipkin's order means to do ("so that
their data can be attached to the first span with the same ID and endpoint"): a piece sorted
behind a span of another service joins its own. And a SERVER just marked shared then merges with
the shared pieces of its endpoint. Zipkin leaves both apart, as two spans of one id, service,
parent and times; the store would keep one of them as a repeat, and lose the other's tags.
(A piece is compared with the first 64 spans of its id and flag and the first 64 of its service:
past that, in inputs no tracer writes, it starts a span of its own, as in Zipkin.)

Two more rules of ours, as Zipkin's UI shows every span of one id in one row, timed by whichever
has times:
- a piece still without a timestamp joins a timed span of its id whose local endpoint it does
  not contradict (the same service first): Brave reports late data of a shared server span
  without the `shared` flag (as in Zipkin's own UI test data), which Zipkin's merge leaves apart;
- a half without a timestamp that fits no timed span (a server half that was only tagged, at a
  service of its own) takes the other half's timestamp and duration, so it is placed inside the
  call it served instead of being dropped.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

from tracetui.loaders.hexids import hex_id

_ENDPOINT_FIELDS = ("serviceName", "ipv4", "ipv6", "port")
_LOWER_HEX = frozenset("0123456789abcdef")
_NEAR = 64  # spans of one id a piece is compared with (see `_merged`)


def merge_fragments(spans: list[Any]) -> list[tuple[int, Any]] | None:
    """`(position, raw span)` with the pieces of each span merged into one, in the order of each
    span's first piece; None when no id repeats (nothing to merge: almost always)."""
    repeated = _repeated_canonical_ids(spans)
    if repeated is None:
        repeated = _repeated_ids(spans)
    if not repeated:
        return None
    out: list[tuple[int, Any] | None] = list(enumerate(spans))
    for positions in repeated.values():
        by_trace: dict[str, list[int]] = {}
        for i in positions:
            tid = hex_id(spans[i].get("traceId"))
            if tid:  # a 64-bit trace id is the lower half of the 128-bit one
                by_trace.setdefault(tid[-16:], []).append(i)
        for group in by_trace.values():
            if len(group) < 2:
                continue
            merged = _merge_one_id([spans[i] for i in group])
            for n, i in enumerate(group):
                out[i] = (i, merged[n]) if n < len(merged) else None
    return [x for x in out if x is not None]


def _repeated_canonical_ids(spans: list[Any]) -> dict[str, list[int]] | None:
    """The positions of each repeated id, when every span is an object with a 16-digit
    lower-case id (the common case, counted in C loops); else None."""
    try:
        ids = [sp.get("id") for sp in spans]
        if not (all(len(x) == 16 for x in ids) and _LOWER_HEX.issuperset("".join(ids))):
            return None
    except (AttributeError, TypeError):
        return None
    if len(set(ids)) == len(ids):
        return {}
    twice = {k for k, n in Counter(ids).items() if n > 1}
    repeated: dict[str, list[int]] = {}
    for i, x in enumerate(ids):
        if x in twice:
            repeated.setdefault(x, []).append(i)
    return repeated


def _repeated_ids(spans: list[Any]) -> dict[str, list[int]]:
    first: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    for i, sp in enumerate(spans):
        if type(sp) is not dict:
            continue
        sid = sp.get("id")
        if type(sid) is not str or len(sid) != 16 or not _LOWER_HEX.issuperset(sid):
            sid = hex_id(sid)  # short, upper-case or 0x ids: as the span will have it
            if not sid:
                continue
        j = first.setdefault(sid, i)
        if j != i:
            repeated.setdefault(sid, [j]).append(i)
    return repeated


def _shared(sp: dict) -> bool:
    return sp.get("shared") is True


def _order(sp: dict) -> tuple:
    shared = _shared(sp)
    client = not shared and str(sp.get("kind") or "").upper() == "CLIENT"
    ep = sp.get("localEndpoint")
    if not isinstance(ep, dict) or not ep:
        where: tuple = (0,)
    else:
        where = (1, *((ep.get(f) is None, str(ep.get(f) or "")) for f in ("serviceName", "ipv4", "ipv6")))
    return shared, not client, where


def _merge_one_id(pieces: list[dict]) -> list[dict]:
    pieces = sorted(pieces, key=_order)
    tid = max((str(p.get("traceId") or "") for p in pieces), key=lambda t: len(hex_id(t)))
    spans = _merged(pieces)
    marked = False
    for last, span in pairwise(spans):
        if (str(last.get("kind") or "").upper() == "CLIENT" and str(span.get("kind") or "").upper() == "SERVER"
                and not _shared(span)):
            span["shared"] = marked = True
        if _shared(span) and not span.get("parentId") and last.get("parentId"):
            span["parentId"] = last["parentId"]
    if marked:  # a server half just marked shared takes the shared pieces of its endpoint
        spans = _merged(sorted(spans, key=_order))
    for span in spans:
        span["traceId"] = tid
    spans = _join_leftovers(spans)
    _time_halves(spans)
    return spans


def _merged(pieces: list[dict]) -> list[dict]:
    """Each piece (in `_order`) joins the first span whose `shared` flag it has and whose local
    endpoint it does not contradict; else it starts a span. Zipkin's `Trace.merge` compares
    neighbours only, so a piece sorted after a span of another service stayed apart from its own
    (two spans of one id, service and times, of which the store kept one: tags were lost).
    Only the first `_NEAR` spans of the flag and of the piece's service are tried: one id
    repeated at 10k services must not cost 10k x 10k comparisons."""
    spans: list[dict] = []
    endpoints: list[_Endpoint] = []
    first: dict[bool, list[int]] = {False: [], True: []}
    of_service: dict[tuple, list[int]] = {}
    for piece in pieces:
        shared, ep = _shared(piece), piece.get("localEndpoint")
        service = _name(ep)
        near = first[shared]
        if service and (shared, service) in of_service:
            near = sorted({*near, *of_service[shared, service][:_NEAR]})
        for n in near:
            had = endpoints[n].fields.get("serviceName")
            if endpoints[n].accepts(ep):
                spans[n] = _merge(spans[n], piece)
                if service and not had:
                    of_service.setdefault((shared, service), []).append(n)
                break
        else:
            n = len(spans)
            spans.append(dict(piece))
            endpoints.append(_Endpoint.of(piece))
            if len(first[shared]) < _NEAR:
                first[shared].append(n)
            if service:
                of_service.setdefault((shared, service), []).append(n)
    return spans


def _join_leftovers(spans: list[dict]) -> list[dict]:
    """A piece still without a timestamp joins a timed span of its id whose endpoint it does
    not contradict (the same service first). Brave reports late data of a shared server span
    without the `shared` flag (Zipkin's own test data has such pieces), which Zipkin's merge
    leaves apart and its UI shows in the one row of that id."""
    timed = [s for s in spans if s.get("timestamp")]
    if len(timed) == len(spans) or not timed:
        return spans
    out = list(timed)
    endpoints = [_Endpoint.of(s) for s in out]
    first = list(range(min(len(out), _NEAR)))  # tried as in `_merged`: bounded
    of_service: dict[Any, list[int]] = {}
    for i, s in enumerate(out):
        if _name(s.get("localEndpoint")):
            of_service.setdefault(_name(s.get("localEndpoint")), []).append(i)
    for piece in spans:
        if piece.get("timestamp"):
            continue
        ep = piece.get("localEndpoint")
        service = _name(ep)
        near = sorted({*first, *of_service[service][:_NEAR]}) if service in of_service else first
        fits = [i for i in near if endpoints[i].fits(ep)]
        same = [i for i in fits if service and _service(out[i]) == service]
        target = (same or fits or [None])[0]
        if target is None:
            target = len(out)
            out.append(piece)
            endpoints.append(_Endpoint.of(piece))
            if len(first) < _NEAR:
                first.append(target)
        else:
            out[target] = _merge(out[target], piece)
            endpoints[target].accepts(ep)
        if service and target not in of_service.get(service, ()):
            of_service.setdefault(service, []).append(target)
    return out


def _name(ep: Any) -> str | None:
    """The service of a local endpoint, to index by: a string or nothing (a hostile file may
    put a list there, which the endpoint test still compares)."""
    name = ep.get("serviceName") if isinstance(ep, dict) else None
    return name if isinstance(name, str) and name else None


def _service(sp: dict) -> Any:
    ep = sp.get("localEndpoint")
    return ep.get("serviceName") if isinstance(ep, dict) else None


def _time_halves(spans: list[dict]) -> None:
    timed = next((s for s in spans if s.get("timestamp")), None)
    if timed is None:
        return
    for s in spans:
        if not s.get("timestamp") and _shared(s) != _shared(timed):
            s["timestamp"] = timed["timestamp"]
            if not s.get("duration") and timed.get("duration"):
                s["duration"] = timed["duration"]


def _merge(left: dict, right: dict) -> dict:
    """`left` with what `right` adds: missing fields filled, tags and annotations joined."""
    out = dict(left)
    for f in ("parentId", "kind", "timestamp", "duration"):
        if not out.get(f) and right.get(f):
            out[f] = right[f]
    if (not out.get("name") or out.get("name") == "unknown") and right.get("name"):
        out["name"] = right["name"]
    for f in ("localEndpoint", "remoteEndpoint"):
        a, b = out.get(f), right.get(f)
        if isinstance(b, dict) and b:
            out[f] = {**b, **{k: v for k, v in a.items() if v not in (None, "", 0)}} if isinstance(a, dict) else b
    tags_a, tags_b = out.get("tags"), right.get("tags")
    if isinstance(tags_b, dict) and tags_b:
        out["tags"] = {**tags_a, **tags_b} if isinstance(tags_a, dict) else tags_b
    ann_a, ann_b = out.get("annotations"), right.get("annotations")
    if isinstance(ann_b, list) and ann_b:
        if isinstance(ann_a, list) and ann_a:
            out["annotations"] = _joined(ann_a, ann_b)
        else:
            out["annotations"] = ann_b
    for f in ("shared", "debug"):
        if right.get(f) is True:
            out[f] = True
    return out


def _joined(a: list, b: list) -> list:
    seen: set = set()
    out = []
    for x in (*a, *b):
        mark = (x.get("timestamp"), x.get("value")) if isinstance(x, dict) else repr(x)
        if mark not in seen:
            seen.add(mark)
            out.append(x)

    def when(x: Any) -> tuple:
        if not isinstance(x, dict):
            return (1, 0, "")
        ts = x.get("timestamp")
        return (0, ts if isinstance(ts, (int, float)) else 0, str(x.get("value", "")))

    return sorted(out, key=when)


class _Endpoint:
    """The local endpoint of a span being merged: a piece joins unless it contradicts it."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}

    @classmethod
    def of(cls, sp: dict) -> _Endpoint:
        ep = cls()
        ep.accepts(sp.get("localEndpoint"))
        return ep

    def fits(self, ep: Any) -> bool:
        if not isinstance(ep, dict):
            return True
        for f in _ENDPOINT_FIELDS:
            mine, theirs = self.fields.get(f), ep.get(f)
            if mine and theirs and mine != theirs:
                return False
        return True

    def accepts(self, ep: Any) -> bool:
        if not self.fits(ep):
            return False
        if not isinstance(ep, dict):
            return True
        for f in _ENDPOINT_FIELDS:
            if not self.fields.get(f) and ep.get(f):
                self.fields[f] = ep[f]
        return True
