"""Start-up (issue 15): a command imports only what it uses. `summary --json` on a file needs
no HTTP client, no UI, no tables; `--help` lists every command without importing one. Checked on
the modules each process really imported (`python -X importtime`), not on timings."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from conftest import ROOT, SAMPLES
from imports import imported_by, packages

from tracetui.cli.commands import main

SHOP = str(SAMPLES / "shop.json")
# What no headless command on a file needs: backends' HTTP, the receivers, the UI, protobuf.
HEAVY = {"aiohttp", "httpx", "textual", "textual_serve", "grpc", "opentelemetry", "google"}
# The modules of the commands registered lazily; cli/live.py is the `open` command's --listen too.
COMMAND_MODULES = {target.partition(":")[0] for target, _ in main.lazy_commands.values()} - {"tracetui.cli.live"}
OTHER_FORMATS = {"tracetui.loaders.jaeger_json", "tracetui.loaders.zipkin_json", "tracetui.loaders.console_json",
                 "tracetui.loaders.records", "tracetui.loaders.otlp_proto", "zstandard"}


def test_summary_json_on_a_file_imports_no_http_ui_tables_other_commands_or_other_formats():
    proc, names = imported_by("summary", SHOP, "--json")
    assert proc.returncode == 0, proc.stderr
    assert b'"traces"' in proc.stdout.encode()
    assert packages(names) & (HEAVY | {"rich"}) == set()
    assert names & COMMAND_MODULES == set()
    assert names & OTHER_FORMATS == set()
    assert not any(n.startswith(("tracetui.ui", "tracetui.sources.backends", "tracetui.viewmodels")) for n in names)


def test_help_imports_click_and_the_group_only():
    proc, names = imported_by("--help")
    assert proc.returncode == 0, proc.stderr
    assert packages(names) & (HEAVY | {"rich", "msgspec", "orjson", "zstandard"}) == set()
    assert names & COMMAND_MODULES == set()
    assert not any(n.startswith(("tracetui.model", "tracetui.analysis", "tracetui.render")) for n in names)
    assert "tracetui.loaders.problems" not in names


@pytest.mark.parametrize("args", [
    ("lint", SHOP, "--json"),
    ("stats", SHOP, "--json"),
    ("map", SHOP, "--json"),
    ("compare", SHOP, "--json"),
    ("flame", SHOP, "--json"),
    ("sample", SHOP, "--json", "--rate", "50"),
    ("export", SHOP, "--format", "jaeger", "-o", "-"),
], ids=lambda a: " ".join(a[:1] + a[2:]))
def test_light_headless_commands_import_no_http_ui_or_tables(args):
    proc, names = imported_by(*args)
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout.strip()
    assert packages(names) & (HEAVY | {"rich"}) == set()
    assert names & (COMMAND_MODULES - {f"tracetui.cli.{args[0]}"}) == set()


@pytest.mark.parametrize("command", ["summary", "stats", "lint"])
def test_tables_import_rich_but_no_http_or_ui(command):
    """Without --json a table is drawn: rich is what draws it (and all it may bring)."""
    proc, names = imported_by(command, SHOP)
    assert proc.returncode in (0, 1), proc.stderr
    assert "rich" in packages(names)
    assert packages(names) & HEAVY == set()


def _help(load_all: bool) -> str:
    """`tracetui --help` as printed, with the lazily registered commands imported first or not."""
    code = ("import sys; from tracetui.cli.commands import main\n"
            f"if {load_all}:\n"
            "    for name in list(main.lazy_commands): main.get_command(None, name)\n"
            "before = set(sys.modules)\n"
            "try:\n"
            "    main(['--help'], prog_name='tracetui')\n"
            "finally:\n"
            "    print('imported:', sorted(m for m in set(sys.modules) - before if m.startswith('tracetui')))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_help_lists_every_command_as_if_each_had_been_imported():
    lazy, eager = _help(load_all=False), _help(load_all=True)
    listing, imported = lazy.rsplit("imported: ", 1)
    assert imported.strip() == "[]"  # nothing of tracetui imported to print it
    assert listing == eager.rsplit("imported: ", 1)[0]
    commands = listing.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in commands if line.strip()] == sorted({"open", "summary", *main.lazy_commands})


@pytest.mark.parametrize("name", sorted(main.lazy_commands))
def test_a_lazy_command_is_registered_with_its_own_name_and_first_sentence(name):
    """The stored sentence is what the command's own help starts with: --help reads the same at any width."""
    cmd = main.get_command(click.Context(main), name)
    assert cmd is not None and cmd.name == name
    stored = click.Command(name, help=main.lazy_commands[name][1])
    for width in (30, 60, 1000):
        assert stored.get_short_help_str(width) == cmd.get_short_help_str(width)
