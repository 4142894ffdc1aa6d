"""Service colours: a stable colour per service name, readable on light and dark themes.

The same name always gets the same colour (a CRC of the name picks it), in every trace and every
run, so a person learns "payment is purple". Red is left out: it means error.
"""

from __future__ import annotations

import zlib

# Mid-lightness, mid-saturation hues (Tableau/D3 families without red): visible on both
# a dark and a light background, and distinct from each other.
PALETTE: tuple[str, ...] = (
    "#4e79a7",  # blue
    "#f28e2b",  # orange
    "#59a14f",  # green
    "#b07aa1",  # purple
    "#76b7b2",  # teal
    "#edc948",  # yellow
    "#9c755f",  # brown
    "#ff9da7",  # pink
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#8c6bb1",  # violet
    "#2ca089",  # sea green
)


def service_color(name: str) -> str:
    """The colour (hex) of a service."""
    return PALETTE[zlib.crc32(name.encode("utf-8", "surrogatepass")) % len(PALETTE)]
