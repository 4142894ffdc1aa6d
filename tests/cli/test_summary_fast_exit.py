"""`tracetui summary` on a big store exits without tearing the store down: output and exit
status must still be complete."""

from __future__ import annotations

import subprocess
import sys

import orjson
from loaders.test_otlp_fast import doc, sp


def test_summary_of_a_big_store_exits_fast_with_all_output_and_the_exit_status(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(doc([sp(1), sp(2, 1, spanId="")]))
    code = ("import sys, tracetui.cli.headless as h, tracetui.cli.commands as c; h.FAST_EXIT_SPANS = 1; "
            f"sys.argv = ['tracetui', 'summary', {str(path)!r}, '--json']; c.main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 1  # a span was skipped
    assert orjson.loads(proc.stdout)["traces"][0]["span_count"] == 1
    assert b"tracetui: 1 span skipped" in proc.stderr
