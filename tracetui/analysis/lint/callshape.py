"""What a call is, for comparing calls: its statement once masked, whether it only reads, whether
it failed."""

from __future__ import annotations

from urllib.parse import urlsplit

from tracetui.analysis.lint.masking import mask_statement
from tracetui.model.span import KIND_CLIENT, STATUS_ERROR, Span

_READ_HTTP = frozenset({"GET", "HEAD", "OPTIONS"})
# Database operations that only read (SQL, Redis, MongoDB, DynamoDB, Elasticsearch, Cassandra).
_READ_DB = frozenset({
    "SELECT", "WITH", "SHOW", "DESCRIBE", "EXPLAIN", "GET", "MGET", "HGET", "HGETALL", "HMGET", "HKEYS", "HVALS",
    "SMEMBERS", "SISMEMBER", "LRANGE", "LLEN", "ZRANGE", "ZRANGEBYSCORE", "ZSCORE", "EXISTS", "TTL", "SCAN",
    "FIND", "FINDONE", "AGGREGATE", "COUNT", "COUNTDOCUMENTS", "DISTINCT", "GETITEM", "BATCHGETITEM", "QUERY",
    "SEARCH", "MSEARCH",
})


def _text(attrs: dict, *keys: str) -> str | None:
    for k in keys:
        v = attrs.get(k)
        if isinstance(v, str) and v:
            return v
    return None


def statement(span: Span, attrs: dict) -> str | None:
    """The call's statement masked: a database query (`db.query.text`, older `db.statement`), or
    an HTTP call's method and URL (`url.full`, older `http.url`; host and path, query included)."""
    text = _text(attrs, "db.query.text", "db.statement")
    if text is not None:
        return mask_statement(text)
    url = _text(attrs, "url.full", "http.url")
    if url is not None:
        try:
            parts = urlsplit(url)
            url = parts.path + (f"?{parts.query}" if parts.query else "")
        except ValueError:
            pass
        method = _text(attrs, "http.request.method", "http.method") or ""
        return mask_statement(f"{method} {url}".strip())
    return None


def is_call(span: Span) -> bool:
    return span.kind == KIND_CLIENT


def failed(span: Span, attrs: dict) -> bool:
    """ERROR status, or an HTTP answer that asks for a retry (5xx, 429)."""
    if span.status == STATUS_ERROR:
        return True
    code = attrs.get("http.response.status_code", attrs.get("http.status_code"))
    try:
        code = int(code)
    except (TypeError, ValueError):
        return False
    return code >= 500 or code == 429


def only_reads(span: Span, attrs: dict) -> bool:
    """Whether the call only reads (HTTP GET/HEAD/OPTIONS, a database read); unknown is not."""
    method = _text(attrs, "http.request.method", "http.method")
    if method is not None:
        return method.upper() in _READ_HTTP
    op = _text(attrs, "db.operation.name", "db.operation")
    if op is None:
        text = _text(attrs, "db.query.text", "db.statement")
        if text is None:
            return False
        op = text.split(None, 1)[0] if text.split() else ""
    return op.upper() in _READ_DB
