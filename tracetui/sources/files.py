"""Reading dumps from files, directories and stdin. Compression and format are decided by
content, in the loaders (`tracetui.loaders.read_bytes`); this module owns the I/O."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tracetui.loaders import Batch, Problem, read_bytes
from tracetui.loaders.compression import DEFAULT_LIMIT
from tracetui.loaders.compression import decompress as _decompress
from tracetui.loaders.detect import UNKNOWN, detect_format
from tracetui.model.gcpause import gc_paused
from tracetui.sources.streaming import stream_file

STDIN = "-"
STDIN_NAME = "<stdin>"


def decompress(data: bytes, source: str) -> tuple[bytes, list[Problem]]:
    """Undo gzip/zstd by content (kept for callers; `read_bytes` does this itself)."""
    return _decompress(data, source)


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; directories to the files inside them (sorted, hidden ones skipped).

    "-" (stdin) is kept once, however often it is named.
    """
    return [p for p, _ in _expand(paths)]


def _expand(paths: list[str]) -> list[tuple[str, bool]]:
    """(path, found in a directory) for each file to read."""
    out: list[tuple[str, bool]] = []
    for p in paths:
        path = Path(p)
        if p == STDIN:
            if (STDIN, False) not in out:
                out.append((p, False))
        elif path.is_dir():
            out.extend((str(f), True) for f in sorted(path.rglob("*"))
                       if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts))
        else:
            out.append((p, False))
    return out


def stdin_has_data() -> bool:
    """Whether stdin is a pipe, a file or a socket (something to read), not a terminal or /dev/null."""
    import stat

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        # Not a real file (a test runner's stream, or stdin closed): has data if it is not a terminal.
        try:
            return sys.stdin is not None and not sys.stdin.isatty()
        except (AttributeError, ValueError):
            return False
    try:
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


def read_source(path: str, stdin: BinaryIO | None = None, limit: int = DEFAULT_LIMIT,
                in_dir: bool = False) -> Iterator[Batch]:
    """Batches of spans from one file, or from stdin for "-" (`stdin` overrides fd 0).

    `in_dir`: the file was found in a directory rather than named, so a file that is no trace
    dump at all (a README next to the dumps) is only a warning.
    """
    if path == STDIN:
        name = STDIN_NAME
        try:
            data = (stdin or sys.stdin.buffer).read()
        except (OSError, ValueError) as e:
            yield Batch(problems=[Problem(name, "", f"cannot read stdin ({e})")])
            return
    else:
        name = path
        # A big uncompressed OTLP JSON file is decoded as it is read: first rows paint early.
        stream = stream_file(path, name)
        if stream is not None:
            yield from stream
            return
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            yield Batch(problems=[Problem(name, "", e.strerror or str(e))])
            return
        except MemoryError:
            yield Batch(problems=[Problem(name, "", "too big to read into memory")])
            return
    if in_dir and detect_format(data) == UNKNOWN:
        yield Batch(problems=[Problem(name, "", "not a trace dump: ignored", warning=True)])
        return
    yield from read_bytes(data, name, limit=limit)


def iter_paths(paths: list[str], stdin: BinaryIO | None = None) -> Iterator[Batch]:
    """Batches from every source in turn (directories expanded): for a worker that posts them."""
    for path, in_dir in _expand(paths):
        yield from read_source(path, stdin=stdin, in_dir=in_dir)


def load_paths(paths: list[str], store, stdin: BinaryIO | None = None) -> list[Problem]:
    """Read every source into the store; return the problems met (never raises).

    The cyclic collector is off for the whole load (each full collection would walk all the
    spans stored so far) and what was loaded is then frozen out of it: the store makes no
    reference cycles, and the analysis that follows allocates without re-walking it."""
    problems: list[Problem] = []
    with gc_paused():
        for batch in iter_paths(paths, stdin=stdin):
            if batch.spans:
                store.add(batch.spans)
            problems.extend(batch.problems)
    gc.freeze()
    return problems
