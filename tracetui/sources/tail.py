"""Following a capture file as `tracetui record` writes it: the complete lines added since the
last look, read as trace data (`tracetui serve --listen` shares one receiver between browser tabs
this way: the receiver records, each tab follows the capture)."""

from __future__ import annotations

import os

from tracetui.loaders import read_bytes
from tracetui.loaders.problems import Batch, Problem

MAX_READ = 64 << 20  # at most this much per look: a huge backlog is read in steps


class CaptureTail:
    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.inode: int | None = None

    def read_new(self) -> list[Batch]:
        """The batches of the complete lines written since the last call ([] when none)."""
        try:
            with open(self.path, "rb") as f:
                st = os.fstat(f.fileno())
                if self.inode is not None and (st.st_ino != self.inode or st.st_size < self.offset):
                    self.offset = 0  # replaced or cut: read it again from the start
                self.inode = st.st_ino
                f.seek(self.offset)
                data = f.read(MAX_READ)
        except FileNotFoundError:
            return []
        except OSError as e:
            return [Batch(problems=[Problem(self.path, "", f"cannot read: {e.strerror or e}")])]
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next look
        if end == 0:
            return []
        start = self.offset
        self.offset += end
        return list(read_bytes(data[:end], self.path, where=f"byte {start:,}" if start else ""))
