"""Text with its varying parts masked: span names made templates (`GET /orders/{id}`) and
statements made shapes (`SELECT * FROM t WHERE id = ?`), so that what differs only by an id, a
number or a literal compares equal."""

from __future__ import annotations

import re

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
# In a name: a UUID, a hex run of 12+ with a digit (a span or trace id, a hash), a number of 3+
# digits (an order, a user, a year), an e-mail address. Version-like tokens (v1, HTTP/1.1, 2xx)
# and short numbers stay: they are the same in every request.
_NAME_ID = re.compile(
    rf"(?<![0-9A-Za-z])(?:{_UUID}|(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{{12,}}|[\w.+-]+@[\w-]+\.[\w.-]+|\d{{3,}}(?:[.,]\d+)*)"
    r"(?![0-9A-Za-z])"
)


def name_template(name: str) -> str | None:
    """The span name with its ids masked as `{id}`; None when it holds none."""
    if not _NAME_ID.search(name):
        return None
    return _NAME_ID.sub("{id}", name)


_STATEMENT_PARTS = re.compile(
    r"""'(?:[^'\\]|\\.|'')*'"""           # 'string literal' ('' and \' escapes)
    r"""|"(?:[^"\\]|\\.)*"(?=\s*[:,}\]])"""  # "json value" (a key stays: it is structure)
    rf"""|{_UUID}"""
    r"""|(?<![\w$])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w])"""  # numbers (not $1, not t1)
    r"""|(?<=[:=/])[\w.-]*\d[\w.-]*"""     # key:123, id=a1b2, /sku-1003 in a command or path
)
_LISTS = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")  # IN (?, ?, ?) -> IN (?)
_SPACE = re.compile(r"\s+")


def mask_statement(text: str) -> str:
    """A statement's shape: literals, numbers and ids as `?`, lists of them as one, spaces folded."""
    masked = _STATEMENT_PARTS.sub("?", text)
    masked = _LISTS.sub("(?)", masked)
    return _SPACE.sub(" ", masked).strip()
