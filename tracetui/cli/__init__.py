"""The `tracetui` command line: `commands` (the group, open, summary), `backends` (search options,
backend sources), `live` (--listen, record). Thin: parse options, fill a store, run or print."""

from tracetui.cli.commands import main

__all__ = ["main"]
