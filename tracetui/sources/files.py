"""Reading dumps from files, directories and stdin. Compression and format are decided by
content, in the loaders (`tracetui.loaders.read_bytes`); this module owns the I/O.

Every input is read up to the input limit (`input_limit()`, 4 GiB or `TRACETUI_MAX_INPUT`),
which also caps what decompression may produce: /dev/zero or an endless pipe stop there with
one problem, and what was read before is loaded."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from tracetui.loaders import Batch, Problem, read_bytes
from tracetui.loaders.compression import DEFAULT_LIMIT, human_size
from tracetui.loaders.detect import UNKNOWN, detect_format
from tracetui.loaders.problems import capped
from tracetui.loaders.sizes import parse_size
from tracetui.model.gcpause import freeze_loaded, gc_paused
from tracetui.sources.streaming import stream_file

STDIN = "-"
STDIN_NAME = "<stdin>"
LIMIT_ENV = "TRACETUI_MAX_INPUT"
_READ_CHUNK = 1 << 20


def _expand(paths: list[str]) -> list[tuple[str, bool, str]]:
    """(path, found in a directory, the source named) for each file to read."""
    out: list[tuple[str, bool, str]] = []
    for p in paths:
        if p == STDIN:
            if (STDIN, False, STDIN) not in out:
                out.append((p, False, p))
        elif os.path.isdir(p):
            from pathlib import Path  # only for a directory: ~4 ms of every start otherwise

            path = Path(p)
            out.extend((str(f), True, p) for f in sorted(path.rglob("*"))
                       if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts))
        else:
            out.append((p, False, p))
    return out


def stdin_has_data() -> bool:
    """Whether stdin is a pipe, a file or a socket (something to read), not a terminal or /dev/null."""
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


def input_limit() -> int:
    """The most bytes one input may give, raw or decompressed: `TRACETUI_MAX_INPUT` (bytes, or
    with a K/M/G/T suffix: `512M`, `8G`, `1.5GiB`) when set to a valid size, else 4 GiB."""
    try:
        value = parse_size(os.environ.get(LIMIT_ENV, ""))
    except ValueError:
        return DEFAULT_LIMIT
    return value if value > 0 else DEFAULT_LIMIT


def read_source(path: str, stdin: BinaryIO | None = None, limit: int | None = None,
                in_dir: bool = False, on_read: Callable[[int], None] | None = None) -> Iterator[Batch]:
    """Batches of spans from one file, or from stdin for "-" (`stdin` overrides fd 0).

    `limit`: the most bytes read, and the most decompression may produce (`input_limit()` by
    default); what lies beyond is skipped with a problem, what came before is read.
    `in_dir`: the file was found in a directory rather than named, so a file that is no trace
    dump at all (a README next to the dumps) is only a warning.
    `on_read(n)`: told as a big file is read while decoded (progress); others are read at once.
    """
    if limit is None:
        limit = input_limit()
    if path == STDIN:
        name = STDIN_NAME
        try:
            data, cut_at = _read_capped(stdin or sys.stdin.buffer, limit)
        except (OSError, ValueError) as e:
            yield Batch(problems=[Problem(name, "", f"cannot read stdin ({e})")])
            return
    else:
        name = path
        try:
            # A big uncompressed OTLP JSON file is decoded as it is read: first rows paint early.
            # Not one past the limit: that one is read only up to the limit, like any input.
            stream = stream_file(path, name, on_read) if os.path.getsize(path) <= limit else None
            if stream is not None:
                yield from stream
                return
            with open(path, "rb") as f:
                data, cut_at = _read_capped(f, limit)
        except OSError as e:
            yield Batch(problems=[Problem(name, "", e.strerror or str(e))])
            return
        except MemoryError:
            yield Batch(problems=[Problem(name, "", "too big to read into memory")])
            return
    if cut_at is not None:
        yield Batch(problems=[Problem(name, "", f"stopped reading at {human_size(cut_at)} (the input limit, "
                                                f"{LIMIT_ENV} sets it); the rest was skipped")])
    if in_dir and detect_format(data) == UNKNOWN:
        yield Batch(problems=[Problem(name, "", "not a trace dump: ignored", warning=True)])
        return
    yield from read_bytes(data, name, limit=limit)


class ReadAhead(io.BytesIO):
    """Stdin read before the explorer takes fd 0 for keys: its bytes, and whether the input
    limit cut it (said when `read_source` reads it)."""

    cut_at: int | None = None


def read_stdin_now(stdin: BinaryIO | None = None, limit: int | None = None) -> ReadAhead:
    """Read the pipe on stdin now, up to the input limit (`stdin` overrides fd 0): for
    `iter_paths(..., stdin=...)` later, which names the cut if there was one."""
    data, cut_at = _read_capped(stdin or sys.stdin.buffer, input_limit() if limit is None else limit)
    ahead = ReadAhead(data)
    ahead.cut_at = cut_at
    return ahead


def _read_capped(f: BinaryIO, limit: int) -> tuple[bytes, int | None]:
    """At most `limit` bytes of `f`, and the limit if there was more. /dev/zero and an endless pipe
    end at the limit; the bytes are held once (one buffer grown in place), never twice."""
    if isinstance(f, ReadAhead):
        return f.getvalue(), f.cut_at
    try:
        mode = os.fstat(f.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        mode = 0
    if stat.S_ISREG(mode):  # its size is known: one read of exactly that much
        if os.fstat(f.fileno()).st_size > limit:
            return f.read(limit), limit
        data = f.read()
        return (data[:limit], limit) if len(data) > limit else (data, None)  # it grew while being read
    buf = io.BytesIO()
    size = 0
    while size <= limit:
        chunk = f.read(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        size += buf.write(chunk)
    if size <= limit:
        return buf.getvalue(), None
    buf.truncate(limit)
    return buf.getvalue(), limit


def iter_paths(paths: list[str], stdin: BinaryIO | None = None) -> Iterator[Batch]:
    """Batches from every source in turn (directories expanded): for a worker that posts them.
    Each batch's `source` is the path named that it came from (a directory for its files)."""
    return PathsReader(paths, stdin)


class PathsReader:
    """Batches from every source in turn, and `progress` (0..1, or None for a pipe): the bytes
    read of the files' total size, as the status bar shows it. A file read whole counts when its
    batches end; a big one decoded while it is read counts as it goes."""

    def __init__(self, paths: list[str], stdin: BinaryIO | None = None) -> None:
        self.sources = _expand(paths)
        self.stdin = stdin
        sizes: list[int | None] = []
        for path, _, _ in self.sources:
            try:
                sizes.append(None if path == STDIN else os.path.getsize(path))
            except OSError:
                sizes.append(0)  # said when it is read
        self.sizes = sizes
        self.total = None if None in sizes else sum(s or 0 for s in sizes)
        self.done = 0

    @property
    def progress(self) -> float | None:
        if not self.total or not self.done:
            return None  # nothing counted yet (a file read whole is decoded in one go): unknown
        return min(1.0, self.done / self.total)

    def _read(self, n: int) -> None:
        self.done += n

    def __iter__(self) -> Iterator[Batch]:
        for (path, in_dir, named), size in zip(self.sources, self.sizes, strict=True):
            before = self.done
            for batch in read_source(path, stdin=self.stdin, in_dir=in_dir, on_read=self._read):
                batch.source = named
                yield batch
            self.done = before + (size or 0)


def load_paths(paths: list[str], store, stdin: BinaryIO | None = None) -> list[Problem]:
    """Read every source into the store; return the problems met (never raises).

    The cyclic collector is off for the whole load (each full collection would walk all the
    spans stored so far) and what was loaded is then frozen out of it: the store makes no
    reference cycles, and the analysis that follows allocates without re-walking it."""
    problems: list[Problem] = []
    with gc_paused():
        for batch in capped(iter_paths(paths, stdin=stdin)):
            if batch.spans:
                store.add(batch.spans, source=batch.source)
            if batch.logs:
                store.add_logs(batch.logs)
            problems.extend(batch.problems)
    freeze_loaded()
    return problems
