"""Big files are read by a thread ahead of the decoder (sources/streaming.py `BackgroundReader`)."""

from __future__ import annotations

import io
import mmap
import time

import orjson
import pytest
from hostile import request, span

from tracetui.loaders.otlp_json import streaming as loader_streaming
from tracetui.sources import streaming
from tracetui.sources.streaming import BackgroundReader, stream_file


def _drain(reader: BackgroundReader, memory, ask: int) -> bytes:
    view, got = memoryview(memory), 0
    while n := reader.fill(view[got:got + ask]):
        assert n <= ask
        got += n
    return bytes(view[:got])


@pytest.mark.parametrize(("step", "ask"), [(7, 5), (5, 64), (1 << 20, 3)])
def test_every_byte_is_handed_out_once_in_order_whatever_the_steps(step, ask):
    data = bytes(range(256)) * 40
    memory = mmap.mmap(-1, len(data))
    reader = BackgroundReader(io.BytesIO(data), memory, step=step)
    assert _drain(reader, memory, ask) == data
    reader.close()


class _FailsAfter(io.BytesIO):
    def __init__(self, data: bytes, good: int) -> None:
        super().__init__(data)
        self.good = good

    def readinto(self, b) -> int:  # noqa: ANN001
        if self.tell() >= self.good:
            raise OSError(5, "Input/output error")
        return super().readinto(b)


def test_a_read_error_is_raised_after_the_bytes_read_before_it():
    data = b"x" * 100
    memory = mmap.mmap(-1, len(data))
    reader = BackgroundReader(_FailsAfter(data, 40), memory, step=10)
    view, got = memoryview(memory), 0
    with pytest.raises(OSError, match="Input/output error"):
        while n := reader.fill(view[got:got + 100]):
            got += n
    assert got == 40
    reader.close()


class _Endless:
    """A file that never ends, a little slowly."""

    closed = False

    def readinto(self, b) -> int:  # noqa: ANN001
        time.sleep(0.001)
        return len(b)

    def close(self) -> None:
        self.closed = True


def test_close_stops_the_thread_and_closes_the_file():
    f, memory = _Endless(), mmap.mmap(-1, 1 << 30)  # 1 GB it will never get to
    reader = BackgroundReader(f, memory, step=64)
    assert reader.fill(memoryview(memory)[:1000]) > 0
    reader.close()
    assert f.closed and not reader._thread.is_alive()


def test_a_load_given_up_leaves_no_thread_and_no_open_file(tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_MIN_BYTES", 100)
    monkeypatch.setattr(streaming, "READ_AHEAD_STEP", 64)
    monkeypatch.setattr(loader_streaming, "CHUNK_BATCH_SPANS", 10)
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(request([span(i)])) for i in range(2000)))
    made = []

    class Recording(BackgroundReader):
        def __init__(self, *args) -> None:  # noqa: ANN002
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(streaming, "BackgroundReader", Recording)
    batches = stream_file(str(path), "f")
    assert next(batches).spans
    batches.close()
    (reader,) = made
    assert reader._file.closed and not reader._thread.is_alive()


def test_a_streamed_file_reports_its_whole_size_read(tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_MIN_BYTES", 100)
    monkeypatch.setattr(streaming, "READ_AHEAD_STEP", 100)
    path = tmp_path / "big.json"
    path.write_bytes(orjson.dumps(request([span(i) for i in range(50)])))
    told = []
    spans = [s for b in stream_file(str(path), "f", on_read=told.append) for s in b.spans]
    assert len(spans) == 50 and sum(told) == path.stat().st_size
