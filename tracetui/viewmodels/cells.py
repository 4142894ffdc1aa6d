"""Text in terminal cells: fitting, clipping, and bars with ⅛-cell ends (no Textual).

Every row view cuts its columns with these, so a wide character (CJK, emoji) counts two cells
everywhere and a cut always ends in "…". A cell is split into eighths: EIGHTHS[k] fills the left
k/8 of a cell, so a bar's right end is exact to ⅛ cell.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

EIGHTHS = " ▏▎▍▌▋▊▉█"  # EIGHTHS[k]: the left k/8 of a cell filled
FULL = "█"


def fit(text: str, cells: int) -> str:
    """Exactly `cells` cells of `text`: padded, or cut with an ellipsis (wide characters counted)."""
    if cells <= 0:
        return ""
    if text.isascii():
        if len(text) <= cells:
            return text + " " * (cells - len(text))
        return text[: cells - 1] + "…"
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    return set_cell_size(text, cells - 1) + "…"


def clip(text: str, cells: int) -> str:
    """At most `cells` cells of `text` (not padded), cut with an ellipsis (wide characters counted)."""
    if cells <= 0:
        return ""
    if text.isascii():
        return text if len(text) <= cells else text[: cells - 1] + "…"
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, cells - 1).rstrip(" ") + "…" if cells > 1 else set_cell_size(text, cells)


def bar_text(fraction: float, cells: int) -> str:
    """A bar from the left of `cells` cells, `fraction` of them filled to ⅛ cell (never empty),
    padded to `cells`."""
    eighths = max(1, round(max(0.0, min(1.0, fraction)) * cells * 8))
    full, part = divmod(eighths, 8)
    return (FULL * full + (EIGHTHS[part] if part else "")).ljust(cells)
