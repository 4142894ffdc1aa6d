"""The compiled helpers (`_speedups.c`): the loops that run once per span of everything loaded.

`finish` is the fast converter's inner loop (loaders/otlp_json/fast.py), `figures` is
`light_figures` (model/trace.py). Each Python function stays the reference and runs whenever
the helper is missing (the install found no C compiler), declines (a span of another class, a time
past 64 bits) or is turned off: `TRACETUI_PURE_PYTHON=1` in the environment. Both ways give the
same result (tests/model/test_speedups.py); the helper takes 17-28% off the time of loading a
big file (tests/bench/NOTES.md, "Load", sixth pass).
"""

import os

import msgspec

from tracetui.model.span import Resource, Span

finish = figures = None
if not os.environ.get("TRACETUI_PURE_PYTHON"):
    try:
        from tracetui.model import _speedups
    except ImportError:
        pass
    else:
        _speedups.setup(Span, Resource, msgspec.Raw)
        finish, figures = _speedups.finish, _speedups.figures
