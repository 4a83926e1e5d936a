"""`claimcheck audit` and the local engine: discovery, bad inputs, the result cache, resume,
result files and exit codes, on copies of the sample articles and the tiny model."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from claimcheck.audit import ResultCache, audit_local, discover
from claimcheck.cli import app

ROOT = Path(__file__).resolve().parents[1]

runner = CliRunner()
SAMPLES = ROOT / "data" / "samples"
SOURCES = ROOT / "data" / "sources"
ARTICLES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".md", ".html", ".txt") and p.name != "README.md")
# most tests audit four samples (every format; two .txt for the filters), to stay fast
FEW = [
    SAMPLES / name
    for name in (
        "crypto-promo.txt",
        "forum-post-fasting.txt",
        "gov-blood-pressure-salt.html",
        "news-magnesium-sleep.md",
    )
]
KEY_FIELDS = ("path", "score", "grade", "labels")


def _copy(paths: list[Path], folder: Path) -> Path:
    folder.mkdir()
    for path in paths:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return _copy(FEW, tmp_path / "articles")


@pytest.fixture
def all_articles(tmp_path: Path) -> Path:
    return _copy(ARTICLES, tmp_path / "all-articles")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh result cache per test, and no configuration file above the working folder."""
    monkeypatch.setenv("CLAIMCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def checker(tiny_settings):
    from claimcheck.pipeline import Checker

    return Checker.from_settings(tiny_settings)


def _audit(tiny_model: Path, *args):
    argv = ["audit", *map(str, args), "--model", str(tiny_model), "--sources", str(SOURCES)]
    return runner.invoke(app, argv, catch_exceptions=False)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _by_name(rows: list[dict]) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in rows}


def _run_local(files, settings, checker, cache, html_dir=None) -> list[tuple[object, bool]]:
    seen: list[tuple[object, bool]] = []
    audit_local(files, settings, checker, cache, False, lambda r, cached: seen.append((r, cached)), html_dir)
    return seen


# discovery


def test_include_exclude_and_ignore_file(tmp_path: Path):
    root = tmp_path / "site"
    for rel in (
        "a.md",
        "b.txt",
        "page.html",
        "drafts/wip.md",
        "vendor/lib.md",
        "blog/post.md",
        "blog/secret-plan.md",
        "blog/image.png",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("# Title\n\nA sentence.\n", encoding="utf-8")
    (root / ".claimcheckignore").write_text("# comments are allowed\ndrafts/\nsecret-*.md\n", encoding="utf-8")

    found = discover([str(root)], ("*.md", "*.txt"), ("vendor/",))
    names = sorted(str(p.relative_to(root)) for p in found.files)
    assert names == ["a.md", "b.txt", "blog/post.md"]
    assert found.problems == []

    everything = discover([str(root)], ("*.md", "*.html", "*.txt"), ())
    assert {p.name for p in everything.files} == {"a.md", "b.txt", "page.html", "post.md", "lib.md"}


def test_cli_include_and_exclude(tiny_model, workdir, articles):
    (articles / ".claimcheckignore").write_text("crypto-*\n", encoding="utf-8")
    out = workdir / "results.jsonl"
    result = _audit(tiny_model, articles, "--include", "*.md", "--include", "*.txt", "--exclude", "forum-*", "-o", out)
    assert result.exit_code == 0, result.output
    assert set(_by_name(_rows(out))) == {"news-magnesium-sleep.md"}


def test_missing_input_is_a_result_line(tiny_model, workdir, articles):
    out = workdir / "results.jsonl"
    result = _audit(tiny_model, articles, workdir / "nope", "-o", out)
    assert result.exit_code == 2
    assert _by_name(_rows(out))["nope"]["error"] == "no such file or folder"


def test_symlink_loop_is_reported_not_fatal(tiny_model, workdir, articles):
    (articles / "loop").symlink_to(articles, target_is_directory=True)
    out = workdir / "results.jsonl"
    result = _audit(tiny_model, articles, "-o", out)
    assert result.exit_code == 2, result.output
    rows = _by_name(_rows(out))
    assert "symlink loop" in rows["loop"]["error"]
    assert all(rows[p.name]["score"] is not None for p in FEW)
    assert "symlink loop" in result.output


def test_unreadable_folder_and_file_are_reported(tiny_model, workdir, articles):
    locked_dir = articles / "locked"
    locked_dir.mkdir()
    (locked_dir / "hidden.md").write_text("# Hidden\n\nText.\n", encoding="utf-8")
    locked_file = articles / "locked-file.md"
    locked_file.write_text("# Locked\n\nText.\n", encoding="utf-8")
    locked_dir.chmod(0)
    locked_file.chmod(0)
    try:
        if os.access(locked_dir, os.R_OK) or os.access(locked_file, os.R_OK):
            pytest.skip("running as a user (root) for whom chmod 000 does not lock anything")
        out = workdir / "results.jsonl"
        result = _audit(tiny_model, articles, "-o", out)
        assert result.exit_code == 2, result.output
        rows = _by_name(_rows(out))
        assert rows["locked"]["error"].startswith("unreadable folder")
        assert rows["locked-file.md"]["error"].startswith("cannot read")
        assert all(rows[p.name]["score"] is not None for p in FEW)
    finally:
        locked_dir.chmod(0o755)
        locked_file.chmod(0o644)


def test_permission_errors_are_reported_even_as_root(tiny_settings, checker, articles, monkeypatch):
    """The same two cases with the refusal faked, since root reads through chmod 000 (and CI is often root)."""
    locked_dir = articles / "locked"
    locked_dir.mkdir()
    (locked_dir / "hidden.md").write_text("# Hidden\n\nText.\n", encoding="utf-8")
    locked_file = articles / "locked-file.md"
    locked_file.write_text("# Locked\n\nText.\n", encoding="utf-8")
    real_scandir, real_read_bytes = os.scandir, Path.read_bytes

    def scandir(path="."):
        if Path(path) == locked_dir:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def read_bytes(self):
        if self == locked_file:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    found = discover([str(articles)], tiny_settings.include, tiny_settings.exclude)
    assert [(p.path, p.error) for p in found.problems] == [(str(locked_dir), "unreadable folder: Permission denied")]
    results = {Path(r.path).name: r for r, _ in _run_local(found.files, tiny_settings, checker, None)}
    assert results["locked-file.md"].error == "cannot read (Permission denied)"
    assert all(results[p.name].score is not None for p in FEW)


# bad files


def test_bad_files_become_error_lines_and_the_audit_finishes(tiny_model, workdir, articles):
    (articles / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (articles / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (articles / "big.txt").write_text("A sentence about sleep and magnesium. " * 600, encoding="utf-8")  # ~23 kB
    (articles / "garbled.txt").write_bytes(random.Random(7).randbytes(3000).replace(b"\x00", b"\x01"))
    config = workdir / "claimcheck.toml"
    config.write_text("max_file_mb = 0.01\n", encoding="utf-8")  # about 10 kB; every sample is smaller
    out = workdir / "results.jsonl"
    result = _audit(tiny_model, articles, "--config", config, "-o", out)
    assert result.exit_code == 2, result.output
    rows = _by_name(_rows(out))
    assert len(rows) == len(FEW) + 4
    assert "binary" in rows["image.md"]["error"]
    assert "empty" in rows["empty.txt"]["error"]
    assert rows["big.txt"]["error"] == "0.0217 MB is over the 0.01 MB limit"
    assert "encoding" in rows["garbled.txt"]["error"]
    for name in ("image.md", "empty.txt", "big.txt", "garbled.txt"):
        assert rows[name]["score"] is None and rows[name]["grade"] is None
    assert all(rows[p.name]["error"] is None and rows[p.name]["score"] is not None for p in FEW)
    assert "4 file(s) could not be checked" in result.output


def test_a_file_deleted_after_discovery_is_an_error_line(tiny_settings, checker, articles):
    files = discover([str(articles)], tiny_settings.include, tiny_settings.exclude).files
    gone = files[3]
    gone.unlink()
    seen = _run_local(files, tiny_settings, checker, None)
    assert [str(r.path) for r, _ in seen] == [str(f) for f in files]
    errors = {r.path: r.error for r, _ in seen if r.error}
    assert errors == {str(gone): "file disappeared before it could be read"}


# the result cache and resuming


def test_unchanged_files_come_from_the_cache_and_changed_ones_are_rechecked(tiny_settings, checker, articles, tmp_path):
    files = discover([str(articles)], tiny_settings.include, tiny_settings.exclude).files
    cache = ResultCache(tmp_path / "audit.sqlite")
    try:
        first = _run_local(files, tiny_settings, checker, cache)
        assert not any(cached for _, cached in first)
        second = _run_local(files, tiny_settings, checker, cache)
        assert all(cached for _, cached in second)
        key = lambda r: tuple(getattr(r, f) for f in (*KEY_FIELDS, "verdicts", "sentences"))  # noqa: E731
        assert [key(r) for r, _ in second] == [key(r) for r, _ in first]

        changed = files[2]
        changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new closing line.\n", encoding="utf-8")
        third = _run_local(files, tiny_settings, checker, cache)
        assert [r.path for r, cached in third if not cached] == [str(changed)]
    finally:
        cache.close()


def test_an_interrupted_audit_resumes_from_the_cache(tiny_settings, checker, tmp_path, monkeypatch):
    monkeypatch.setattr("claimcheck.audit.CHUNK", 4)  # 10 files in three chunks; stop inside the second
    folder = _copy(ARTICLES[:10], tmp_path / "many")
    files = discover([str(folder)], tiny_settings.include, tiny_settings.exclude).files
    stop_after = 6
    done: list[str] = []

    def interrupt(result, cached: bool) -> None:
        done.append(result.path)
        if len(done) == stop_after:
            raise KeyboardInterrupt

    cache = ResultCache(tmp_path / "audit.sqlite")
    try:
        with pytest.raises(KeyboardInterrupt):
            audit_local(files, tiny_settings, checker, cache, False, interrupt)
        resumed = _run_local(files, tiny_settings, checker, cache)
    finally:
        cache.close()
    assert [r.path for r, _ in resumed[:stop_after]] == done
    assert all(cached for _, cached in resumed[:stop_after])
    assert not any(cached for _, cached in resumed[stop_after:])
    assert len(resumed) == len(files) == 10


def test_cli_interrupt_exits_130_and_the_next_run_resumes(tiny_model, workdir, articles, monkeypatch):
    from claimcheck.commands import audit as audit_command

    original = audit_command._Progress.update

    def update_then_interrupt(self, result, cached):
        original(self, result, cached)
        if self.done == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(audit_command._Progress, "update", update_then_interrupt)
    result = _audit(tiny_model, articles)
    assert result.exit_code == 130
    assert "interrupted after 2 files" in result.output
    monkeypatch.setattr(audit_command._Progress, "update", original)
    result = _audit(tiny_model, articles)
    assert result.exit_code == 0, result.output
    assert "2 unchanged file(s) came from the cache" in result.output


def test_two_runs_give_identical_results(tiny_model, workdir, all_articles):
    first, second, third = (workdir / f"run{i}.jsonl" for i in range(3))
    assert _audit(tiny_model, all_articles, "-o", first).exit_code == 0
    assert _audit(tiny_model, all_articles, "--no-cache", "-o", second).exit_code == 0
    cached = _audit(tiny_model, all_articles, "-o", third)
    assert f"{len(ARTICLES)} unchanged file(s) came from the cache" in cached.output
    runs = [
        [tuple(json.dumps(r[f], sort_keys=True) for f in KEY_FIELDS) for r in _rows(p)] for p in (first, second, third)
    ]
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) == len(ARTICLES)


# outputs and exit codes


def test_jsonl_has_one_line_per_article(tiny_model, workdir, articles):
    (articles / "empty.md").write_text("", encoding="utf-8")
    out = workdir / "out" / "results.jsonl"
    result = _audit(tiny_model, articles, "--output", out)
    assert result.exit_code == 2
    rows = _rows(out)
    assert len(rows) == len(FEW) + 1
    for row in rows:
        assert {"path", "score", "grade", "labels", "verdicts", "error"} <= set(row)
        assert (row["score"] is None) == (row["error"] is not None)
    good = _by_name(rows)["news-magnesium-sleep.md"]
    assert sum(good["labels"].values()) == good["sentences"] > 0
    assert not list(out.parent.glob("*.tmp")), "the results file is written whole, then renamed"


@pytest.mark.parametrize("how", ["suffix", "option"])
def test_csv_results(tiny_model, workdir, articles, how):
    out = workdir / ("results.csv" if how == "suffix" else "results.dat")
    extra = ("--format", "csv") if how == "option" else ()
    result = _audit(tiny_model, articles, "-o", out, *extra)
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(table) == len(FEW)
    assert {"path", "score", "grade", "hype", "finding", "uncited", "error"} <= set(table[0])
    assert all(row["score"].isdigit() and row["error"] == "" for row in table)


def test_html_dir_writes_an_index_linking_every_report(tiny_model, workdir, articles):
    html_dir = workdir / "html"
    result = _audit(tiny_model, articles, "--html-dir", html_dir)
    assert result.exit_code == 0, result.output
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    links = re.findall(r"href='([^']+)'", index)
    assert len(links) == len(FEW)
    for link in links:
        assert (html_dir / link).is_file()
    for path in FEW:
        assert path.name in index


def test_html_reports_are_written_when_results_come_from_the_cache(tiny_model, workdir, articles):
    assert _audit(tiny_model, articles).exit_code == 0  # fills the cache, no HTML
    html_dir = workdir / "html"
    assert _audit(tiny_model, articles, "--html-dir", html_dir).exit_code == 0
    links = re.findall(r"href='([^']+)'", (html_dir / "index.html").read_text(encoding="utf-8"))
    assert len(links) == len(FEW)
    assert all((html_dir / link).is_file() for link in links)


def test_fail_under(tiny_model, workdir, articles):
    assert _audit(tiny_model, articles, "--fail-under", "101").exit_code == 1
    assert _audit(tiny_model, articles, "--fail-under", "0").exit_code == 0


def test_errors_outrank_fail_under(tiny_model, workdir, articles):
    (articles / "empty.md").write_text("", encoding="utf-8")
    assert _audit(tiny_model, articles, "--fail-under", "101").exit_code == 2


# the audit benchmark


def test_audit_bench_cold_then_cached(tiny_settings, tmp_path):
    from claimcheck.audit_bench import build_corpus, run_audit_bench

    corpus = build_corpus(tmp_path / "corpus", 20)
    assert len({p.read_bytes() for p in corpus}) == 20, "every copy differs, so none is a cache hit"

    console = Console(file=io.StringIO(), width=200)
    out = tmp_path / "bench.json"
    runs = run_audit_bench(tiny_settings, 20, out, console)
    assert [r["run"] for r in runs] == ["cold", "cached"]
    cold, cached = runs
    assert "error" not in cold and "error" not in cached, runs
    assert cold["articles"] == cached["articles"] == 20
    assert cold["cached"] == 0 and cached["cached"] == 20
    assert cold["errors"] == 0 and cold["sentences"] == cached["sentences"] > 0
    for run in runs:
        assert run["articles_per_s"] > 0 and run["peak_mb"] > 0 and run["wall_s"] > 0
    assert json.loads(out.read_text(encoding="utf-8")) == {"articles": 20, "runs": runs}
    table = console.file.getvalue()
    assert "cold" in table and "cached" in table and "articles/s" in table


def test_bench_audit_through_the_cli(tiny_model, tmp_path):
    out = tmp_path / "bench.json"
    result = runner.invoke(
        app, ["bench", "--audit", "--articles", "2", "--model", str(tiny_model), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert [r["cached"] for r in json.loads(out.read_text(encoding="utf-8"))["runs"]] == [0, 2]


def test_corpus_articles_render_as_markdown_pages_that_segment_like_their_labels(tmp_path):
    from claimcheck.audit_bench import RAW_ARTICLES, render_raw_article
    from claimcheck.load import load_path
    from claimcheck.modeling.dataset import parse_article
    from claimcheck.segment import segment_document

    raw = sorted(RAW_ARTICLES.glob("*.txt"))[:5]
    for path in raw:
        page = tmp_path / (path.stem + ".md")
        page.write_bytes(render_raw_article(path))
        segments = segment_document(load_path(page))
        labelled = parse_article(path)
        # the page keeps every labelled segment's words (buttons become links) ...
        text = " ".join(s.text for s in segments)
        for record in labelled:
            assert max(record.text.split(), key=len) in text
        # ... and splits into about as many segments as the article has labels
        assert 0.8 * len(labelled) <= len(segments) <= 1.25 * len(labelled), path.name
