"""Text saved by Windows tools: a UTF-8 byte order mark, or UTF-16 (PowerShell's `>` writes it).

The readers take UTF-8. UTF-16 is turned into UTF-8 first, also when the file is cut at an odd
byte or has a broken surrogate; and since problems must point into the FILE, the byte offsets
they name ("byte N") are mapped back from the UTF-8 text to the file (`FileOffsets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from tracetui.loaders.problems import Batch, Problem

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16 = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_BYTE = re.compile(r"\bbyte ([\d,]+)")


class FileOffsets:
    """Maps a byte offset in the UTF-8 text back to the file it was made from."""

    def __init__(self, utf8: bytes, head: int, unit: int) -> None:
        self.utf8, self.head, self.unit = utf8, head, unit  # BOM length; bytes per UTF-16 code unit

    def to_file(self, offset: int) -> int:
        if self.unit == 1:
            return self.head + offset
        text = self.utf8[:offset].decode("utf-8", "ignore")
        return self.head + len(text.encode("utf-16-le", "surrogatepass"))

    def batches(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        """The batches with every "byte N" in their problems counted in the file."""
        for b in batches:
            if b.problems:
                b.problems = [self.problem(p) for p in b.problems]
            yield b

    def problem(self, p: Problem) -> Problem:
        def sub(m: re.Match) -> str:
            return f"byte {self.to_file(int(m.group(1).replace(',', ''))):,}"

        if "byte " not in p.where and "byte " not in p.message:
            return p
        return replace(p, where=_BYTE.sub(sub, p.where), message=_BYTE.sub(sub, p.message))


def to_utf8(data: bytes, source: str, where: str) -> tuple[bytes, FileOffsets | None, list[Problem]]:
    """`data` as UTF-8 without a byte order mark, how to map offsets back (None: unchanged), and
    problems met (UTF-16 that is cut inside a character or has broken surrogates)."""
    if data[:3] == UTF8_BOM:
        return data[3:], FileOffsets(b"", 3, 1), []
    codec = _UTF16.get(data[:2])
    if codec is None:
        return data, None, []
    body = data[2:]
    problems = []
    if len(body) % 2:
        body = body[:-1]  # cut inside a code unit: the half is dropped (the cut is reported by the reader)
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as e:
        if e.start >= len(body) - 2:  # a surrogate pair cut by the end of the file: dropped too
            text = body[:e.start].decode(codec, "replace")
        else:
            text = body.decode(codec, "replace")
            at = f"{where}: byte {2 + e.start:,}" if where else f"byte {2 + e.start:,}"
            problems.append(Problem(source, at, "invalid UTF-16 (here and maybe further on): shown as \ufffd",
                                    warning=True))
    utf8 = text.encode("utf-8")
    return utf8, FileOffsets(utf8, 2, 2), problems
