"""Untrusted text (span names, attributes) made safe to show: no markup, no control characters."""

from __future__ import annotations

import re

from rich.text import Text

# C0/C1 controls, and the bidirectional overrides/isolates that let text reorder a line visually.
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def clean(value: object, max_len: int | None = None) -> str:
    """One line of plain text: tabs and newlines shown as ⇥ and ↵, other controls as �."""
    s = str(value)
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", "⇥")
    s = _CONTROL.sub("\ufffd", s)
    if max_len is not None and len(s) > max_len:
        s = s[: max(0, max_len - 1)] + "…"
    return s


_CONTROL_KEEP_NL = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}]")


def clean_multiline(value: object) -> str:
    """Text that keeps its line breaks (a stack trace); tabs to spaces, other controls to �."""
    s = str(value).replace("\r\n", "\n").replace("\t", "    ")
    return _CONTROL_KEEP_NL.sub("\ufffd", s)


def safe_text(value: object, style: str = "", max_len: int | None = None) -> Text:
    """A rich Text that is never parsed as markup."""
    return Text(clean(value, max_len), style=style)
