"""Untrusted text (span names, attributes, backend answers, file names and contents) made safe to
show: no markup, no control characters, nothing invisible.

The cleaning itself (`clean`, `clean_multiline`) lives in `tracetui.model.text`, so that loaders
use the same rule; it is re-exported here beside the Rich and JSON helpers. `--json` keeps the
text exact but writes these characters as `\\uXXXX` escapes (`json_bytes`), so a terminal showing
the JSON never receives them raw.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tracetui.model.text import INVISIBLE as _INVISIBLE
from tracetui.model.text import clean, clean_multiline

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["clean", "clean_multiline", "json_bytes", "safe_text"]


def safe_text(value: object, style: str = "", max_len: int | None = None) -> Text:
    """A rich Text that is never parsed as markup."""
    from rich.text import Text  # here: `summary --json` cleans without importing rich

    return Text(clean(value, max_len), style=style)


# The same characters as UTF-8 inside JSON text (JSON's structure is ASCII, so they can only be
# inside strings, where `\uXXXX` means the same character). orjson escapes C0 itself.
_JSON_RAW = re.compile(f"[\x7f-\x9f{_INVISIBLE}]")


def json_bytes(doc: object) -> bytes:
    """`doc` as JSON (orjson) with DEL, C1 controls and invisible characters written as `\\uXXXX`:
    the same strings for a JSON reader, nothing a terminal acts on for a person."""
    import orjson

    data = orjson.dumps(doc)
    if data.isascii():
        return data
    text = data.decode()
    return _JSON_RAW.sub(_escape, text).encode() if _JSON_RAW.search(text) else data


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    if c > 0xFFFF:  # as a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
        c -= 0x10000
        return f"\\u{0xD800 + (c >> 10):04x}\\u{0xDC00 + (c & 0x3FF):04x}"
    return f"\\u{c:04x}"
