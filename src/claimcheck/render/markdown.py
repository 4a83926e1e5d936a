"""Markdown: a report to paste into a pull request or a ticket."""

from __future__ import annotations

from claimcheck.schema import Report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    out = [
        f"# claimcheck: {report.title or report.path or 'article'}",
        "",
        f"**Score {report.score}/100, grade {report.grade}** ({report.path or 'stdin'})",
        "",
        "| component | points | measure | why |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {c.name} | {c.points:g}/{c.max_points:g} | {_cell(c.value)} | {_cell(c.explanation)} |"
        for c in report.components
    ]
    out += ["", "## Labels", "", "| label | sentences |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in report.label_counts().items()]
    by_index = {s.index: s for s in report.sentences}
    if report.claims:
        out += ["", "## Findings", "", "| line | finding | verdict | evidence |", "|---|---|---|---|"]
        for c in report.claims:
            s = by_index[c.sentence_index]
            evidence = f"“{c.evidence.passage}” ({c.evidence.source_key})" if c.evidence else ""
            out.append(
                f"| {s.line}:{s.column} | {_cell(c.text)} | **{c.verdict}** | {_cell(evidence)} {_cell(c.reason)} |"
            )
    out += ["", "## Sentences", ""]
    out += [f"- `{s.line}:{s.column}` **{s.label}** ({s.confidence:.0%}) {s.text}" for s in report.sentences]
    if report.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in report.warnings]
    return "\n".join(out) + "\n"
