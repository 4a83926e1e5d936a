"""`claimcheck audit`: progress, summary (worst first, labels, score histogram), outputs and
the exit code (0 clean, 1 a score under --fail-under, 2 some files could not be checked)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.audit import ArticleResult, ResultCache, audit_local, discover, write_index, write_results
from claimcheck.config import Settings
from claimcheck.labels import LABELS, VERDICTS


class _Progress:
    """A rich progress bar on a terminal; a plain line every few seconds otherwise."""

    def __init__(self, total: int, console: Console) -> None:
        self.total, self.console, self.done, self.errors, self.cached = total, console, 0, 0, 0
        self.started = time.perf_counter()
        self.last_line = 0.0
        self.bar = None
        if console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("auditing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} files/s"),
                TextColumn("errors {task.fields[errors]}"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self.task = self.bar.add_task("audit", total=total, rate="0.0", errors=0)
            self.bar.start()

    def update(self, result: ArticleResult, cached: bool) -> None:
        self.done += 1
        self.errors += result.error is not None
        self.cached += cached
        rate = self.done / max(time.perf_counter() - self.started, 1e-6)
        if self.bar is not None:
            self.bar.update(self.task, advance=1, rate=f"{rate:.1f}", errors=self.errors)
        elif time.perf_counter() - self.last_line > 2 or self.done == self.total:
            self.last_line = time.perf_counter()
            self.console.print(
                f"audited {self.done}/{self.total} files, {rate:.1f} files/s, "
                f"{self.errors} errors, {self.cached} from cache",
                soft_wrap=True,
            )

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _histogram(scores: list[int]) -> str:
    buckets = Counter(min(s // 10, 9) for s in scores)
    peak = max(buckets.values(), default=1)
    lines = []
    for b in range(9, -1, -1):
        n = buckets.get(b, 0)
        label = f"{b * 10:>3}-{b * 10 + 9 if b < 9 else 100:<3}"
        lines.append(f"{label} {'█' * round(40 * n / peak) if n else ''} {n}")
    return "\n".join(lines)


def summarise(results: list[ArticleResult], console: Console) -> None:
    scored = [r for r in results if r.score is not None]
    worst = sorted(scored, key=lambda r: r.score)[:10]
    table = Table(title=f"least credible of {len(scored)} checked articles")
    for col in ("score", "grade", "article", "hype", "cta", "uncited", "contradicted"):
        table.add_column(col, justify="right" if col not in ("article", "grade") else "left")
    for r in worst:
        table.add_row(
            str(r.score),
            r.grade or "",
            r.path,
            str(r.labels.get("hype", 0)),
            str(r.labels.get("call-to-action", 0)),
            str(r.verdicts.get("uncited", 0)),
            str(r.verdicts.get("contradicted", 0)),
        )
    console.print(table)
    labels = Counter()
    verdicts = Counter()
    for r in scored:
        labels.update(r.labels)
        verdicts.update(r.verdicts)
    total = sum(labels.values()) or 1
    console.print("labels: " + ", ".join(f"{k} {labels[k]} ({labels[k] / total:.0%})" for k in LABELS))
    console.print("findings: " + ", ".join(f"{k} {verdicts[k]}" for k in VERDICTS))
    if scored:
        console.print("score histogram:\n" + _histogram([r.score for r in scored]), highlight=False)
    errors = [r for r in results if r.error]
    if errors:
        console.print(f"[red]{len(errors)} file(s) could not be checked:[/]")
        for r in errors[:20]:
            console.print(f"  {r.path}: {r.error}", soft_wrap=True, markup=False)


def run_audit_command(
    paths: list[str],
    settings: Settings,
    output: Path | None,
    fmt: str,
    html_dir: Path | None,
    engine: str,
    address: str | None,
    use_cache: bool,
    console: Console,
) -> int:
    from claimcheck.pipeline import Checker

    if engine == "ray":
        from claimcheck.audit_ray import audit_ray

        results = audit_ray(paths, settings, address=address, html_dir=html_dir)
    elif engine == "local":
        found = discover(paths, settings.include, settings.exclude)
        results: list[ArticleResult] = list(found.problems)
        checker = Checker.from_settings(settings, online=settings.online)
        cache = ResultCache(settings.cache_dir / "audit.sqlite") if use_cache else None
        progress = _Progress(len(found.files), console)

        def on_result(result: ArticleResult, cached: bool) -> None:
            results.append(result)
            progress.update(result, cached)

        try:
            audit_local(found.files, settings, checker, cache, settings.online, on_result, html_dir)
        except KeyboardInterrupt:
            progress.stop()
            console.print(
                f"[yellow]interrupted after {progress.done} files; finished results are cached, "
                "run the same command to resume[/]"
            )
            return 130
        finally:
            progress.stop()
            if cache is not None:
                cache.close()
        if progress.cached:
            console.print(f"[dim]{progress.cached} unchanged file(s) came from the cache[/]")
    else:
        from claimcheck.errors import ClaimcheckError

        raise ClaimcheckError(f"unknown engine {engine!r} (local or ray)")
    summarise(results, console)
    if output is not None:
        write_results(results, output, "csv" if output.suffix == ".csv" else fmt)
        console.print(f"results written to {output}")
    if html_dir is not None:
        console.print(f"HTML reports: {write_index(results, html_dir)}")
    if any(r.error for r in results):
        return 2
    if settings.fail_under is not None and any(r.score is not None and r.score < settings.fail_under for r in results):
        return 1
    return 0
