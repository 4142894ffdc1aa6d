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
  duration>200ms  also >=, <, <=; units ns us µs ms s m h d, chained as 1h30m (no unit: ms;
                  the grammar of `tracetui.model.durations`); on the trace list the trace's own
                  duration, in a search in a trace the span's
  -term           negation
  {term term …}   a span group: its terms hold on one span together, and `duration` in it is
                  that span's: `{name~="SELECT shop.orders" duration>50ms}` lists the traces
                  where that query took more than 50 ms. Each group may match another span;
                  `-{…}` means no span matches the whole group. Groups do not nest; `{` opens
                  one at the start of a word, `}` closes it at the end of one.
  log~=text       a log record of the trace (in a trace search: of the span) contains the text;
                  log=text equals it (case-insensitive); see model/log_query.py; in a span
                  group, a record of that span
  severity>=warn  a log record at least this severe (trace debug info warn error fatal, or 1-24);
                  severity=error the range of a word (17-20)

Outside groups, on the trace list: `duration`, log terms and a word that is in the trace id are
about the trace; the other positive terms must all hold on one span; a negated term on no span.

Attributes stay undecoded until a term needs them, and a span whose raw attributes do not even
contain the key's text (nor the value's, or for `=` a number's digits: 503.0 holds on 503) is
rejected without decoding, unless the JSON escapes something or holds a double, an array or a map
(whose text may differ from the JSON's). Not covered: an intValue written with underscores
("5_03") or in exponent form is found once the span is decoded, not by this shortcut. On the
trace list, a big load is answered from an index instead (model/filter_index.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import attrgetter, contains, eq, ge, gt, le, lt, not_, or_, sub
from typing import Any

from tracetui.model import durations
from tracetui.model.log import LogRecord
from tracetui.model.log_query import LOG_KEYS, LogQueryError, log_test
from tracetui.model.packed import keys as packed_keys
from tracetui.model.packed import unpack
from tracetui.model.span import KIND_NAMES, STATUS_ERROR, STATUS_NAMES, Span
from tracetui.model.trace import Trace


class QueryError(ValueError):
    """A query that cannot be understood; the message is one line, fit for a status bar."""


_KEYED = re.compile(r"^([^\s=<>!~\"']+?)(~=|!=|>=|<=|=|>|<)(.*)$", re.DOTALL)


def parse_duration(text: str) -> int:
    """`200ms`, `1.5s`, `1h`, `250us`, `42` (ms) → nanoseconds (`tracetui.model.durations`)."""
    try:
        return durations.parse_duration(text)
    except durations.DurationError as e:
        raise QueryError(str(e)) from None


@dataclass(slots=True)
class Term:
    """One condition. `test(span)` is the positive condition; `negated` flips it.

    `mask(spans)` gives `test` for many spans at once; terms on span fields build it from
    C-level pieces (`map`, `attrgetter`, memo dicts), so filtering a million spans stays fast.
    """

    text: str
    negated: bool
    test: Callable[[Span], bool]
    cost: int = 0  # cheap terms are tried first
    mask: Callable[[list[Span]], Iterable[bool]] | None = None
    duration: tuple[str, int] | None = None  # (op, ns) for duration terms: trace-level
    word: str | None = None  # lower-cased plain word: may also match the trace id
    log_test: Callable[[LogRecord], bool] | None = None  # a term on log records (log~=, severity>=)
    # What the term reads, for the filter index (model/filter_index.py): ("error",),
    # ("field", key, check, op, value), ("attr", key, op, value, check), ("log", key, op, value); None for
    # words (see `word`) and durations (see `duration`).
    spec: tuple | None = None

    def verdicts(self, spans: list[Span]) -> Iterable[bool]:
        """Whether each span satisfies the term (negation applied)."""
        out = self.mask(spans) if self.mask is not None else map(self.test, spans)
        return map(not_, out) if self.negated else out

    def log_verdicts(self, spans: list[Span], trace: Trace) -> Iterable[bool]:
        """For a log term: whether each span has a record that satisfies it (negation applied)."""
        test = self.log_test
        said = {r.span_id for r in trace.logs if test(r)} if test is not None else set()
        return (s.span_id not in said if self.negated else s.span_id in said for s in spans)


@dataclass(slots=True)
class SpanGroup:
    """`{…}`: terms that must hold on one span together (`duration` is the span's); `-{…}`: on
    no span."""

    text: str
    negated: bool
    terms: list[Term]

    def holds(self, span: Span) -> bool:
        """Whether every term of the group holds on `span` (the group's own negation aside)."""
        return all(t.test(span) != t.negated for t in self.terms)

    def spans_holding(self, spans: list[Span], trace: Trace) -> list[Span]:
        """The spans of `trace` on which every term of the group holds, narrowed term by term
        (a log term: a record of that span)."""
        candidates = spans
        for t in self.terms:
            verdicts = t.log_verdicts(candidates, trace) if t.log_test is not None else t.verdicts(candidates)
            candidates = list(compress(candidates, verdicts))
            if not candidates:
                break
        return candidates


@dataclass(slots=True)
class Query:
    text: str = ""
    terms: list[Term] = field(default_factory=list)
    groups: list[SpanGroup] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.groups

    def match_span(self, span: Span) -> bool:
        return (all(t.test(span) != t.negated for t in self.terms)
                and all(g.holds(span) != g.negated for g in self.groups))

    def match_trace(self, trace: Trace) -> bool:
        """Trace-level terms on the trace; the other positive terms all on one span; a negated
        span term means no span matches it; each group on one span (a negated one on none)."""
        if self.groups:
            spans = trace.spans
            for g in self.groups:
                if bool(g.spans_holding(spans, trace)) == g.negated:
                    return False
        if not self.terms:
            return True
        on_span: list[Term] = []
        none_may: list[Term] = []
        tid = trace.trace_id.lower()
        for t in self.terms:
            if t.log_test is not None:  # some record of the trace (negated: none)
                if any(map(t.log_test, trace.logs)) == t.negated:
                    return False
                continue
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
        candidates = spans
        for t in on_span:  # narrow down to the spans that satisfy every term so far
            candidates = list(compress(candidates, t.verdicts(candidates)))
            if not candidates:
                return False
        # A negated span term (verdicts already negated) must hold on every span.
        return all(all(t.verdicts(spans)) for t in none_may)

    def matching_positions(self, trace: Trace) -> list[int]:
        """Positions of the spans of a trace that match, in position order."""
        spans = trace.spans
        positions: list[int] = list(range(len(spans)))
        for t in self.terms:  # cheapest first, each over the survivors of the previous ones
            subset = spans if len(positions) == len(spans) else list(map(spans.__getitem__, positions))
            verdicts = t.log_verdicts(subset, trace) if t.log_test is not None else t.verdicts(subset)
            positions = list(compress(positions, verdicts))
            if not positions:
                return positions
        for g in self.groups:
            subset = list(map(spans.__getitem__, positions))
            held = {id(s) for s in g.spans_holding(subset, trace)}
            positions = [p for p, s in zip(positions, subset, strict=True) if (id(s) in held) != g.negated]
            if not positions:
                break
        return positions


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
    terms: list[Term] = []
    groups: list[SpanGroup] = []
    group: list[Term] | None = None  # the terms of the open group
    opened: list[str] = []  # the group's tokens, for its text
    negated = False
    for tok in _tokens(text):
        body = tok
        if group is None:
            if body.startswith("-{"):
                negated, body = True, body[2:]
            elif body.startswith("{"):
                negated, body = False, body[1:]
            elif body == "}":
                raise QueryError("} without a { before it")
            else:
                terms.append(_term(tok))
                continue
            group, opened = [], []
        elif body.startswith(("{", "-{")):
            raise QueryError("span groups {…} do not nest")
        opened.append(tok)
        closes = body.endswith("}")
        if closes:
            body = body[:-1]
        if body:
            group.append(_term(body))
        if closes:
            if not group:
                raise QueryError("empty span group {}")
            group.sort(key=lambda t: t.cost)
            groups.append(SpanGroup(" ".join(opened), negated, group))
            group = None
    if group is not None:
        raise QueryError("unclosed { in the query (a span group ends with })")
    terms.sort(key=lambda t: t.cost)
    return Query(text=text, terms=terms, groups=groups)


class _Memo(dict):
    """`memo[value]`: `fn(value)` computed once per distinct value (service names, span names
    and enums repeat across a million spans). Bounded: cleared when it grows past 200k."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], bool]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> bool:
        if len(self) > 200_000:
            self.clear()
        v = self[key] = bool(self.fn(key))
        return v


_name = attrgetter("name")
_service = attrgetter("resource.service")
_span_id = attrgetter("span_id")
_status = attrgetter("status")
_start = attrgetter("start_ns")
_end = attrgetter("end_ns")
_OPS = {">": gt, ">=": ge, "<": lt, "<=": le, "=": eq}


def _field_term(tok: str, negated: bool, get: Callable[[Span], Any], check: Callable[[Any], bool],
                **kw: Any) -> Term:
    """A term on one span field, through a memo of verdicts per distinct field value."""
    memo = _Memo(check)
    lookup = memo.__getitem__
    return Term(tok, negated, lambda s: lookup(get(s)), mask=lambda spans: map(lookup, map(get, spans)), **kw)


def _term(tok: str) -> Term:
    negated = tok.startswith("-") and len(tok) > 1
    body = tok[1:] if negated else tok
    if _fully_quoted(body):
        return _word_term(tok, negated, _unquote(body))
    if body.lower() == "error":
        return Term(tok, negated, lambda s: s.status == STATUS_ERROR, spec=("error",),
                    mask=lambda spans: map(eq, map(_status, spans), repeat(STATUS_ERROR)))
    m = _KEYED.match(body)
    if m is None:
        return _word_term(tok, negated, _unquote(body))
    key, op, raw_value = m.group(1), m.group(2), m.group(3)
    value = _unquote(raw_value)
    if not value:
        raise QueryError(f"missing value after {key}{op}")
    if key.lower() == "duration":
        if op in ("~=", "!="):
            raise QueryError(f"duration takes >, >=, <, <= or = (got {op})")
        ns = parse_duration(value)
        cmp = _OPS[op]
        return Term(tok, negated, lambda s: cmp(s.end_ns - s.start_ns, ns), duration=(op, ns),
                    mask=lambda spans: map(cmp, map(sub, map(_end, spans), map(_start, spans)), repeat(ns)))
    if op == "!=":
        op, negated = "=", not negated
    if key.lower() in LOG_KEYS:
        return _log_term(tok, negated, key.lower(), op, value)
    check = _value_test(op, value)
    builtin = _BUILTIN_FIELDS.get(key)
    if builtin is not None:
        get, show = builtin
        shown = (lambda v: check(show(v))) if show else check
        return _field_term(tok, negated, get, shown, cost=1, spec=("field", key, shown, op, value))
    return Term(tok, negated, _attribute_test(key, op, value, check), cost=5, spec=("attr", key, op, value, check))


def _log_term(tok: str, negated: bool, key: str, op: str, value: str) -> Term:
    try:
        test = log_test(key, op, value)
    except LogQueryError as e:
        raise QueryError(str(e)) from None
    return Term(tok, negated, lambda s: False, cost=3, log_test=test, spec=("log", key, op, value))


def _word_term(tok: str, negated: bool, word: str) -> Term:
    w = word.lower()
    if not w:
        raise QueryError("empty word in the query")
    names = _Memo(lambda v: w in v.lower())
    services = _Memo(lambda v: w in v.lower())
    in_name, in_service = names.__getitem__, services.__getitem__

    def test(s: Span) -> bool:
        return in_name(s.name) or in_service(s.resource.service) or w in s.span_id

    def mask(spans: list[Span]) -> Iterable[bool]:
        return map(or_, map(or_, map(in_name, map(_name, spans)), map(in_service, map(_service, spans))),
                   map(contains, map(_span_id, spans), repeat(w)))

    return Term(tok, negated, test, cost=1, word=w, mask=mask)


def _enum_name(names: tuple[str, ...]) -> Callable[[int], str]:
    return lambda v: names[v] if 0 <= v < len(names) else str(v)


# Built-in keys: how to read the field, and how to show it (None: as is).
_BUILTIN_FIELDS: dict[str, tuple[Callable[[Span], Any], Callable[[Any], Any] | None]] = {
    "service": (_service, None),
    "name": (_name, None),
    "kind": (attrgetter("kind"), _enum_name(KIND_NAMES)),
    "status": (_status, _enum_name(STATUS_NAMES)),
    "span_id": (_span_id, None),
    "trace_id": (attrgetter("trace_id"), None),
    "parent_id": (attrgetter("parent_id"), None),
    "scope": (attrgetter("scope.name"), None),
}


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


def _json_safe(text: str) -> bool:
    """Whether `text` appears verbatim inside JSON (no escaping can change it)."""
    return text.isascii() and '"' not in text and "\\" not in text and text.isprintable()


# Where undecoded JSON may hold a value whose text, as the filter compares it, is not in the JSON
# as such: escapes, arrays and maps (shown as lists), and for a text a number could show as,
# doubles (503 reads as 503.0). Spans holding any of these are decoded.
_UNSURE_TEXT = (b"\\", b"array", b"kvlist")
_UNSURE_NUMBER = (*_UNSURE_TEXT, b"double")
_NUMBER_CHARS = frozenset("0123456789.+-eEinfaINFA")  # what str() of an int or a float is made of


def _raw_search(texts: list[str], unsure: tuple[bytes, ...], fold: bool = False,
                quoted: bool = False) -> Callable[[bytes], bool] | None:
    """Whether undecoded JSON (as bytes) holds any of `texts` (ASCII case-folded with `fold`; in
    double quotes with `quoted`) or of `unsure`; None when a text may be escaped. (`in` on bytes:
    a compiled `re` searching the `msgspec.Raw` in place measured slower, ~1.5 us a call.)"""
    if not texts or not all(map(_json_safe, texts)):
        return None
    q = b'"' if quoted else b""
    needles = tuple(q + t.encode() + q for t in texts)
    fold = fold and any(n.upper() != n for n in needles)

    def found(data: bytes) -> bool:
        hay = data.lower() if fold else data
        for n in needles:
            if n in hay:
                return True
        return any(u in data for u in unsure)

    return found


def _attribute_test(key: str, op: str, value: str, check: Callable[[Any], bool]) -> Callable[[Span], bool]:
    # Undecoded OTLP JSON attributes are searched as bytes first: without the key's text (and,
    # for = and ~=, the value's text, ASCII case-folded, or for `=` a number's digits: 503.0
    # holds on 503) the span cannot match and is not decoded (see _UNSURE for the exceptions).
    key_search = _raw_search([key], (b"\\",), quoted=True)
    value_search = None
    if op in ("=", "~="):
        want = value.lower()
        texts = [want]
        num = _as_number(value)
        if op == "=" and num is not None and math.isfinite(num) and num.is_integer():
            texts.append(str(int(num)))
        number_like = set(want) <= _NUMBER_CHARS or (op == "=" and num is not None)
        value_search = _raw_search(texts, _UNSURE_NUMBER if number_like else _UNSURE_TEXT, fold=True)
    res_memo: dict[int, tuple[Any, bool]] = {}  # resources are shared: decide each once

    def on_resource(s: Span) -> bool:
        res = s.resource
        hit = res_memo.get(id(res))
        if hit is None or hit[0] is not res:
            attrs = res.attributes
            hit = res_memo[id(res)] = (res, key in attrs and check(attrs[key]))
        return hit[1]

    def test(s: Span) -> bool:
        raw = s.raw_attributes
        if raw is not None:
            if isinstance(raw, dict):
                if key in raw and check(raw[key]):
                    return True
            elif raw.__class__ is bytes:  # packed (live mode): its keys are known without decoding
                if key in packed_keys(raw) and check(unpack(raw)[key]):
                    return True
            else:
                data = bytes(raw)
                if (key_search is not None and not key_search(data)) or (
                        value_search is not None and not value_search(data)):
                    return on_resource(s)
                attrs = s.attributes
                if key in attrs and check(attrs[key]):
                    return True
        return on_resource(s)

    return test


# -- writing queries ---------------------------------------------------------------------------
_PLAIN_VALUE = re.compile(r"^[^\s\"'{}=<>!~]+$")


def quote_value(value: str) -> str:
    """`value` as the query language reads it back as one value: bare when it can be, else in
    double quotes, else in single quotes (a value holding both kinds is written with the longest
    part between them: then `~=` is the term to use, see `span_group_query`)."""
    if _PLAIN_VALUE.match(value) and not value.startswith("-"):
        return value
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return f'"{max(value.split(chr(34)), key=len)}"'


def span_group_query(service: str, name: str | None = None) -> str:
    """A span group naming the spans of one service (and span name): `{service=cart name="GET /"}`."""
    def term(key: str, value: str) -> str:
        op = "~=" if '"' in value and "'" in value else "="
        return f"{key}{op}{quote_value(value)}"

    parts = [term("service", service)]
    if name is not None:
        parts.append(term("name", name))
    return "{" + " ".join(parts) + "}"
