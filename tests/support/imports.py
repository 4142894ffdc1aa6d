"""Which modules a `tracetui` command imports, read from `python -X importtime`: the interpreter
names every module the first time anything imports it (at the top of a file, inside a function,
through importlib), in the process that ran the command, until it exits."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def imported_by(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `python -m tracetui ARGS…`; (the finished process, the names of the modules it imported)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "tracetui", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, stdin=subprocess.DEVNULL)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    names = {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # lines[0] is the column titles
    assert "tracetui.cli" in names, proc.stderr[-2000:]  # the output was read as it should be
    return proc, names


def packages(names: set[str]) -> set[str]:
    """The top-level packages of the modules named (`rich.console` -> `rich`)."""
    return {n.split(".", 1)[0] for n in names}
