"""JSON: the one place where a Report's keys are decided (schema: schemas/report.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from claimcheck import __version__
from claimcheck.schema import Report


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "claimcheck_version": __version__,
        "path": report.path,
        "title": report.title,
        "format": report.format,
        "model": report.model,
        "score": report.score,
        "grade": report.grade,
        "components": [
            {
                "name": c.name,
                "points": c.points,
                "max_points": c.max_points,
                "value": c.value,
                "explanation": c.explanation,
                "sentences": list(c.sentence_indexes),
            }
            for c in report.components
        ],
        "label_counts": report.label_counts(),
        "verdict_counts": report.verdict_counts(),
        "sentences": [
            {
                "index": s.index,
                "text": s.text,
                "label": s.label,
                "confidence": s.confidence,
                "scores": s.scores,
                "start": s.start,
                "end": s.end,
                "line": s.line,
                "column": s.column,
                "kind": s.kind.value,
            }
            for s in report.sentences
        ],
        "citations": [
            {
                "index": c.index,
                "kind": c.kind,
                "identifier": c.identifier,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "line": c.line,
                "column": c.column,
                "number": c.number,
            }
            for c in report.citations
        ],
        "claims": [
            {
                "sentence": c.sentence_index,
                "text": c.text,
                "verdict": c.verdict,
                "confidence": c.confidence,
                "reason": c.reason,
                "citations": list(c.citations),
                "sources": list(c.sources),
                "unresolved": list(c.unresolved),
                "evidence": None
                if c.evidence is None
                else {
                    "source": c.evidence.source_key,
                    "title": c.evidence.source_title,
                    "passage": c.evidence.passage,
                    "similarity": c.evidence.similarity,
                    "checks": list(c.evidence.checks),
                },
            }
            for c in report.claims
        ],
        "warnings": list(report.warnings),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2)
