"""The verify cases keep their promises: known sources and verdicts, held-out topics unseen in training."""

import json
from pathlib import Path

from claimcheck.commands.data import validate_verify

ROOT = Path(__file__).resolve().parents[1]


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _case(i: int, topic: str, verdict: str, source: str | None = "s1") -> dict:
    return {"id": f"c{i}", "topic": topic, "claim": "x", "source_id": source, "verdict": verdict, "why": ""}


def test_the_bundled_verify_cases_are_valid():
    assert validate_verify(ROOT / "data" / "verify") == []


def test_leaks_missing_sources_and_unknown_verdicts_are_reported(tmp_path):
    source = {"id": "s1", "topic": "sleep", "title": "t", "text": "Sleep onset fell by 17 minutes."}
    _write(tmp_path, "train_sources.jsonl", [source])
    _write(tmp_path, "sources.jsonl", [source])
    _write(tmp_path, "train_cases.jsonl", [_case(1, "sleep", "supported"), _case(2, "heart", "maybe")])
    held = [_case(10 + i, "sleep", v) for i, v in enumerate(["supported", "contradicted", "overstated"])]
    held += [_case(20, "sleep", "not-found", "s9"), _case(21, "sleep", "supported", None), _case(1, "sleep", "uncited")]
    _write(tmp_path, "cases.jsonl", held)
    problems = "\n".join(validate_verify(tmp_path))
    assert "training cases use held-out topics: sleep" in problems
    assert "c2 has an unknown verdict 'maybe'" in problems
    assert "c20 cites a missing source s9" in problems
    assert "c21: a case has no source if and only if it is uncited" in problems
    assert "c1: a case has no source if and only if it is uncited" in problems
    assert "verify case id c1 is repeated" in problems
    assert "held-out verify cases (need" in problems
