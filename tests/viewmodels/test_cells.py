"""Text in cells: every row view cuts its columns with these, wide characters counted twice."""

from __future__ import annotations

from rich.cells import cell_len

from tracetui.viewmodels.cells import bar_text, clip, fit


def test_fit_pads_or_cuts_to_exactly_the_width():
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert fit("abc", 0) == "" and fit("abc", -1) == ""
    for text in ("表表表表", "a表b🚀c", "表" * 10):
        for width in range(1, 12):
            assert cell_len(fit(text, width)) == width, (text, width)
    assert fit("表表表", 4) == "表 …"  # a wide character never hangs over the edge


def test_clip_never_pads_and_cuts_with_an_ellipsis():
    assert clip("abc", 5) == "abc"
    assert clip("abcdef", 4) == "abc…"
    assert clip("表表表", 4) == "表…"
    assert clip("表表", 1) == " " and clip("x", 0) == ""


def test_bar_text_fills_eighths_and_never_vanishes():
    assert bar_text(1.0, 4) == "████"
    assert bar_text(0.5, 4) == "██  "
    assert bar_text(0.5 + 1 / 16, 4) == "██▎ "  # a quarter of a cell more
    assert bar_text(0.0, 4) == "▏   "  # even nothing shows one eighth
    assert bar_text(7.0, 3) == "███" and bar_text(-1.0, 3) == "▏  "
