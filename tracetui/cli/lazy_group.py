"""A click group whose commands are imported only when one of them runs.

`tracetui summary FILE` should not pay for importing `serve`, `record`, `compare`… and `tracetui
--help` for none of them: each command is registered by name, "module:attribute" and the first
sentence of its help (what `--help` lists), and its module is imported by `get_command` when the
command is invoked or its own help is asked. tests/cli/test_start_imports.py checks that the
sentences stored here are the commands' own (the group's help reads the same as if every command
had been imported).
"""

from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    """`add_lazy_command(name, "pkg.module:attr", first sentence of its help)`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, str]] = {}

    def add_lazy_command(self, name: str, target: str, short_help: str) -> None:
        self.lazy_commands[name] = (target, short_help)

    def command_names(self) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.command_names()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module, _, attr = self.lazy_commands[cmd_name][0].partition(":")
            cmd = getattr(importlib.import_module(module), attr)
            if cmd.name != cmd_name:
                raise RuntimeError(f"{module}:{attr} is the command {cmd.name!r}, registered as {cmd_name!r}")
            self.add_command(cmd)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands, with a command not imported yet shown by its stored sentence."""
        shown: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name) or click.Command(name, help=self.lazy_commands[name][1])
            if not cmd.hidden:
                shown.append((name, cmd))
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in shown])
