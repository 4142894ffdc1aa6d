"""Folded stacks: whole microseconds that still add up, and frames the format can carry."""

from __future__ import annotations

import random

from tracetui.render.flame import folded_frame, folded_lines, round_to_us


def test_microseconds_add_up_to_the_rounded_total():
    rng = random.Random(7)
    for _ in range(200):
        ns = {(f"s: {k}",): rng.randrange(0, 5_000) for k in range(rng.randrange(1, 30))}
        us = round_to_us(ns)
        assert sum(us.values()) == round(sum(ns.values()) / 1000)
        assert all(abs(us[p] - ns[p] / 1000) < 1 for p in ns)


def test_a_frame_with_the_separator_or_control_characters_stays_one_frame_on_one_line():
    line, = folded_lines({("svc: a;b", "svc: x\n\x1b[2Jy"): 3_000})
    frames, value = line.rsplit(" ", 1)
    assert value == "3"
    assert frames.split(";") == ["svc: a,b", "svc: x↵�[2Jy"]
    assert folded_frame("ok: GET /") == "ok: GET /"


def test_paths_under_half_a_microsecond_are_left_out():
    assert folded_lines({("a: a",): 2_000, ("a: a", "b: b"): 300}) == ["a: a 2"]
