"""Reading dumps from files, directories and stdin, decompressing by content."""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from tracetui.loaders import Batch, Problem, otlp_json, read_bytes

GZIP_MAGIC = b"\x1f\x8b"


def decompress(data: bytes, source: str) -> tuple[bytes, list[Problem]]:
    """Undo gzip by content. A truncated stream gives what could be read and a problem."""
    if data[:2] != GZIP_MAGIC:
        return data, []
    try:
        return gzip.decompress(data), []
    except (OSError, EOFError, zlib.error) as e:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            partial = d.decompress(data)
        except zlib.error:
            partial = b""
        return partial, [Problem(source, "", f"gzip stream is damaged ({e}); read what came before")]


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; directories to the files inside them (sorted, hidden ones skipped)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            out.extend(str(f) for f in sorted(path.rglob("*")) if f.is_file() and not f.name.startswith("."))
        else:
            out.append(p)
    return out


def read_source(path: str) -> Iterator[Batch]:
    """Batches of spans from one file, or from stdin for "-"."""
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        name = path
        # A big uncompressed OTLP JSON file is decoded as it is read: first rows paint early.
        stream = otlp_json.stream_file(path, name)
        if stream is not None:
            yield from stream
            return
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            yield Batch(problems=[Problem(name, "", e.strerror or str(e))])
            return
    data, problems = decompress(data, name)
    if problems:
        yield Batch(problems=problems)
    yield from read_bytes(data, name)


def load_paths(paths: list[str], store) -> list[Problem]:
    """Read every source into the store; return the problems met (never raises)."""
    problems: list[Problem] = []
    for path in expand_paths(paths):
        for batch in read_source(path):
            if batch.spans:
                store.add(batch.spans)
            problems.extend(batch.problems)
    return problems
