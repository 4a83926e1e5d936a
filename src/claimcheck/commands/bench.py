"""`claimcheck bench`: speed and peak memory of every inference path on the same sentences.

Each path runs in its own subprocess, so its peak memory (ru_maxrss) and its import cost are
its own. The TF-IDF + logistic-regression baseline runs in the same benchmark.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.config import PROJECT_ROOT, Settings

PATHS = ("torch", "onnx-fp32", "onnx-int8", "cascade", "tfidf-logreg")


def bench_sentences(n: int | None) -> tuple[list[str], list[str]]:
    """Up to n sentences from the held-out splits only: the cascade's gate is sure of the
    sentences it was trained on, so training sentences would flatter it, and cycling would
    repeat sentences that the de-duplication in predict() then skips."""
    from claimcheck.modeling.dataset import read_split

    data = PROJECT_ROOT / "data" / "processed"
    records = []
    for split in ("test", "dev"):
        path = data / f"{split}.jsonl"
        if path.exists():
            records.extend(read_split(path))
    if not records:
        from claimcheck.errors import ClaimcheckError

        raise ClaimcheckError("no sentences to benchmark: run `make data` first")
    picked = records[:n] if n else records
    return [r.text for r in picked], [r.kind for r in picked]


def _one_path(path: str, model_dir: str, sentences_file: str, batch_size: int) -> dict:
    """Runs inside the subprocess: load, warm up, time, report."""
    import resource

    data = json.loads(Path(sentences_file).read_text(encoding="utf-8"))
    texts, kinds = data["texts"], data["kinds"]
    started = time.perf_counter()
    if path == "tfidf-logreg":
        from claimcheck.modeling.baseline import TfidfBaseline
        from claimcheck.modeling.dataset import read_split

        train = read_split(PROJECT_ROOT / "data" / "processed" / "train.jsonl")
        model = TfidfBaseline().fit([r.text for r in train], [r.kind for r in train], [r.label for r in train])
        load_s = time.perf_counter() - started

        def run() -> None:
            model.predict(texts, kinds)
    else:
        from claimcheck.modeling.predict import load_classifier

        model = load_classifier(Path(model_dir), path, batch_size)
        load_s = time.perf_counter() - started

        def run() -> None:
            # distinct inputs, so the de-duplication in predict() does not flatter the number
            model.predict(texts, kinds)

    model.predict(texts[:32], kinds[:32])  # warm-up
    t0 = time.perf_counter()
    run()
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "path": path,
        "sentences": len(texts),
        "seconds": round(seconds, 3),
        "sentences_per_s": round(len(texts) / seconds, 1),
        "load_s": round(load_s, 2),
        "peak_mb": round(peak_mb, 1),
    }


def run_bench(
    settings: Settings, n: int | None, audit: bool, articles: int, article: bool, output: Path | None, console: Console
) -> None:
    if audit:
        from claimcheck.audit_bench import run_audit_bench

        run_audit_bench(settings, articles, output, console)
        return
    if article:
        from claimcheck.commands.bench_article import run_article_bench

        run_article_bench(settings, output, console)
        return
    texts, kinds = bench_sentences(n)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sentences_file = Path(tmp) / "sentences.json"
        sentences_file.write_text(json.dumps({"texts": texts, "kinds": kinds}), encoding="utf-8")
        for path in PATHS:
            code = (
                "import json,sys;from claimcheck.commands.bench import _one_path;"
                f"print(json.dumps(_one_path({path!r},{str(settings.model_dir)!r},"
                f"{str(sentences_file)!r},{settings.batch_size})))"
            )
            with console.status(f"benchmarking {path} on {len(texts)} sentences"):
                proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if proc.returncode != 0:
                tail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                results.append({"path": path, "error": tail})
                continue
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    table = Table(title=f"{len(texts)} sentences, batch {settings.batch_size}, length-sorted")
    for col in ("path", "sentences/s", "seconds", "load s", "peak MB"):
        table.add_column(col, justify="right" if col != "path" else "left")
    for r in results:
        if "error" in r:
            table.add_row(r["path"], f"[red]{r['error']}[/]", "", "", "")
        else:
            table.add_row(
                r["path"],
                f"{r['sentences_per_s']:,.0f}",
                f"{r['seconds']:.2f}",
                f"{r['load_s']:.2f}",
                f"{r['peak_mb']:.0f}",
            )
    console.print(table)
    if output is not None:
        output.write_text(json.dumps(results, indent=2), encoding="utf-8")
