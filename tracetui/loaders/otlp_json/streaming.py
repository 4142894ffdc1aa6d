"""Big inputs read a piece at a time, and JSON Lines.

The input is a `GrowingBuffer`: bytes held whole, or a buffer that its owner (a source, e.g.
`tracetui.sources.streaming`) fills step by step while it is being read. This module reads no
file itself.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import msgspec

from tracetui.loaders.otlp_json.document import read_document
from tracetui.loaders.otlp_json.fast import BatchIds, FastConverter
from tracetui.loaders.otlp_json.tolerant import fallback
from tracetui.loaders.otlp_json.wire import fast_rs_decoders
from tracetui.loaders.pacing import pace
from tracetui.loaders.problems import Batch, Problem, ProblemCap
from tracetui.model.gcpause import gc_paused

# -- big inputs, read resourceSpans by resourceSpans as the bytes arrive -----------------------
#
# A single 1 GB request decoded at once holds every temporary of the decode until the end; its
# freed strings then stay as holes in the allocator's arenas (measured: 700 MB of Python objects
# for 1M spans, against 526 MB for the same spans read as JSON Lines). Decoding one resourceSpans
# at a time lets the next one reuse that memory, and the first spans reach the UI at once: a big
# file is read into memory of its size step by step (`GrowingBuffer`), so the first trace
# rows paint before the file is read (reading 1 GB alone took 0.9-1.3 s here).
# A line (the whole input, or one of JSON Lines) that starts `{"resourceSpans":[` is split at
# `},{"resource":` (inside JSON strings a quote is always escaped, so this only matches between
# objects); a piece that does not decode (a split at the wrong depth, extra keys, damage) sends
# the rest of its line the ordinary way, as its own document.

CHUNK_BATCH_SPANS = 16_384  # spans per batch handed to the store (and the UI) while reading
READ_STEP = 8 << 20  # bytes asked of `fill` at a time
WHOLE_LINE_BYTES = 8 << 20  # JSON Lines up to this long are decoded line by line
PIECE_BYTES = 1 << 20  # a piece of a long request read from a file: resourceSpans of ~1 MB
PACE_BYTES = 1 << 20  # `pace()` after about this much input decoded (~1,000 spans, a few ms)
_SPLIT = b'},{"resource":'
_PREFIXES = ((b'{"resourceSpans":[', False), (b'{"resource_spans":[', True))


def compact_prefix(head: bytes) -> tuple[bytes, bool] | None:
    for prefix, snake in _PREFIXES:
        if head.startswith(prefix):
            return prefix, snake
    return None


class GrowingBuffer:
    """The input: bytes held whole, or writable memory of the input's size (a `bytearray`, an
    anonymous `mmap`) that `fill` fills a step at a time while it is read.

    `fill(view)` copies the next bytes of the input into `view` and returns how many (0 at the
    end): e.g. a file's `readinto`. The source owns the file; this only asks for more."""

    def __init__(self, data: Any, fill: Callable[[memoryview], int] | None = None) -> None:
        self.data = data
        self.view = memoryview(data)
        self.fill = fill
        self.writable = fill is not None  # pieces are bracketed in place (see `_read_request_pieces`)
        self.filled = 0 if fill is not None else len(data)
        self.size = len(data)

    def more(self) -> bool:
        """Have the next step filled; False at the end of the input."""
        if self.fill is None or self.filled >= self.size:
            return False
        got = self.fill(self.view[self.filled:self.filled + READ_STEP])
        if not got:  # the input shrank while being read (a file cut short): what came is the input
            self.size = self.filled
            return False
        self.filled += got
        return True

    def find(self, sub: bytes, start: int, end: int | None = None) -> int:
        """Like bytes.find, reading more of the file until found, `end` or the end of input."""
        searched = start
        while True:
            stop = self.filled if end is None else min(end, self.filled)
            i = self.data.find(sub, searched, stop)
            if i >= 0 or (end is not None and self.filled >= end) or not self.more():
                return i
            searched = max(start, stop - len(sub) + 1)


def read_lines(buf: GrowingBuffer, source: str, where: str = "") -> Iterator[Batch]:
    """Every line of the input: compact OTLP requests piece by piece, others whole."""
    outer = f"{where}: " if where else ""
    batch = Batch()
    ids = BatchIds()  # the batch's span ids, as the fast converter sees them
    held: list[Problem] = []  # line 1's problems: "line 1: …" only if more lines follow
    cap = ProblemCap()  # a million bad lines: a hundred problems and a count, not a million
    pos, lineno, lines, first_line = 0, 0, 0, 1
    paced = 0  # where pace() was last called
    while True:
        while buf.filled < min(pos + 64, buf.size) and buf.more():
            pass
        if pos >= buf.filled:
            break
        lineno += 1
        head = bytes(buf.data[pos:pos + 64]).lstrip(b" \t\r")
        found = compact_prefix(head)
        if head[:1] == b"\n" or not head:
            pos += len(buf.data[pos:pos + 64]) - len(head) + 1  # a blank line
            continue
        lines += 1
        if lines == 2 and held:  # JSON Lines after all: say which line
            batch.problems.extend(_on_line(p, where, first_line) for p in held)
            held = []
        if lines == 1:
            first_line = lineno
        line_where = where if lines == 1 else f"{outer}line {lineno}"
        # A line of a few MB is decoded whole (as fast, and the same document); a longer one
        # that is a compact request, piece by piece as it arrives.
        nl = buf.find(b"\n", pos, pos + WHOLE_LINE_BYTES)
        if nl < 0 and found is not None:
            start = pos + (len(buf.data[pos:pos + 64]) - len(head)) + len(found[0])
            pieces = _read_request_pieces(buf, start, found, source, line_where, batch, ids)
            mark = len(batch.problems)  # the problems before are admitted already
            while True:
                try:
                    next(pieces)  # the batch is full
                except StopIteration as done:
                    pos = done.value
                    break
                batch.problems[mark:] = cap.admit(batch.problems[mark:])
                mark = 0
                if lines == 1:
                    held += batch.problems
                    batch.problems = []
                yield Batch(ids.mark(batch.spans), batch.problems, batch.logs)
                batch.spans, batch.problems, batch.logs = [], [], []
            batch.problems[mark:] = cap.admit(batch.problems[mark:])
        else:
            if nl < 0:
                nl = buf.find(b"\n", pos)
            end = nl if nl >= 0 else buf.filled
            line = buf.view[pos:end]
            with gc_paused():
                b = read_document_utf8(line, source, f"{outer}line {lineno}", ids)
                if b is None:
                    b = fallback(line, source, f"{outer}line {lineno}")
            batch.spans.extend(b.spans)
            if b.logs:
                batch.logs.extend(b.logs)
            if b.problems:
                batch.problems.extend(cap.admit(b.problems))
            pos = end + 1
            if pos - paced >= PACE_BYTES:
                pace()
                paced = pos
        if lines == 1:
            held += batch.problems
            batch.problems = []
        if len(batch.spans) + len(batch.logs) >= CHUNK_BATCH_SPANS:
            batch.spans = ids.mark(batch.spans)
            yield batch
            batch = Batch()
    batch.problems.extend(held)
    batch.problems.extend(cap.counted())
    if batch.spans or batch.problems or batch.logs:
        batch.spans = ids.mark(batch.spans)
        yield batch


def read_document_utf8(doc: bytes | memoryview, source: str, where: str,
                       ids: BatchIds | None = None) -> Batch | None:
    """`read_document`, with bytes that are not UTF-8 replaced (U+FFFD) and a warning, as
    `read_bytes` does for input read whole (a streamed file does not pass there)."""
    try:
        return read_document(doc, source, where, single=False, ids=ids)
    except UnicodeDecodeError:
        raw = bytes(doc)
        try:
            raw.decode("utf-8")
            at = 0
        except UnicodeDecodeError as e:
            at = e.start
        got = read_document(raw.decode("utf-8", "replace").encode("utf-8"), source, where, single=False) or Batch()
        got.problems.insert(0, Problem(source, f"{where}: byte {at:,}" if where else f"byte {at:,}",
                                       "invalid UTF-8 (here and maybe further on): shown as \ufffd", warning=True))
        return got


def _on_line(p: Problem, where: str, lineno: int) -> Problem:
    """A problem of the first line, read as if it were the whole input, numbered as a line."""
    loc = p.where[len(where):].removeprefix(": ") if where and p.where.startswith(where) else p.where
    line = f"{where}: line {lineno}" if where else f"line {lineno}"
    return replace(p, where=f"{line}: {loc}" if loc else line)


def _read_request_pieces(buf: GrowingBuffer, start: int, found: tuple[bytes, bool], source: str, where: str,
                         batch: Batch, ids: BatchIds | None = None) -> Iterator[None]:
    """The resourceSpans of one compact request line, a piece at a time, into `batch`; yields
    when it is full (the caller hands its contents out) and returns where the next line starts.

    In a file being read (writable memory) a piece holds the resourceSpans of about
    PIECE_BYTES: the commas around it become `[` and `]` while it is decoded as a list, so the
    split is searched for once per piece instead of once per resourceSpans (the search over
    1 GB cost 0.3-0.4 s). Input held as bytes is split at every resourceSpans.
    """
    prefix, snake = found
    one, many = fast_rs_decoders(snake)
    data, view = buf.data, buf.view
    mutable = buf.writable
    conv = FastConverter(source, where, ids)
    r_i = 0
    paced = start
    while True:
        # No newline search per piece: a piece across a line end (JSON Lines of long lines)
        # cannot decode, and the failure below finds the line's end.
        q = buf.find(_SPLIT, start + PIECE_BYTES if mutable else start)
        if q >= 0:
            piece_end, line_end = q + 1, -1
        else:  # the line's last resourceSpans: up to its closing "]}"
            nl = buf.find(b"\n", start)
            line_end = nl if nl >= 0 else buf.filled
            e = line_end
            while e > start and data[e - 1] in b" \t\r":
                e -= 1
            piece_end = e - 2 if data[e - 3:e] == b"}]}" else -1
        failed = piece_end < 0
        if not failed:
            with gc_paused():
                try:
                    if mutable:
                        before, after = data[start - 1], data[piece_end]
                        data[start - 1], data[piece_end] = 0x5B, 0x5D  # "[", "]"
                        try:
                            got = many.decode(view[start - 1:piece_end + 1])
                        finally:
                            data[start - 1], data[piece_end] = before, after
                    else:
                        got = [one.decode(view[start:piece_end])]
                except msgspec.ValidationError:
                    if data.find(b"\n", start, piece_end) >= 0:
                        failed = True  # runs into the next line: the line end is found below
                    else:
                        # Valid JSON with values the fast types refuse: these the careful way.
                        got = []
                        _as_document(data, start, piece_end, r_i, prefix, source, where, batch)
                        r_i += bytes(data[start:piece_end]).count(_SPLIT)
                except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
                    failed = True  # (invalid UTF-8: the rest of the line is read with it replaced)
                else:
                    conv.convert(got, r_i, batch)
                    r_i += len(got) - 1
        if failed:
            # A split at the wrong depth, keys after the list, broken JSON: the rest of the
            # line as a document of its own (the prefix, then the line from this piece on).
            if line_end < 0:
                nl = buf.find(b"\n", start)
                line_end = nl if nl >= 0 else buf.filled
            _as_document(data, start, line_end, r_i, prefix, source, where, batch, whole_rest=True)
            return line_end + 1
        if line_end >= 0:
            return line_end + 1
        start, r_i = q + 2, r_i + 1
        if start - paced >= PACE_BYTES:
            pace()
            paced = start
        if len(batch.spans) >= CHUNK_BATCH_SPANS:
            yield


def _as_document(data: Any, start: int, stop: int, r0: int, prefix: bytes, source: str,
                 where: str, batch: Batch, whole_rest: bool = False) -> None:
    """Read resourceSpans from number `r0` (bytes `start:stop`) as a document of their own:
    one piece (closed here), or the rest of a line (which brings its own closing)."""
    doc = prefix + bytes(data[start:stop]) + (b"" if whole_rest else b"]}")
    with gc_paused():
        got = read_document_utf8(doc, source, "") or Batch()
    batch.spans.extend(got.spans)
    for p in got.problems:
        loc = p.where
        if loc.startswith("resourceSpans["):  # number them as in the whole input
            i, rest = loc[len("resourceSpans["):].split("]", 1)
            loc = f"resourceSpans[{r0 + int(i)}]{rest}"
        loc = f"{where}: {loc}" if where and loc else (where or loc)
        batch.problems.append(replace(p, where=loc))


_validate = msgspec.json.Decoder(msgspec.Raw)  # checks the JSON, builds no objects


def is_json(line: bytes | memoryview) -> bool:
    try:
        _validate.decode(line)
    except msgspec.DecodeError:
        return False
    return True


def read_otlp_jsonl(data: bytes, source: str, lines_per_batch: int = 256, where: str = "") -> Iterator[Batch]:
    """JSON Lines: one document per line; a bad line is reported with its number and skipped
    (what is complete in a cut or damaged line is still read)."""
    out = Batch()
    count = 0
    prefix = f"{where}: " if where else ""
    cap = ProblemCap()  # a million bad lines: a hundred problems and a count, not a million
    for lineno, line in lines_of(data):
        b = read_document(line, source, f"{prefix}line {lineno}", single=False)
        if b is None:
            b = fallback(line, source, f"{prefix}line {lineno}")
        out.spans.extend(b.spans)
        out.logs.extend(b.logs)
        if b.problems:
            out.problems.extend(cap.admit(b.problems))
        count += 1
        # Small batches early: the first trace rows paint while the rest is still read.
        if count >= lines_per_batch or len(out.spans) >= CHUNK_BATCH_SPANS:
            yield out
            out, count = Batch(), 0
    out.problems.extend(cap.counted())
    if out.spans or out.problems or out.logs:
        yield out


def lines_of(data: bytes) -> Iterator[tuple[int, memoryview]]:
    """(line number, line) for the non-blank lines, as views: no copy of the input."""
    view = memoryview(data)
    n = len(data)
    start = 0
    lineno = 0
    while start < n:
        lineno += 1
        end = data.find(b"\n", start)
        if end < 0:
            end = n
        if end - start > 16 or (end > start and not data[start:end].isspace()):
            yield lineno, view[start:end]
        start = end + 1
