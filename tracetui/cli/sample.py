"""`tracetui sample`: which loaded traces a tail-sampling policy would keep, the kept share of
traces, spans and bytes, and what the policy would lose. The policy and the hash: README and
tracetui/analysis/sampling.py."""

from __future__ import annotations

import sys

import click

from tracetui.cli.backends import search_options


@click.command("sample")
@click.argument("sources", nargs=-1)
@click.option("--keep-errors", is_flag=True, help="Keep every trace with a span whose status is ERROR.")
@click.option("--slower-than", "slower_than", multiple=True, metavar="[OPERATION=]DURATION",
              help="Keep traces at least this long (500ms); OPERATION= sets it for traces whose root span "
                   "has that name (or 'service: name'). Repeatable.")
@click.option("--rate", default="", metavar="PERCENT",
              help="Keep this share of the rest (5%), chosen by trace id as the Collector's probabilistic sampler.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (see README).")
@click.option("--no-adjust", is_flag=True, help="Durations as read: do not adjust clock skew.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem met while loading (default: one line per kind).")
@search_options()
def sample_cmd(sources: tuple[str, ...], keep_errors: bool, slower_than: tuple[str, ...], rate: str, as_json: bool,
               no_adjust: bool, verbose: bool, search) -> None:
    """Preview a sampling policy on the traces in SOURCES: kept share and what it loses.

    Exit status: 0 when everything loaded, 1 when some input was skipped, 2 when nothing loaded.
    """
    from tracetui.analysis.sampling import make_policy, preview
    from tracetui.cli.loading import finish, load_for_print

    try:
        policy = make_policy(keep_errors, slower_than, rate)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    store, problems, err = load_for_print(sources, search, None, verbose)
    if no_adjust:
        store.set_adjust_skew(False)
    result = preview(store.sorted_by_start(), policy)
    if as_json:
        from tracetui.render.text import json_bytes

        sys.stdout.buffer.write(json_bytes(result.to_json()) + b"\n")
    else:
        from tracetui.render.sampling import preview_lines

        sys.stdout.write("\n".join(preview_lines(result, policy)) + "\n")
    sys.stdout.flush()
    finish(store, problems, err)
