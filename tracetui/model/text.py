"""The character-cleaning core for untrusted text, shared by every layer that shows text.

`clean` is THE cleaning function: every line printed to the terminal from backend or file text
goes through it (tables, the TUI, stderr problem lines, error lines, a loader's `Problem`). It
lives here, at the bottom, so that loaders (which may not import `tracetui.render`) use the same
rule as the tables; `tracetui.render.text` re-exports it beside the Rich and JSON helpers. It
replaces with `�`:

- C0 and C1 controls (U+0000–U+001F, U+007F–U+009F): ESC starts escape sequences (OSC 52 writes
  the clipboard, CSI 2J clears the screen) and a terminal may read C1 U+009B as ESC [;
- bidirectional marks, overrides and isolates, which reorder a line visually;
- zero-width and other invisible format characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, soft
  hyphen, …) and the line/paragraph separators U+2028/U+2029: `check\u200bout` would look like
  `checkout`, and they upset column widths. (An emoji joined with U+200D shows its parts.)

Tabs and newlines show as ⇥ and ↵.
"""

from __future__ import annotations

import re

# Bidi marks/embeddings/overrides/isolates; zero-width and invisible format characters; separators.
INVISIBLE = ("\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
             "\U000e0000-\U000e007f")
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
_CONTROL_KEEP_NL = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{INVISIBLE}]")


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
