"""Reading one OTLP/HTTP request body: decompressed as a stream, within the size limit, within
the body timeout, and within the memory budget all requests in flight share.

The budget (`InFlight`) counts the bytes of bodies received and not yet answered (after
decompression, the size that sits in memory), across every request: 20 slow clients each sending
61 KB of gzip that inflates to 60 MiB and then stalling once held 1.26 GB. A request that would
pass the budget is refused (503 + Retry-After, exporters retry) and what it held is given back at
once; every request gives back its bytes when it ends, however it ends (answered, timed out,
client gone).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from tracetui.sources.receiver.ingest import Hold, Undecodable

if TYPE_CHECKING:
    from aiohttp import web

CHUNK = 64 * 1024
STEP = 1024 * 1024  # decompressed per zlib call: a 60 MiB member is taken (and counted) in steps


class TooLarge(Exception):
    pass


class Inflater:
    """Stream decompression that stops at `limit` output bytes (a gzip bomb costs at most that).

    gzip may hold several members back to back (RFC 1952); deflate comes zlib-wrapped (RFC 9110)
    or raw from some clients, told apart by the first two bytes. Output is counted into `hold`
    as it is made.
    """

    def __init__(self, encoding: str, limit: int, hold: Hold) -> None:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise KeyError(encoding)
        self.gzip = encoding != "deflate"
        self.limit = limit
        self.hold = hold
        self.out = bytearray()
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS) if self.gzip else None

    def _add(self, piece: bytes) -> None:
        if len(self.out) + len(piece) > self.limit:
            raise TooLarge(f"more than {self.limit} bytes after decompression")
        self.hold.take(len(piece))
        self.out += piece

    def feed(self, data: bytes) -> None:
        if self._d is None:
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._d = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        while data:
            d = self._d
            self._add(d.decompress(data, min(STEP, self.limit + 1 - len(self.out))))
            data = d.unconsumed_tail
            if d.eof and d.unused_data:
                if not self.gzip:
                    break  # trailing bytes after a deflate stream: ignored, as zlib does
                data = d.unused_data
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def finish(self) -> bytes:
        if self._d is None:
            return bytes(self.out)  # empty body
        self._add(self._d.flush())
        if not self._d.eof:
            raise Undecodable("compressed body is truncated")
        return self._take_out()

    def _take_out(self) -> bytes:
        out, self.out = bytes(self.out), bytearray()
        return out


async def read_body(request: web.Request, limit: int, hold: Hold) -> bytes:
    """The request body, decompressed, never holding more than `limit` + one step in memory, and
    counted into `hold` as it grows.

    Raises `TooLarge` past the limit (counted after decompression), `OverBudget` past the shared
    budget, `Undecodable` for a damaged stream, KeyError for an unsupported Content-Encoding,
    ConnectionError when the client goes away.
    """
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    inflater = None if encoding in ("", "identity") else Inflater(encoding, limit, hold)
    if inflater is None and request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"{request.content_length} bytes")
    out = bytearray()
    received = 0
    try:
        async for chunk in request.content.iter_chunked(CHUNK):
            received += len(chunk)
            if received > limit:  # even compressed, a body this big is over the limit
                raise TooLarge(f"more than {limit} bytes")
            if inflater is None:
                hold.take(len(chunk))
                out += chunk
            else:
                inflater.feed(chunk)
        body = inflater.finish() if inflater is not None else bytes(out)
        return body
    except zlib.error as e:
        raise Undecodable(f"body is not valid {encoding} ({e})") from None
    finally:
        # Emptied here, not when this frame is collected: an exception raised in here (the client
        # left: aiohttp raises the one exception it keeps on the request) holds this frame, and
        # so the buffers, for as long as the connection's objects live.
        out.clear()
        if inflater is not None:
            inflater.out.clear()
