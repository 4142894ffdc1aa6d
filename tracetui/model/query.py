"""The small filter language of the trace list filter box and of search in a trace.

    checkout error duration>200ms http.status_code>=500 -service=redis name~="GET /api"

Terms are AND-ed and separated by spaces; quotes ("…" or '…') hold spaces, and a fully quoted
token is always a plain word (`"error"` searches for the text). Terms:

  word            case-insensitive substring of service, span name or span id (and trace id)
  key=value       attribute equals, as text, case-insensitive (span attributes, then resource
                  attributes); built-in keys: service, name, kind, status, span_id, trace_id,
                  parent_id, scope
  key!=value      not equal;  key~=text  contains (case-insensitive)
  key>n key<=n    numeric comparison of an attribute
  error           status ERROR
  duration>200ms  also >=, <, <=; units ns us µs ms s m (no unit: ms); in a trace search the
                  trace's own duration, in a span search the span's
  -term           negation

Attributes stay undecoded until a term needs them, and a span whose raw attributes do not even
contain the key's text is rejected without decoding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress
from operator import not_
from typing import Any

from tracetui.model.span import KIND_NAMES, STATUS_ERROR, STATUS_NAMES, Span
from tracetui.model.trace import Trace


class QueryError(ValueError):
    """A query that cannot be understood; the message is one line, fit for a status bar."""


_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zµμ]*)\s*$", re.IGNORECASE)
_KEYED = re.compile(r"^([^\s=<>!~\"']+?)(~=|!=|>=|<=|=|>|<)(.*)$", re.DOTALL)
_BUILTIN = {"service", "name", "kind", "status", "span_id", "trace_id", "parent_id", "scope"}


def parse_duration(text: str) -> int:
    """`200ms`, `1.5s`, `250us`, `3m`, `42` (ms) → nanoseconds."""
    m = _DURATION.match(text)
    if not m:
        raise QueryError(f"not a duration: {text!r} (try 200ms, 1.5s, 250us)")
    unit = m.group(2).lower() or "ms"
    scale = _UNITS.get(unit)
    if scale is None:
        raise QueryError(f"unknown unit {m.group(2)!r} in {text!r} (ns, us, ms, s, m)")
    return round(float(m.group(1)) * scale)


@dataclass(slots=True)
class Term:
    """One condition. `test(span)` is the positive condition; `negated` flips it."""

    text: str
    negated: bool
    test: Callable[[Span], bool]
    cost: int = 0  # cheap terms are tried first
    duration: tuple[str, int] | None = None  # (op, ns) for duration terms: trace-level
    word: str | None = None  # lower-cased plain word: may also match the trace id


@dataclass(slots=True)
class Query:
    text: str = ""
    terms: list[Term] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def match_span(self, span: Span) -> bool:
        return all(t.test(span) != t.negated for t in self.terms)

    def match_trace(self, trace: Trace) -> bool:
        """Trace-level terms on the trace; the other positive terms all on one span; a negated
        span term means no span matches it."""
        if not self.terms:
            return True
        on_span: list[Term] = []
        none_may: list[Term] = []
        tid = trace.trace_id.lower()
        for t in self.terms:
            if t.duration is not None:
                if _compare(t.duration[0], trace.duration_ns, t.duration[1]) == t.negated:
                    return False
                continue
            if t.word is not None and t.word in tid:
                if t.negated:
                    return False
                continue
            (none_may if t.negated else on_span).append(t)
        spans = trace.spans
        if on_span:
            tests = [t.test for t in on_span]
            if len(tests) == 1:
                test = tests[0]
                if not any(map(test, spans)):
                    return False
            elif not any(all(f(s) for f in tests) for s in spans):
                return False
        return all(not any(map(t.test, spans)) for t in none_may)

    def matching_positions(self, trace: Trace) -> list[int]:
        """Positions of the spans of a trace that match, in position order."""
        spans = trace.spans
        candidates = range(len(spans))
        for t in self.terms:  # cheapest first, each over the survivors of the previous ones
            verdicts = map(t.test, map(spans.__getitem__, candidates))
            if t.negated:
                verdicts = map(not_, verdicts)
            candidates = list(compress(candidates, verdicts))
        return list(candidates)


def _compare(op: str, a: float, b: float) -> bool:
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    return a == b


# -- tokens ------------------------------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    """Split on whitespace outside quotes; quotes are kept (removed per term)."""
    out: list[str] = []
    cur: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            cur.append(ch)
        elif ch.isspace():
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if quote:
        raise QueryError(f"unclosed quote {quote} in the query")
    if cur:
        out.append("".join(cur))
    return out


def _unquote(s: str) -> str:
    out: list[str] = []
    quote = ""
    for ch in s:
        if quote:
            if ch == quote:
                quote = ""
            else:
                out.append(ch)
        elif ch in "\"'":
            quote = ch
        else:
            out.append(ch)
    return "".join(out)


def _fully_quoted(s: str) -> bool:
    return len(s) >= 2 and s[0] in "\"'" and s.find(s[0], 1) == len(s) - 1


# -- terms -------------------------------------------------------------------------------------
def parse_query(text: str) -> Query:
    """Parse a filter; raises `QueryError` with a one-line message."""
    lowered_cache: dict[str, str] = {}
    terms = [_term(tok, lowered_cache) for tok in _tokens(text)]
    terms.sort(key=lambda t: t.cost)
    return Query(text=text, terms=terms)


def _lower(cache: dict[str, str]) -> Callable[[str], str]:
    def lower(s: str) -> str:
        v = cache.get(s)
        if v is None:
            if len(cache) > 100_000:
                cache.clear()
            v = cache[s] = s.lower()
        return v

    return lower


def _term(tok: str, cache: dict[str, str]) -> Term:
    negated = tok.startswith("-") and len(tok) > 1
    body = tok[1:] if negated else tok
    if _fully_quoted(body):
        return _word_term(tok, negated, _unquote(body), cache)
    if body.lower() == "error":
        return Term(tok, negated, lambda s: s.status == STATUS_ERROR)
    m = _KEYED.match(body)
    if m is None:
        return _word_term(tok, negated, _unquote(body), cache)
    key, op, raw_value = m.group(1), m.group(2), m.group(3)
    value = _unquote(raw_value)
    if not value:
        raise QueryError(f"missing value after {key}{op}")
    if key.lower() == "duration":
        if op in ("~=", "!="):
            raise QueryError(f"duration takes >, >=, <, <= or = (got {op})")
        ns = parse_duration(value)
        return Term(tok, negated, lambda s: _compare(op, s.end_ns - s.start_ns, ns), duration=(op, ns))
    if op == "!=":
        op, negated = "=", not negated
    return Term(tok, negated, _keyed_test(key, op, value, cache), cost=1 if key in _BUILTIN else 5)


def _word_term(tok: str, negated: bool, word: str, cache: dict[str, str]) -> Term:
    w = word.lower()
    if not w:
        raise QueryError("empty word in the query")
    lower = _lower(cache)

    def test(s: Span) -> bool:
        return w in lower(s.name) or w in lower(s.resource.service) or w in s.span_id

    return Term(tok, negated, test, cost=1, word=w)


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _as_number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


def _value_test(op: str, value: str) -> Callable[[Any], bool]:
    want = value.lower()
    if op == "=":
        want_num = _as_number(value)

        def eq(v: Any) -> bool:
            if _as_text(v).lower() == want:
                return True
            if want_num is not None and isinstance(v, int | float) and not isinstance(v, bool):
                return float(v) == want_num
            return False

        return eq
    if op == "~=":
        return lambda v: want in _as_text(v).lower()
    num = _as_number(value)
    if num is None:
        raise QueryError(f"{op} needs a number (got {value!r})")

    def cmp(v: Any) -> bool:
        x = _as_number(v)
        return x is not None and _compare(op, x, num)

    return cmp


def _keyed_test(key: str, op: str, value: str, cache: dict[str, str]) -> Callable[[Span], bool]:
    check = _value_test(op, value)
    builtin: Callable[[Span], Any] | None = {
        "service": lambda s: s.resource.service,
        "name": lambda s: s.name,
        "kind": lambda s: KIND_NAMES[s.kind] if 0 <= s.kind < len(KIND_NAMES) else str(s.kind),
        "status": lambda s: STATUS_NAMES[s.status] if 0 <= s.status < len(STATUS_NAMES) else str(s.status),
        "span_id": lambda s: s.span_id,
        "trace_id": lambda s: s.trace_id,
        "parent_id": lambda s: s.parent_id,
        "scope": lambda s: s.scope.name,
    }.get(key)
    if builtin is not None:
        return lambda s: check(builtin(s))

    # The key as it appears in OTLP JSON: a raw attribute list without it cannot match.
    needle = f'"{key}"'.encode() if key.isascii() and "\\" not in key else None

    def test(s: Span) -> bool:
        raw = s.raw_attributes
        if raw is not None:
            if isinstance(raw, dict):
                if key in raw and check(raw[key]):
                    return True
            elif needle is None or needle in bytes(raw):
                attrs = s.attributes
                if key in attrs and check(attrs[key]):
                    return True
        res = s.resource.attributes
        return key in res and check(res[key])

    return test
