"""Sizes as people write them (`256MiB`, `512k`, `8G`, `1.5G`, `1000`): the one parser for every
size setting (backends' `max_response_size`, `--max-request-size`, `TRACETUI_MAX_INPUT`)."""

from __future__ import annotations

import re

# The one input limit: for what decompression may produce and for raw input alike (see
# `tracetui.sources.files`). 4 GiB of OTLP JSON is ~5 million spans and takes ~12 GB to load:
# far above any dump one can explore, far below a bomb's 10 GB or an endless pipe.
DEFAULT_LIMIT = 4 << 30

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])i?b?|b)?\s*$", re.IGNORECASE)
_SCALE = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(value: object, example: str = "256MiB") -> int:
    """`268435456`, `"256MiB"`, `"256M"`, `"512k"`, `"1.5G"` -> bytes (binary multiples).

    Raises ValueError (naming `example`) for anything else, a negative number included."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"not a size: {value!r} (e.g. {example})")
        return value
    m = _SIZE.match(str(value))
    if not m:
        raise ValueError(f"not a size: {value!r} (e.g. {example})")
    number, scale = m.group(1), _SCALE[(m.group(2) or "").lower()]
    return int(float(number) * scale) if "." in number else int(number) * scale
