"""The rich terminal report: score panel, the article coloured by label with side notes for
flagged sentences, the findings table with verdicts and evidence, and the score components.

The console is injected, so tests can render to a string and plain (non-terminal) output
is just a console without colour.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from claimcheck.schema import Report

LABEL_STYLES = {
    "finding": "bold cyan",
    "hype": "bold magenta",
    "call-to-action": "bold yellow",
    "disclaimer": "green",
    "background": "default",
}
VERDICT_STYLES = {
    "supported": "green",
    "contradicted": "bold red",
    "overstated": "yellow",
    "not-found": "magenta",
    "uncited": "dim",
}
GRADE_STYLES = {"A": "bold green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}


def _score_panel(report: Report) -> Panel:
    counts = report.label_counts()
    verdicts = report.verdict_counts()
    head = Text()
    head.append(f"{report.score}/100 ", style=GRADE_STYLES.get(report.grade, ""))
    head.append(f"grade {report.grade}", style=GRADE_STYLES.get(report.grade, ""))
    head.append(f"   {report.path or '<stdin>'}", style="dim")
    labels = Text("  ".join(f"{k} {v}" for k, v in counts.items()))
    for label, style in LABEL_STYLES.items():
        labels.highlight_words([label], style=style)
    verdict_line = Text("findings: " + "  ".join(f"{k} {v}" for k, v in verdicts.items() if v))
    return Panel(
        Group(head, labels, verdict_line),
        title=report.title or "claimcheck",
        title_align="left",
        border_style=GRADE_STYLES.get(report.grade, "white"),
    )


def _article(report: Report, flag_labels: tuple[str, ...]) -> Panel:
    body = Text()
    claims = {c.sentence_index: c for c in report.claims}
    last_block = None
    for s in report.sentences:
        if last_block is not None and s.block_index != last_block:
            body.append("\n")
        elif last_block is not None:
            body.append(" ")
        last_block = s.block_index
        body.append(s.text, style=LABEL_STYLES.get(s.label, ""))
        note = None
        if s.label in flag_labels:
            note = f"{s.label} {s.confidence:.0%}"
        claim = claims.get(s.index)
        if claim is not None and claim.verdict != "supported":
            note = f"{claim.verdict}"
        if note:
            body.append(f"  ◀ {s.line}:{s.column} {note}", style="dim italic")
    return Panel(body, title="article", title_align="left", border_style="dim")


def _findings(report: Report) -> Table:
    table = Table(title="findings and their sources", show_lines=True, expand=True)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("finding", ratio=3)
    table.add_column("verdict", no_wrap=True)
    table.add_column("source and evidence", ratio=3)
    by_index = {s.index: s for s in report.sentences}
    for claim in report.claims:
        s = by_index[claim.sentence_index]
        evidence = Text()
        if claim.evidence is not None:
            evidence.append(claim.evidence.source_title or claim.evidence.source_key, style="bold")
            evidence.append(f"\n“{claim.evidence.passage}”\n", style="italic")
        elif claim.sources:
            evidence.append(", ".join(claim.sources) + "\n", style="bold")
        evidence.append(claim.reason, style="dim")
        if claim.evidence is not None:
            for check in claim.evidence.checks[:-1][:3]:  # the last entry repeats the reason
                evidence.append(f"\n· {check}", style="dim")
        table.add_row(
            f"{s.line}:{s.column}",
            claim.text,
            Text(claim.verdict, style=VERDICT_STYLES.get(claim.verdict, "")),
            evidence,
        )
    return table


def _components(report: Report) -> Table:
    table = Table(title="how the score was built", expand=True)
    table.add_column("component")
    table.add_column("points", justify="right")
    table.add_column("measure")
    table.add_column("why")
    for c in report.components:
        table.add_row(c.name, f"{c.points:g}/{c.max_points:g}", c.value, c.explanation)
    return table


def render_terminal(
    report: Report, console: Console, flag_labels: tuple[str, ...] = ("hype", "call-to-action"), quiet: bool = False
) -> None:
    """Print the report to ``console``; ``quiet`` prints only the score line."""
    if quiet:
        console.print(f"{report.path or '<stdin>'}: {report.score}/100 grade {report.grade}")
        return
    console.print(_score_panel(report))
    console.print(_article(report, flag_labels))
    if report.claims:
        console.print(_findings(report))
    console.print(_components(report))
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
