"""SARIF 2.1.0 for code-review tools: each flagged sentence and each finding that its
sources do not support becomes a result with its line and column."""

from __future__ import annotations

import json

from claimcheck import __version__
from claimcheck.schema import Report

RULES = {
    "hype": ("CC001", "warning", "Promotional language beyond the evidence"),
    "call-to-action": ("CC002", "note", "Call to action"),
    "uncited": ("CC101", "warning", "Finding cites no source"),
    "contradicted": ("CC102", "error", "Finding contradicted by its source"),
    "overstated": ("CC103", "warning", "Finding overstates its source"),
    "not-found": ("CC104", "warning", "Finding not found in its cited source"),
}


def render_sarif(report: Report) -> str:
    by_index = {s.index: s for s in report.sentences}
    results = []

    def add(key: str, index: int, message: str) -> None:
        rule, level, _ = RULES[key]
        s = by_index[index]
        results.append(
            {
                "ruleId": rule,
                "level": level,
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": report.path or "stdin"},
                            "region": {
                                "startLine": s.line,
                                "startColumn": s.column,
                                "charOffset": s.start,
                                "charLength": s.end - s.start,
                            },
                        }
                    }
                ],
            }
        )

    for s in report.sentences:
        if s.label in ("hype", "call-to-action"):
            add(s.label, s.index, f"{s.label} ({s.confidence:.0%}): {s.text}")
    for c in report.claims:
        if c.verdict in RULES:
            add(c.verdict, c.sentence_index, f"{c.verdict}: {c.reason}")
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "claimcheck",
                        "version": __version__,
                        "rules": [
                            {"id": rid, "shortDescription": {"text": text}, "defaultConfiguration": {"level": level}}
                            for rid, level, text in RULES.values()
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2)
