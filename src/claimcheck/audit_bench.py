"""`claimcheck bench --audit`: a batch audit's throughput and peak memory, cold and cached.

The same corpus is audited once with an empty cache (the model's speed) and once again with
the cache it filled (the result cache's speed). The corpus cycles 204 distinct pages, the
samples and the corpus articles rendered as Markdown; every copy gets its own footer line, so
no two files share a content hash and the cold run really checks every one. Each run is a subprocess of
its own, so its peak memory (ru_maxrss) is that run's alone.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from claimcheck.config import PROJECT_ROOT, Settings
from claimcheck.errors import ClaimcheckError

SAMPLES = PROJECT_ROOT / "data" / "samples"
SAMPLE_SUFFIXES = (".md", ".html", ".txt")
RUNS = ("cold", "cached")


def sample_articles() -> list[Path]:
    """The bundled sample articles (not the folder's README)."""
    found = sorted(p for p in SAMPLES.iterdir() if p.suffix in SAMPLE_SUFFIXES and p.name != "README.md")
    if not found:
        raise ClaimcheckError(f"no sample articles in {SAMPLES} to build an audit corpus from")
    return found


RAW_ARTICLES = PROJECT_ROOT / "data" / "raw" / "articles"
_MARKDOWN = {"title": "# ", "heading": "## ", "li": "- ", "quote": "> ", "ref": "- "}


def render_raw_article(path: Path) -> bytes:
    """A corpus article (data/raw/FORMAT.md) as the Markdown page it describes: sentences of
    a paragraph joined, list items as a list, every other segment a block of its own."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(" ".join(paragraph) + "\n\n")
            paragraph.clear()

    body = path.read_text(encoding="utf-8").split("\n\n", 1)[-1]
    for line in body.splitlines():
        kind, _label, text = ([*line.split(" | ", 2), "", ""])[:3]
        if kind == "p":
            paragraph.append(text)
            continue
        flush()
        if not line.strip():
            out.append("\n")
        elif kind in ("li", "ref"):
            out.append(f"- {text}\n")
        else:
            text = f"[{text}](#)" if kind == "button" else text
            out.append(_MARKDOWN.get(kind, "") + text + "\n\n")
    flush()
    return "".join(out).encode()


def build_corpus(folder: Path, articles: int) -> list[Path]:
    """``articles`` files cycled from the 14 samples and the 190 corpus articles rendered as
    Markdown (204 distinct pages), each copy with a unique footer line."""
    samples = [(p.name, p.suffix, p.read_bytes()) for p in sample_articles()]
    if RAW_ARTICLES.is_dir():
        samples += [(p.stem + ".md", ".md", render_raw_article(p)) for p in sorted(RAW_ARTICLES.glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(articles):
        name, suffix, data = samples[i % len(samples)]
        footer = f"<p>Corpus copy {i}.</p>\n" if suffix == ".html" else f"\n\nCorpus copy {i}.\n"
        path = folder / f"{i // 1000:03d}" / f"{i:06d}-{name}"  # a thousand files per folder
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data + footer.encode())
        written.append(path)
    return written


def run_phase(corpus: str, settings_file: str) -> dict:
    """Runs inside the subprocess: one whole local audit of ``corpus``, timed."""
    import resource

    from claimcheck.audit import ResultCache, audit_local, discover
    from claimcheck.pipeline import Checker

    started = time.perf_counter()
    settings: Settings = pickle.loads(Path(settings_file).read_bytes())
    found = discover([corpus], settings.include, settings.exclude)
    checker = Checker.from_settings(settings, online=settings.online)
    cache = ResultCache(settings.cache_dir / "audit.sqlite")
    load_s = time.perf_counter() - started
    counts = {"articles": 0, "sentences": 0, "cached": 0, "errors": 0}

    def on_result(result, cached: bool) -> None:
        counts["articles"] += 1
        counts["sentences"] += result.sentences
        counts["cached"] += cached
        counts["errors"] += result.error is not None

    t0 = time.perf_counter()
    try:
        audit_local(found.files, settings, checker, cache, settings.online, on_result)
    finally:
        cache.close()
    seconds = max(time.perf_counter() - t0, 1e-9)
    return {
        **counts,
        "seconds": round(seconds, 3),
        "articles_per_s": round(counts["articles"] / seconds, 1),
        "sentences_per_s": round(counts["sentences"] / seconds, 1),
        "load_s": round(load_s, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _run_subprocess(name: str, corpus: Path, settings_file: Path) -> dict:
    code = (
        "import json;from claimcheck.audit_bench import run_phase;"
        f"print(json.dumps(run_phase({str(corpus)!r},{str(settings_file)!r})))"
    )
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    wall = round(time.perf_counter() - t0, 2)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"run": name, "error": tail, "wall_s": wall}
    return {"run": name, **json.loads(proc.stdout.strip().splitlines()[-1]), "wall_s": wall}


def _table(results: list[dict], articles: int) -> Table:
    table = Table(
        title=f"local audit of {articles} articles, cold (empty cache) then cached",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    columns = ("run", "articles/s", "sentences/s", "audit s", "wall s", "cached", "errors", "peak MB")
    for col in columns:
        table.add_column(col, justify="left" if col == "run" else "right", no_wrap=True)
    for r in results:
        if "error" in r:
            table.add_row(r["run"], "[red]failed[/]", "", "", f"{r['wall_s']:.2f}", "", "", "")
            continue
        table.add_row(
            r["run"],
            f"{r['articles_per_s']:,.1f}",
            f"{r['sentences_per_s']:,.0f}",
            f"{r['seconds']:.2f}",
            f"{r['wall_s']:.2f}",
            str(r["cached"]),
            str(r["errors"]),
            f"{r['peak_mb']:.0f}",
        )
    return table


def run_audit_bench(settings: Settings, articles: int, output: Path | None, console: Console) -> list[dict]:
    """Build the corpus, audit it cold then cached (a subprocess each), show and save the numbers."""
    from claimcheck.modeling.predict import read_meta

    if articles < 1:
        raise ClaimcheckError("--articles must be at least 1")
    read_meta(settings.model_dir)  # a missing model is one clear error here, not two failed runs
    results = []
    with tempfile.TemporaryDirectory(prefix="claimcheck-audit-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        with console.status(f"writing {articles} articles"):
            build_corpus(corpus, articles)
        settings_file = Path(tmp) / "settings.pickle"
        settings_file.write_bytes(pickle.dumps(replace(settings, cache_dir=Path(tmp) / "cache")))
        for name in RUNS:
            with console.status(f"auditing {articles} articles ({name})"):
                results.append(_run_subprocess(name, corpus, settings_file))
            if "error" in results[-1]:
                break  # nothing is cached to measure
    console.print(_table(results, articles))
    console.print("[dim]audit s: the checking alone; wall s: the whole process, imports and model load included[/]")
    for r in results:
        if "error" in r:
            console.print(f"[red]the {r['run']} run failed:[/] {escape(r['error'])}", soft_wrap=True)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps({"articles": articles, "runs": results}, indent=2), encoding="utf-8")
    return results
