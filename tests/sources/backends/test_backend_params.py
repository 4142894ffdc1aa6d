"""Search parameters: what a person types on the command line, and how each API wants it."""

import pytest

from tracetui.sources.backends.params import (
    ParamError,
    build_params,
    go_duration,
    parse_duration,
    parse_time,
    rfc3339,
)


@pytest.mark.parametrize("text,ns", [
    ("200ms", 200_000_000), ("1.5s", 1_500_000_000), ("2m", 120_000_000_000), ("1h30m", 5_400_000_000_000),
    ("500us", 500_000), ("250µs", 250_000), ("75", 75_000_000), ("1d", 86_400_000_000_000),
])
def test_durations_read_as_people_write_them(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("bad", ["", "fast", "10x", "ms", "1.2.3s", "5 minutes"])
def test_a_bad_duration_says_what_to_write(bad):
    with pytest.raises(ParamError, match="200ms"):
        parse_duration(bad)


def test_go_durations_are_exact_for_the_apis():
    assert [go_duration(n) for n in (200_000_000, 1_500_000_000, 90_000_000_000, 3_600_000_000_000, 1_500, 7)] == [
        "200ms", "1500ms", "90s", "1h", "1500ns", "7ns"]
    for n in (200_000_000, 1_500_000_000, 1_234_567, 61_000_000_000):
        assert parse_duration(go_duration(n)) == n


def test_times_are_utc_iso_or_epoch_and_round_trip_through_rfc3339():
    ns = parse_time("2026-11-25T01:02:03.5Z")
    assert ns == parse_time("2026-11-25 01:02:03.500") == parse_time("1795568523.5")
    assert rfc3339(ns) == "2026-11-25T01:02:03.5Z"
    assert rfc3339(1_795_568_523_000_000_001) == "2026-11-25T01:02:03.000000001Z"
    with pytest.raises(ParamError, match="ISO 8601"):
        parse_time("yesterday")


def test_the_search_window_is_the_last_hour_unless_told():
    p = build_params()
    start, end = p.window(now_ns=10**19)
    assert end - start == 3600 * 10**9
    p = build_params(since="15m", limit=5)
    assert p.window(now_ns=10**19) == (10**19 - 900 * 10**9, 10**19) and p.limit == 5
    p = build_params(start="2026-11-25T00:00:00Z", end="2026-11-25T01:00:00Z")
    assert p.window() == (parse_time("2026-11-25T00:00:00Z"), parse_time("2026-11-25T01:00:00Z"))


def test_contradictory_options_are_refused_in_one_line():
    for kw, msg in (({"start": "2026-11-25T02:00:00Z", "end": "2026-11-25T01:00:00Z"}, "time range is empty"),
                    ({"min_duration": "2s", "max_duration": "1s"}, "above"),
                    ({"limit": 0}, "at least 1"), ({"tags": ("=x",)}, "key=value")):
        with pytest.raises(ParamError, match=msg):
            build_params(**kw)
