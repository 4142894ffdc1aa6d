"""Equality of decoded values as a user would need it: exact types all the way down."""

from __future__ import annotations

import math


def same(a, b) -> bool:
    """Equal, NaN equal to NaN, and of the same types all the way down (True is not 1)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b
