"""`claimcheck classify`: label text, a file or stdin; a table or one JSON object a line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from claimcheck.config import Settings
from claimcheck.errors import InputError
from claimcheck.load import decode, format_for, load_path, load_text
from claimcheck.segment import segment_document


def _read(text: str | None, settings: Settings) -> tuple[str, str | None]:
    """The input text, and the path it came from when it was a file."""
    if text is None or text == "-":
        if sys.stdin.isatty():
            raise InputError("no input: give text, a file, or pipe text into stdin")
        return decode(sys.stdin.buffer.read(), "<stdin>"), None
    if len(text) < 4096 and "\n" not in text:
        candidate = Path(text)
        if candidate.is_file():
            return "", str(candidate)
    return text, None


def run_classify(text: str | None, settings: Settings, one_per_line: bool, fmt: str) -> None:
    from claimcheck.modeling.predict import load_classifier

    if fmt not in ("table", "jsonl"):
        raise InputError(f"unknown format {fmt!r} (table or jsonl)")
    body, path = _read(text, settings)
    if one_per_line:
        if path:
            body = decode(Path(path).read_bytes(), path)
        sentences = [line.strip() for line in body.splitlines() if line.strip()]
        kinds = ["paragraph"] * len(sentences)
    else:
        if path and format_for(path) is None:
            raise InputError(f"{path}: unsupported file type")
        document = load_path(path, max_bytes=settings.max_bytes) if path else load_text(body, "text")
        segments = segment_document(document)
        sentences = [s.text for s in segments]
        kinds = [s.kind.value for s in segments]
    if not sentences:
        raise InputError("no text to classify")
    classifier = load_classifier(settings.model_dir, settings.backend, settings.batch_size)
    preds = classifier.predict(sentences, kinds)
    if fmt == "jsonl":
        out = sys.stdout
        for sentence, pred in zip(sentences, preds, strict=True):
            out.write(
                json.dumps(
                    {
                        "text": sentence,
                        "label": pred.label,
                        "confidence": round(pred.confidence, 4),
                        "scores": pred.scores,
                        "truncated": pred.truncated,
                        "decided_by": pred.decided_by,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        return
    from rich.console import Console
    from rich.table import Table

    from claimcheck.render.terminal import LABEL_STYLES

    table = Table(show_lines=False, expand=True)
    table.add_column("label", no_wrap=True)
    table.add_column("conf", justify="right")
    table.add_column("sentence")
    for sentence, pred in zip(sentences, preds, strict=True):
        table.add_row(f"[{LABEL_STYLES[pred.label]}]{pred.label}[/]", f"{pred.confidence:.2f}", sentence)
    console = Console()
    console.print(table)
    if any(p.truncated for p in preds):
        Console(stderr=True).print("[yellow]warning:[/] long sentences were truncated to the model's input length")
