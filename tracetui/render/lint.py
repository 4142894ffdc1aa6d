"""`tracetui lint`'s output: the `--json` document (the contract in the README) and the text
report, and the loaders' time problems handed to the lint (`time_problems`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tracetui.analysis.lint import KINDS, LintReport, TimeProblem
from tracetui.analysis.lint.findings import ERROR, INFO, WARNING
from tracetui.analysis.lint.integrity import END_BEFORE_START, NO_END
from tracetui.loaders.problems import Problem
from tracetui.loaders.vocabulary import span_time_problem

if TYPE_CHECKING:
    from rich.console import Console

TRACES_LISTED = 5  # trace ids a finding names in the text report


def time_problems(problems: Iterable[Problem]) -> list[TimeProblem]:
    """The loaders' "ends before it starts" / "has no end time" problems, for the lint."""
    out = []
    for p in problems:
        got = span_time_problem(p.message)
        if got is not None:
            no_end, span_id = got
            out.append(TimeProblem(NO_END if no_end else END_BEFORE_START, span_id, "", p.count))
    return out


def severity_counts(report: LintReport) -> dict[str, int]:
    counts = {ERROR: 0, WARNING: 0, INFO: 0}
    for f in report.findings():
        counts[f.severity] += 1
    return counts


def lint_json(report: LintReport) -> dict:
    findings = report.findings()
    per_trace = report.per_trace()
    return {
        "traces_checked": report.trace_count,
        "spans_checked": report.span_count,
        "finding_counts": severity_counts(report),
        "findings": [f.to_json() for f in findings],
        "traces": [{"trace_id": tid, "findings": kinds} for tid, kinds in sorted(per_trace.items())],
    }


_MARK = {ERROR: ("✗", "bold red"), WARNING: ("!", "bold yellow"), INFO: ("i", "cyan")}


def print_lint(console: Console, report: LintReport) -> None:
    from rich.text import Text

    from tracetui.render.text import clean, safe_text

    findings = report.findings()
    counts = severity_counts(report)
    head = Text(f"{report.trace_count:,} traces, {report.span_count:,} spans: ", style="bold")
    if not findings:
        head.append("no findings", style="bold green")
        console.print(head)
        return
    head.append(", ".join(f"{n:,} {'finding' if n == 1 else 'findings'} at {sev}" for sev, n in counts.items() if n))
    console.print(head)
    title = None
    for f in findings:
        k = KINDS[f.kind]
        if k.title != title:
            title = k.title
            console.print()
            console.print(Text(title, style="bold underline"))
        mark, style = _MARK[f.severity]
        line = Text(f"{mark} ", style=style)
        line.append_text(safe_text(f.message))
        console.print(line)
        shown = f.trace_ids[:TRACES_LISTED]
        more = f.trace_count - len(shown)
        where = "traces " if f.trace_count > 1 else "trace "
        where += ", ".join(clean(t) for t in shown) + (f" and {more:,} more" if more > 0 else "")
        if f.spans:
            where += f"; first span {clean(f.spans[0][1])}"
        console.print(Text("    " + where, style="dim"))
    per_trace = report.per_trace()
    console.print()
    console.print(Text(f"Per trace ({len(per_trace):,} of {report.trace_count:,} with findings)", style="bold underline"))
    for tid, kinds in sorted(per_trace.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        console.print(Text(f"  {clean(tid)}  " + " · ".join(f"{k} {n:,}" for k, n in sorted(kinds.items()))))
