"""The store knows which input each trace was read from (before and after a deploy)."""

from __future__ import annotations

import shutil

from incident import AFTER, BEFORE

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths


def test_each_trace_remembers_the_file_it_was_read_from():
    store = TraceStore()
    assert load_paths([str(BEFORE), str(AFTER)], store) == []
    assert store.sources() == [str(BEFORE), str(AFTER)]
    assert len(store.traces_from(str(BEFORE))) == 40
    assert len(store.traces_from(str(AFTER))) == 80
    assert len(store) == 120


def test_the_files_of_a_directory_count_as_the_directory_named(tmp_path):
    (tmp_path / "after").mkdir()
    shutil.copy(AFTER, tmp_path / "after" / "a.jsonl.gz")
    shutil.copy(BEFORE, tmp_path / "after" / "b.jsonl.gz")
    store = TraceStore()
    load_paths([str(tmp_path / "after")], store)
    assert store.sources() == [str(tmp_path / "after")]


def test_a_store_fed_without_sources_knows_none_and_eviction_forgets():
    store = TraceStore(max_spans=100)
    load_paths([str(AFTER)], store)
    assert set(store.source_of) == set(store.traces)  # evicted traces were forgotten
    store.clear()
    assert store.sources() == []
