"""A loader in a thread steps aside between pieces of a big decode (`pace()`), for the pacer of
its thread only; without one nothing happens."""

from __future__ import annotations

import threading

from big_dump import scaled_shop_dump

from tracetui.loaders.otlp_json import streaming
from tracetui.loaders.pacing import pace, pacing
from tracetui.sources import streaming as file_streaming
from tracetui.sources.streaming import stream_file


def test_pace_calls_the_pacer_of_this_thread_only_while_it_is_installed():
    calls: list[str] = []
    pace()  # none installed: nothing happens
    with pacing(lambda: calls.append("outer")):
        pace()
        with pacing(lambda: calls.append("inner")):
            pace()
        pace()
        other = threading.Thread(target=pace)  # another thread has no pacer
        other.start()
        other.join()
    pace()
    assert calls == ["outer", "inner", "outer"]


def test_a_streamed_file_is_paced_between_pieces_and_reads_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(file_streaming, "STREAM_MIN_BYTES", 1000)
    monkeypatch.setattr(streaming, "WHOLE_LINE_BYTES", 64 << 10)  # a long request: read in pieces
    monkeypatch.setattr(streaming, "PIECE_BYTES", 64 << 10)
    monkeypatch.setattr(streaming, "PACE_BYTES", 64 << 10)
    path = tmp_path / "shop_x20.json"
    spans, _ = scaled_shop_dump(path, 20)  # ~1.2 MB of SDK output
    plain = [s for b in stream_file(str(path), "f") for s in b.spans]
    paced: list[int] = []
    with pacing(lambda: paced.append(1)):
        got = [s for b in stream_file(str(path), "f") for s in b.spans]
    assert got == plain and len(got) == spans
    pieces = path.stat().st_size // (64 << 10)
    assert pieces - 2 <= len(paced) <= pieces + 1  # about once a piece
