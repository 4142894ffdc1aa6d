"""Undo gzip and zstd by content (magic bytes), never by file name, with a size cap.

A damaged or truncated stream gives everything that decompressed before the damage plus a
problem naming the byte; a stream that would grow past `limit` bytes (a decompression bomb, or
simply too big) is cut there, with a problem. Pure bytes to bytes: no I/O.

Memory: the output is written once into one growing buffer and never grows past `limit`, so a
bomb costs the cap plus a few MiB, not the cap times three (kept chunks, joined, then sliced).
"""

from __future__ import annotations

import io
import zlib

from tracetui.loaders.problems import Problem
from tracetui.loaders.sizes import DEFAULT_LIMIT

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_CHUNK = 1 << 20  # the most output one decompress call may give
_GZIP_SLICE = 16 << 10  # compressed input fed per gzip call: the damage is then found to the byte cheaply
# zstd has no output cap per call: it is fed slices of 32 B (a 128 KiB RLE block is 4 bytes: at most
# 1 MiB) up to 1 KiB (at most 32 MiB, only where the data suddenly turns into a bomb).
_ZSTD_MIN_SLICE = 32
_ZSTD_SLICE = 1024


def decompress(data: bytes, source: str, where: str = "", limit: int = DEFAULT_LIMIT) -> tuple[bytes, list[Problem]]:
    """Undo gzip or zstd if `data` starts with their magic (else return it as is).

    Nested compression (a .gz of a .zst) is undone too, a few levels deep.
    """
    problems: list[Problem] = []
    for level in range(4):
        if data[:2] == GZIP_MAGIC:
            data, p = _gunzip(data, _Where(source, where, level), limit)
        elif data[:4] == ZSTD_MAGIC:
            data, p = _unzstd(data, _Where(source, where, level), limit)
        else:
            break
        problems.extend(p)
        if p and not all(x.warning for x in p):
            break
    return data, problems


class _Where:
    """Problems of one compressed stream, located by a byte offset in it."""

    def __init__(self, source: str, where: str, level: int) -> None:
        self.source, self.where, self.level = source, where, level

    def problem(self, at: int | None, message: str, warning: bool = False) -> Problem:
        loc = self.where
        if at is not None:
            of = "" if self.level == 0 else " of the data inside the outer compression"
            loc = f"{loc}: byte {at:,}{of}" if loc else f"byte {at:,}{of}"
        return Problem(self.source, loc, message, warning=warning)

    def too_big(self, name: str, limit: int) -> Problem:
        return self.problem(None, f"{name} data grows past {human_size(limit)} when decompressed (the input limit): "
                                  "read only the first part; the rest was skipped")


def human_size(n: int) -> str:
    """`4 GiB` for a whole number of GiB/MiB/KiB, else the bytes."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n:,} bytes"


class _Sink:
    """The decompressed output: one buffer written in place, never past `limit` bytes.

    `BytesIO` grows its one bytes object in place (large blocks are remapped, not copied) and
    `getvalue()` hands that very object back: the output exists once, however big."""

    def __init__(self, limit: int) -> None:
        self.buf = io.BytesIO()
        self.size = 0
        self.limit = limit

    def write(self, chunk: bytes) -> bool:
        """Keep `chunk`; False when it would go past the limit (then only what fits is kept)."""
        room = self.limit - self.size
        if len(chunk) > room:
            self.buf.write(memoryview(chunk)[:room])
            self.size = self.limit
            return False
        self.buf.write(chunk)
        self.size += len(chunk)
        return True

    def back_to(self, size: int) -> None:
        self.buf.seek(size)
        self.buf.truncate()
        self.size = size

    def value(self) -> bytes:
        out = self.buf.getvalue()
        self.buf = io.BytesIO()
        return out


class _TooBig(Exception):
    pass


def _gunzip(data: bytes, at: _Where, limit: int) -> tuple[bytes, list[Problem]]:
    sink = _Sink(limit)
    start = 0  # where the current member starts
    while True:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pos = start
        try:
            while pos < len(data) and not d.eof:
                piece = data[pos:pos + _GZIP_SLICE]
                before, size = d.copy(), sink.size
                try:
                    _inflate(d, piece, sink)
                except zlib.error as e:
                    # Again from the state before this piece, a byte at a time: keep every byte
                    # that decompressed before the damage, and name the byte.
                    sink.back_to(size)
                    bad = pos + _inflate_bytewise(before, piece, sink)
                    return sink.value(), [at.problem(bad, _damaged(e, sink.size))]
                pos += len(piece) - (len(d.unused_data) if d.eof else 0)
            if not d.eof:
                if not sink.write(d.flush()):
                    raise _TooBig
                return sink.value(), [at.problem(len(data), "gzip data is truncated (the input ends inside it): "
                                                            "read what came before the cut")]
        except _TooBig:
            return sink.value(), [at.too_big("gzip", limit)]
        start = pos
        if data[start:start + 2] != GZIP_MAGIC:
            # Trailing garbage after the last member (gzip(1) ignores zero padding too).
            if data[start:].strip(b"\0"):
                return sink.value(), [at.problem(start, f"{len(data) - start:,} bytes of garbage after the gzip "
                                                        "data: ignored", warning=True)]
            return sink.value(), []


def _inflate(d, piece: bytes, sink: _Sink) -> None:
    buf = piece
    while True:
        chunk = d.decompress(buf, _CHUNK)
        if chunk and not sink.write(chunk):
            raise _TooBig
        buf = d.unconsumed_tail
        if d.eof or (not buf and len(chunk) < _CHUNK):
            return


def _inflate_bytewise(d, piece: bytes, sink: _Sink) -> int:
    """Feed `piece` one byte at a time; the index of the byte where zlib failed."""
    for i in range(len(piece)):
        try:
            _inflate(d, piece[i:i + 1], sink)
        except zlib.error:
            return i
        if d.eof:
            break
    return len(piece)


def _damaged(e: zlib.error, size: int) -> str:
    text = str(e)
    reason = text.split(": ", 1)[1] if ": " in text else text
    if "incorrect data check" in reason or "incorrect length check" in reason:
        # The trailer: all the data came before it, but one of the two no longer matches.
        return (f"gzip checksum does not match the data ({reason}): the file is damaged; "
                f"read the {size:,} bytes it decompressed to as they are")
    return f"gzip data is damaged ({reason}): read the {size:,} bytes that decompressed before it"


def _unzstd(data: bytes, at: _Where, limit: int) -> tuple[bytes, list[Problem]]:
    import zstandard  # ~13 ms of import: only for zstd input, not at every start

    sink = _Sink(limit)
    start = 0
    while True:
        d = zstandard.ZstdDecompressor().decompressobj()
        # decompressobj has no output cap per call: feed it small slices, so that one call
        # cannot produce more than ~32 MiB (a 4-byte RLE block expands to at most 128 KiB).
        pos, step = start, _ZSTD_MIN_SLICE
        while pos < len(data) and not d.eof:
            piece = data[pos:pos + step]
            try:
                chunk = d.decompress(piece)
            except zstandard.ZstdError as e:
                return sink.value(), [at.problem(pos, f"zstd data is damaged here or in the next "
                                                      f"{len(piece):,} bytes ({e}): read the {sink.size:,} "
                                                      "bytes that decompressed before it")]
            if not sink.write(chunk):
                return sink.value(), [at.too_big("zstd", limit)]
            pos += len(piece)
            # Aim at ~1 MiB of output per call: small slices while it inflates like a bomb.
            if len(chunk) > _CHUNK:
                step = max(step // 2, _ZSTD_MIN_SLICE)
            elif len(chunk) < _CHUNK // 4:
                step = min(step * 2, _ZSTD_SLICE)
        if not d.eof:
            return sink.value(), [at.problem(len(data), "zstd data is truncated (the input ends inside it): "
                                                        "read what came before the cut")]
        start = pos - len(d.unused_data)
        if data[start:start + 4] != ZSTD_MAGIC:
            if data[start:].strip(b"\0"):
                return sink.value(), [at.problem(start, f"{len(data) - start:,} bytes of garbage after the zstd "
                                                        "data: ignored", warning=True)]
            return sink.value(), []
