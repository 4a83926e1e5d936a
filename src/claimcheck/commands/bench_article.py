"""`claimcheck bench --article`: time checking a 1,500-word article, warm (in process,
model loaded) and cold (a fresh `claimcheck check` process, import and model load included)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.config import PROJECT_ROOT, Settings


def build_article(words: int = 1500) -> str:
    """A Markdown article of about ``words`` words stitched from the bundled samples."""
    parts, total = [], 0
    for path in sorted((PROJECT_ROOT / "data" / "samples").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts.append(text)
        total += len(text.split())
        if total >= words:
            break
    body = "\n\n".join(parts)
    return " ".join(body.split(" ")[: words + 200]) if total > words * 1.3 else body


def run_article_bench(settings: Settings, output: Path | None, console: Console) -> None:
    from claimcheck.load import load_text
    from claimcheck.pipeline import Checker

    article = build_article()
    words = len(article.split())
    checker = Checker.from_settings(settings.with_overrides(source_dirs=(PROJECT_ROOT / "data" / "sources",)))
    document = load_text(article, "markdown")
    t0 = time.perf_counter()
    checker.check(document)  # nothing memoized yet: embeddings, cross-encoder and gate caches are empty
    first = time.perf_counter() - t0
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        report = checker.check(load_text(article, "markdown"))
        warm.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "article.md"
        path.write_text(article, encoding="utf-8")
        cold = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "claimcheck.cli",
                    "check",
                    str(path),
                    "--quiet",
                    "--sources",
                    str(PROJECT_ROOT / "data" / "sources"),
                    "--model",
                    str(settings.model_dir),
                ],
                capture_output=True,
                check=False,
            )
            cold.append(time.perf_counter() - t0)
    result = {
        "words": words,
        "sentences": len(report.sentences),
        "claims": len(report.claims),
        "warm_first_s": round(first, 3),
        "warm_median_s": round(statistics.median(warm), 3),
        "cold_median_s": round(statistics.median(cold), 3),
    }
    table = Table(
        title=f"checking a {words}-word article ({result['sentences']} sentences, "
        f"{result['claims']} findings, 22 local sources)"
    )
    table.add_column("run")
    table.add_column("median seconds", justify="right")
    table.add_row("warm, first check (models loaded, nothing memoized)", f"{result['warm_first_s']:.3f}")
    table.add_row("warm, re-check of the same text (memoized)", f"{result['warm_median_s']:.3f}")
    table.add_row("cold (new process)", f"{result['cold_median_s']:.3f}")
    console.print(table)
    if output is not None:
        output.write_text(json.dumps(result, indent=2), encoding="utf-8")
