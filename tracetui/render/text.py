"""Untrusted text (span names, attributes, backend answers, file names and contents) made safe to
show: no markup, no control characters, nothing invisible.

`clean` is THE cleaning function: every line printed to the terminal from backend or file text
goes through it (tables, the TUI, stderr problem lines, error lines). It replaces with `�`:

- C0 and C1 controls (U+0000–U+001F, U+007F–U+009F): ESC starts escape sequences (OSC 52 writes
  the clipboard, CSI 2J clears the screen) and a terminal may read C1 U+009B as ESC [;
- bidirectional marks, overrides and isolates, which reorder a line visually;
- zero-width and other invisible format characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, soft
  hyphen, …) and the line/paragraph separators U+2028/U+2029: `check\u200bout` would look like
  `checkout`, and they upset column widths. (An emoji joined with U+200D shows its parts.)

Tabs and newlines show as ⇥ and ↵. `--json` keeps the text exact but writes these characters as
`\\uXXXX` escapes (`json_bytes`), so a terminal showing the JSON never receives them raw.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# Bidi marks/embeddings/overrides/isolates; zero-width and invisible format characters; separators.
_INVISIBLE = ("\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
              "\U000e0000-\U000e007f")
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_CONTROL_KEEP_NL = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")


def clean(value: object, max_len: int | None = None) -> str:
    """One line of plain text: tabs and newlines shown as ⇥ and ↵, other controls and invisible
    characters as �; cut to `max_len` characters with … when longer."""
    s = str(value)
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", "⇥")
    s = _CONTROL.sub("\ufffd", s)
    if max_len is not None and len(s) > max_len:
        s = s[: max(0, max_len - 1)] + "…"
    return s


def clean_multiline(value: object) -> str:
    """Text that keeps its line breaks (a stack trace); tabs to spaces, other controls to �."""
    s = str(value).replace("\r\n", "\n").replace("\t", "    ")
    return _CONTROL_KEEP_NL.sub("\ufffd", s)


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
