"""Untrusted text reaches the screen literally: no markup, no control or bidi characters."""

from tracetui.render.text import clean, clean_multiline, safe_text


def test_markup_stays_literal():
    assert safe_text("[bold]x[/]").plain == "[bold]x[/]"


def test_escape_sequences_and_layout_breakers_are_neutralised():
    out = clean("a\x1b[2Jb\tc\nd\re")
    assert "\x1b" not in out and "\n" not in out and "\r" not in out and "\t" not in out
    assert out.startswith("a\ufffd[2Jb")


def test_bidi_overrides_cannot_reorder_a_line():
    # U+202E (right-to-left override) would show "txt.exe" as "exe.txt" in some terminals.
    out = clean("name\u202etxt.exe\u2066x\u2069")
    assert all(ch not in out for ch in "\u202e\u2066\u2069")


def test_stack_traces_keep_their_lines_but_lose_controls():
    out = clean_multiline("Traceback:\n\tat x\x1b]0;pwned\x07\n")
    assert out.splitlines()[1].startswith("    at x") and "\x1b" not in out and "\x07" not in out


def test_max_len_marks_the_cut():
    assert clean("abcdef", max_len=4) == "abc…"
