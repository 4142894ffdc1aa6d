"""Big uncompressed OTLP JSON files decoded while they are read: the first trace rows paint
before the whole file is in memory. The file I/O is here; the decoding is the loader's
(`tracetui.loaders.otlp_json.read_growing`), which only asks for more bytes."""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Iterator

from tracetui.loaders import Batch, Problem, otlp_json

STREAM_MIN_BYTES = 32 << 20  # smaller files are read whole: no gain in streaming them


def stream_file(path: str, source: str, on_read: Callable[[int], None] | None = None) -> Iterator[Batch] | None:
    """Batches from a big, uncompressed OTLP JSON file (one request or JSON Lines of them,
    compact, as exporters write them) while it is being read; None for any other file (read it
    whole as usual). `on_read(n)` is told of every n bytes read (progress)."""
    try:
        if os.path.getsize(path) < STREAM_MIN_BYTES:
            return None
        with open(path, "rb") as f:
            head = f.read(4096).lstrip()
    except OSError:
        return None
    if otlp_json.compact_prefix(head) is None:
        return None
    return _stream_file(path, source, on_read)


def _stream_file(path: str, source: str, on_read: Callable[[int], None] | None) -> Iterator[Batch]:
    try:
        f = open(path, "rb", buffering=0)  # noqa: SIM115 (closed below, after the generator)
        size = os.fstat(f.fileno()).st_size
        # Anonymous memory the kernel zero-fills page by page as it is written: bytearray(size)
        # would write 1 GB of zeros first (0.6 s before the first span).
        memory = mmap.mmap(-1, size)
    except OSError as e:
        yield Batch(problems=[Problem(source, "", e.strerror or str(e))])
        return
    try:
        readinto = f.readinto
        if on_read is not None:
            def readinto(buf, _read=f.readinto):  # noqa: ANN001
                n = _read(buf)
                if n:
                    on_read(n)
                return n
        yield from otlp_json.read_growing(memory, readinto, source)
    finally:
        f.close()
