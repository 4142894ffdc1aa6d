"""`tracetui record`: receive OTLP headless and write every accepted request to a capture file.

Each request is answered 200 only after its line is written and flushed, so whatever an exporter
was told was accepted is on disk. SIGINT/SIGTERM stop listening, let the requests in flight
finish, sync the file and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TextIO

from tracetui.model.gcpause import freeze_loaded
from tracetui.render.text import clean
from tracetui.render.units import count
from tracetui.sources.receiver.capture import CaptureWriter, decode_for_capture, decode_logs_for_capture
from tracetui.sources.receiver.config import LiveConfig
from tracetui.sources.receiver.ingest import Ingest, IngestStats, Received
from tracetui.sources.receiver.servers import LiveServers


def status_line(stats: IngestStats, path: str) -> str:
    logs = f" and {count(stats.logs, 'log record')}" if stats.logs else ""
    line = (f"{count(stats.spans, 'span')}{logs} in {count(stats.requests, 'request')} to {path}, "
            f"{stats.rate():,.0f} spans/s")
    rejected = stats.rejected_text()
    return f"{line}; {rejected}" if rejected else line


class Progress:
    """The running count on stderr: one line rewritten in place on a terminal, else a line now
    and then (only when something changed)."""

    def __init__(self, out: TextIO, tty: bool | None = None, every: float | None = None) -> None:
        self.out = out
        self.tty = out.isatty() if tty is None else tty
        self.every = every if every is not None else (0.25 if self.tty else 5.0)
        self._last = ""
        self._width = 0

    def show(self, text: str, final: bool = False) -> None:
        text = clean(text)  # counts, reasons and the file name: one clean line
        if self.tty:
            pad = " " * (max(0, self._width - len(text)) + (2 if final else 0))  # and over an echoed ^C
            self.out.write(f"\r{text}{pad}" + ("\n" if final else ""))
            self._width = len(text)
        elif text != self._last:
            self.out.write(text + "\n")
        self._last = text
        self.out.flush()


async def record(config: LiveConfig, output: str, *, append: bool = False, err: TextIO | None = None,
                 stop: asyncio.Event | None = None) -> int:
    """Run until SIGINT/SIGTERM (or `stop` is set). Returns the exit status. Raises OSError when
    the capture file cannot be opened or an address cannot be bound (nothing left behind)."""
    err = err or sys.stderr
    loop = asyncio.get_running_loop()
    existed = os.path.exists(output)
    writer = CaptureWriter(output, append=append)
    write_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracetui-capture")

    async def sink(rec: Received) -> None:
        await loop.run_in_executor(write_pool, writer.write, rec)

    ingest = Ingest(sink, token=config.token, max_body=config.max_body, decoder=decode_for_capture,
                    logs_decoder=decode_logs_for_capture)
    try:
        servers = LiveServers(config, ingest)
        await servers.start()
    except BaseException:
        writer.close()
        write_pool.shutdown()
        if not existed and os.path.getsize(output) == 0:
            os.unlink(output)
        raise
    stop = stop or asyncio.Event()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    for w in config.warnings():
        err.write(f"tracetui: {clean(w)}\n")
    err.write(f"tracetui: recording {clean(f'{servers.describe()} to {output}')}; Ctrl-C to stop\n")
    err.flush()
    progress = Progress(err)
    stats = ingest.stats
    try:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), progress.every)
            if stats.requests or stats.rejected_requests:
                progress.show(status_line(stats, output))
    finally:
        started = time.monotonic()
        await servers.stop()  # in-flight requests are written and answered first
        write_pool.shutdown(wait=True)
        writer.close()
        for sig in handled:
            loop.remove_signal_handler(sig)
        progress.show(status_line(stats, output), final=True)
        logs = f" and {count(writer.logs, 'log record')}" if writer.logs else ""
        err.write(f"tracetui: stopped in {time.monotonic() - started:.1f} s; {count(writer.spans, 'span')}{logs} in "
                  f"{count(writer.lines, 'line')} of {clean(output)}\n")
        err.flush()
    return 0


def run_record(config: LiveConfig, output: str, *, append: bool = False) -> int:
    # Everything alive now (modules, classes) lives as long as the process: keep full
    # collections from walking it again and again while requests pour in.
    freeze_loaded(collect=True)
    return asyncio.run(record(config, output, append=append))
