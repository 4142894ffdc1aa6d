"""One size parser for every size setting: the config file, `--max-request-size` and
TRACETUI_MAX_INPUT read `256MiB`, `512k`, `1.5G` the same way (they were three parsers that
disagreed: `1.5G` worked in the environment only, `2T` nowhere but there)."""

import pytest

from tracetui.loaders.sizes import parse_size
from tracetui.sources.files import input_limit
from tracetui.sources.receiver.config import parse_size as receiver_size


@pytest.mark.parametrize(("text", "size"), [
    ("1000", 1000), ("512k", 512 << 10), ("64MiB", 64 << 20), ("64 MB", 64 << 20), ("8G", 8 << 30),
    ("1.5GiB", 3 << 29), ("2T", 2 << 40), (268435456, 268435456),
])
def test_every_size_setting_reads_a_size_the_same_way(text, size, monkeypatch):
    assert parse_size(text) == size
    assert receiver_size(str(text)) == size
    monkeypatch.setenv("TRACETUI_MAX_INPUT", str(text))
    assert input_limit() == size


@pytest.mark.parametrize("text", ["", "lots", "-5", "5X", True, -1])
def test_what_is_not_a_size_is_refused(text, monkeypatch):
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)
    monkeypatch.setenv("TRACETUI_MAX_INPUT", str(text))
    assert input_limit() == 4 << 30  # the default, as README says
