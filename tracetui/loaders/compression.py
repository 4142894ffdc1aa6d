"""Undo gzip and zstd by content (magic bytes), never by file name, with a size cap.

A damaged or truncated stream gives what could be read before the damage plus a problem; a
stream that would grow past `limit` bytes (a decompression bomb, or simply too big) is cut
there, with a problem. Pure bytes to bytes: no I/O.
"""

from __future__ import annotations

import zlib

import zstandard

from tracetui.loaders.problems import Problem

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Far above any dump we can show (1M spans of OTLP JSON is ~750 MB), far below what kills the machine.
DEFAULT_LIMIT = 4 << 30
_CHUNK = 1 << 20
_ZSTD_SLICE = 1024


def is_compressed(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC or data[:4] == ZSTD_MAGIC


def decompress(data: bytes, source: str, where: str = "", limit: int = DEFAULT_LIMIT) -> tuple[bytes, list[Problem]]:
    """Undo gzip or zstd if `data` starts with their magic (else return it as is).

    Nested compression (a .gz of a .zst) is undone too, a few levels deep.
    """
    problems: list[Problem] = []
    for _ in range(4):
        if data[:2] == GZIP_MAGIC:
            data, p = _gunzip(data, source, where, limit)
        elif data[:4] == ZSTD_MAGIC:
            data, p = _unzstd(data, source, where, limit)
        else:
            break
        problems.extend(p)
        if p:
            break
    return data, problems


def _too_big(source: str, where: str, name: str, limit: int) -> Problem:
    return Problem(source, where, f"{name} data grows past {limit:,} bytes when decompressed: "
                   "read only the first part")


def _gunzip(data: bytes, source: str, where: str, limit: int) -> tuple[bytes, list[Problem]]:
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        buf = rest
        try:
            while buf:
                chunk = d.decompress(buf, min(_CHUNK, limit - size + 1))
                size += len(chunk)
                out.append(chunk)
                if size > limit:
                    return _cut(out, limit), [_too_big(source, where, "gzip", limit)]
                buf = d.unconsumed_tail
                if d.eof:
                    break
            if not d.eof:
                tail = d.flush()
                out.append(tail)
                size += len(tail)
                return _cut(out, limit), [Problem(source, where, "gzip stream is truncated: read what came before the cut")]
        except zlib.error as e:
            return _cut(out, limit), [Problem(source, where, f"gzip stream is damaged ({e}): read what came before")]
        rest = d.unused_data
        if rest[:2] != GZIP_MAGIC:
            # Trailing garbage after the last member (gzip(1) ignores zero padding too).
            if rest.strip(b"\0"):
                return b"".join(out), [Problem(source, where, f"{len(rest)} bytes of garbage after the gzip data: ignored",
                                               warning=True)]
            break
    return b"".join(out), []


def _unzstd(data: bytes, source: str, where: str, limit: int) -> tuple[bytes, list[Problem]]:
    out: list[bytes] = []
    size = 0
    rest = data
    try:
        while rest:
            d = zstandard.ZstdDecompressor().decompressobj()
            buf = rest
            # decompressobj has no output cap per call: feed it small slices, so that one call
            # cannot produce more than ~32 MiB (a 4-byte RLE block expands to at most 128 KiB).
            pos = 0
            while pos < len(buf) and not d.eof:
                chunk = d.decompress(buf[pos:pos + _ZSTD_SLICE])
                pos += _ZSTD_SLICE
                size += len(chunk)
                out.append(chunk)
                if size > limit:
                    return _cut(out, limit), [_too_big(source, where, "zstd", limit)]
            if not d.eof:
                return b"".join(out), [Problem(source, where, "zstd stream is truncated: read what came before the cut")]
            rest = d.unused_data
            if rest[:4] != ZSTD_MAGIC:
                if rest.strip(b"\0"):
                    return b"".join(out), [Problem(source, where, f"{len(rest)} bytes of garbage after the zstd data: ignored",
                                                   warning=True)]
                break
    except zstandard.ZstdError as e:
        return _cut(out, limit), [Problem(source, where, f"zstd stream is damaged ({e}): read what came before")]
    return b"".join(out), []


def _cut(parts: list[bytes], limit: int) -> bytes:
    data = b"".join(parts)
    return data[:limit] if len(data) > limit else data
