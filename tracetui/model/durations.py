"""Durations as people write them: the one parser for the filter language (`duration>1h`), the
command line (`--since 1h`, `--min-duration 200ms`) and the config file (`timeout = "30s"`).

    200ms  1.5s  .5s  250us  250µs  42ns  3m  1h  1h30m  2d  42 (a bare number: milliseconds)

Units (case-insensitive): ns, us/µs/μs, ms, s, m (minutes), h, d. Parts may be chained, largest
first or not (`1h30m`, `1m30s`), as Go's `time.ParseDuration` does. A bare number means
milliseconds everywhere except where a caller names another default unit (the config's
`timeout`, in seconds since it was first written as a number).
"""

from __future__ import annotations

import re

UNITS: dict[str, int] = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
                         "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
                         "d": 86_400_000_000_000}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_BARE = re.compile(rf"{_NUMBER}")
_PART = re.compile(rf"({_NUMBER})([a-zµμ]+)", re.IGNORECASE)
EXAMPLES = "e.g. 200ms, 1.5s, 2m, 1h"


class DurationError(ValueError):
    """Text that is not a duration; the message is one line and gives examples."""


def parse_duration(text: str, bare_unit: str = "ms") -> int:
    """`200ms`, `1.5s`, `1h30m`, `250us`, `42` (in `bare_unit`) → integer nanoseconds."""
    s = str(text).strip().replace(" ", "")
    if not s:
        raise DurationError(f"empty duration ({EXAMPLES})")
    if _BARE.fullmatch(s):
        return round(float(s) * UNITS[bare_unit])
    pos, total = 0, 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        scale = UNITS.get(m.group(2).lower())
        if scale is None:
            raise DurationError(f"unknown unit {m.group(2)!r} in {text!r} (units ns us ms s m h d; {EXAMPLES})")
        total += float(m.group(1)) * scale
        pos = m.end()
    if pos != len(s) or pos == 0:
        raise DurationError(f"not a duration: {text!r} ({EXAMPLES})")
    return round(total)
