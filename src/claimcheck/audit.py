"""Batch audit of a content folder: discovery, a result cache, and the local engine.

The local engine loads and segments the next chunk of files in a thread while the model
classifies the current chunk (onnxruntime releases the GIL), classifies every chunk's
sentences in one batched call, and stores each article's result in SQLite as soon as it is
done, so an interrupted audit resumes where it stopped and an unchanged folder re-runs from
the cache. Result files are written whole (temporary file, then rename): never half a line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from claimcheck import __version__
from claimcheck.config import Settings
from claimcheck.errors import ClaimcheckError, InputError
from claimcheck.labels import LABELS, VERDICTS
from claimcheck.schema import Report

IGNORE_FILE = ".claimcheckignore"
CHUNK = 16


@dataclass
class ArticleResult:
    """One line of the audit's results: a score or an error, never both."""

    path: str
    score: int | None = None
    grade: str | None = None
    sentences: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    html: str | None = None

    def row(self) -> dict:
        return asdict(self)

    @classmethod
    def from_report(cls, path: str, report: Report) -> ArticleResult:
        return cls(
            path, report.score, report.grade, len(report.sentences), report.label_counts(), report.verdict_counts()
        )


@dataclass
class Discovery:
    files: list[Path]
    problems: list[ArticleResult]


def discover(paths: list[str], include: tuple[str, ...], exclude: tuple[str, ...]) -> Discovery:
    """Files to check under ``paths``, with loops and unreadable folders reported, not fatal."""
    import pathspec

    files: list[Path] = []
    problems: list[ArticleResult] = []
    include_spec = pathspec.PathSpec.from_lines("gitwildmatch", include)
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            problems.append(ArticleResult(str(root), error="no such file or folder"))
            continue
        if root.is_file():
            files.append(root)
            continue
        ignore_lines = list(exclude)
        ignore_path = root / IGNORE_FILE
        if ignore_path.is_file():
            ignore_lines += ignore_path.read_text(encoding="utf-8", errors="replace").splitlines()
        ignore = pathspec.PathSpec.from_lines("gitwildmatch", ignore_lines)
        seen: set[tuple[int, int]] = set()

        def on_error(exc: OSError) -> None:
            problems.append(ArticleResult(str(exc.filename), error=f"unreadable folder: {exc.strerror}"))

        for folder, dirs, names in os.walk(root, followlinks=True, onerror=on_error):
            try:
                st = os.stat(folder)
            except OSError as exc:
                problems.append(ArticleResult(folder, error=f"unreadable: {exc.strerror}"))
                dirs[:] = []
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                problems.append(ArticleResult(folder, error="symlink loop: folder already visited"))
                dirs[:] = []
                continue
            seen.add(key)
            rel_folder = Path(folder).relative_to(root)
            dirs[:] = sorted(d for d in dirs if not ignore.match_file(str(rel_folder / d) + "/"))
            for name in sorted(names):
                rel = rel_folder / name
                if name == IGNORE_FILE or ignore.match_file(str(rel)):
                    continue
                if include_spec.match_file(name) or include_spec.match_file(str(rel)):
                    files.append(Path(folder) / name)
    return Discovery(files, problems)


def model_version(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("claimcheck.json", "model.int8.onnx", "model.safetensors", "verifier.json", "encoder.onnx"):
        path = Path(model_dir) / name
        if path.exists():
            st = path.stat()
            digest.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def config_key(settings: Settings, online: bool) -> str:
    parts = [
        model_version(settings.verifier_dir),
        __version__,
        settings.backend,
        str(online),
        *sorted(str(p) for p in settings.source_dirs),
        str(settings.max_file_mb),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class ResultCache:
    """Audit results keyed by (content hash, model version, configuration)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS results (content TEXT, model TEXT, config TEXT, row TEXT, "
            "checked_at REAL, PRIMARY KEY (content, model, config))"
        )
        self.db.commit()

    def get(self, content: str, model: str, config: str) -> dict | None:
        row = self.db.execute(
            "SELECT row FROM results WHERE content=? AND model=? AND config=?", (content, model, config)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, content: str, model: str, config: str, row: dict) -> None:
        with self.db:  # one transaction per article: a kill never leaves half a result
            self.db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                (content, model, config, json.dumps(row), time.time()),
            )

    def close(self) -> None:
        self.db.close()


@dataclass
class Loaded:
    path: Path
    digest: str
    document: object | None = None
    error: str | None = None
    cached: dict | None = None


def _load_one(
    path: Path, settings: Settings, cache: ResultCache | None, keys: tuple[str, str], html_dir: Path | None
) -> Loaded:
    from claimcheck.load import format_for, load_bytes

    try:
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise InputError(f"{size / 1048576:.3g} MB is over the {settings.max_file_mb:g} MB limit")
        data = path.read_bytes()
    except FileNotFoundError:
        return Loaded(path, "", error="file disappeared before it could be read")
    except OSError as exc:
        return Loaded(path, "", error=f"cannot read ({exc.strerror or exc})")
    except InputError as exc:
        return Loaded(path, "", error=str(exc))
    digest = hashlib.sha256(data).hexdigest()
    if cache is not None:
        hit = cache.get(digest, *keys)
        if hit is not None and _html_ready(hit, path, html_dir):
            hit["path"] = str(path)
            if html_dir is None:
                hit["html"] = None  # a report written by an earlier --html-dir run is not this run's
            return Loaded(path, digest, cached=hit)
    fmt = format_for(path)
    if fmt is None:
        return Loaded(path, digest, error=f"unsupported file type {path.suffix!r}")
    try:
        return Loaded(path, digest, document=load_bytes(data, fmt, str(path), str(path), settings.max_bytes))
    except InputError as exc:
        message = str(exc)
        prefix = f"{path}: "
        return Loaded(path, digest, error=message[len(prefix) :] if message.startswith(prefix) else message)


def _chunks(items: list[Path], size: int) -> Iterator[list[Path]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def audit_local(
    files: list[Path],
    settings: Settings,
    checker,
    cache: ResultCache | None,
    online: bool,
    on_result: Callable[[ArticleResult, bool], None],
    html_dir: Path | None = None,
) -> None:
    """Check ``files``; ``on_result(result, from_cache)`` is called once per file, in order."""
    from claimcheck.pipeline import classify_documents, finish_report

    keys = (model_version(settings.model_dir), config_key(settings, online))
    with ThreadPoolExecutor(max_workers=2) as pool:
        chunks = list(_chunks(files, CHUNK))

        def load(chunk: list[Path]) -> list[Loaded]:
            return [_load_one(p, settings, cache, keys, html_dir) for p in chunk]

        pending = pool.submit(load, chunks[0]) if chunks else None
        for n in range(len(chunks)):
            loaded = pending.result()
            if n + 1 < len(chunks):
                pending = pool.submit(load, chunks[n + 1])
            docs = [item for item in loaded if item.document is not None]
            try:
                classified = classify_documents([d.document for d in docs], checker.classifier)
            except Exception as exc:  # a model failure must not lose the rest of the audit
                classified = [exc] * len(docs)
            by_path = dict(zip((d.path for d in docs), classified, strict=True))
            for item in loaded:
                if item.cached is not None:
                    on_result(ArticleResult(**item.cached), True)
                    continue
                if item.error is not None:
                    on_result(ArticleResult(str(item.path), error=item.error), False)
                    continue
                outcome = by_path[item.path]
                try:
                    if isinstance(outcome, Exception):
                        raise outcome
                    report = finish_report(item.document, outcome[0], outcome[1], checker)
                    result = ArticleResult.from_report(str(item.path), report)
                    if html_dir is not None:
                        result.html = write_html_report(report, item.path, html_dir)
                except Exception as exc:
                    result = ArticleResult(str(item.path), error=f"check failed: {type(exc).__name__}: {exc}")
                if cache is not None and result.error is None:
                    cache.put(item.digest, *keys, result.row())
                on_result(result, False)


def _html_ready(hit: dict, path: Path, html_dir: Path | None) -> bool:
    """A cached result serves an --html-dir run only when this file's report is already there."""
    return html_dir is None or (hit.get("html") == html_name(path) and (html_dir / hit["html"]).is_file())


def html_name(path: Path) -> str:
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10] + "-" + path.stem[:60] + ".html"


def write_html_report(report: Report, path: Path, html_dir: Path) -> str:
    from claimcheck.render.html import render_html

    html_dir.mkdir(parents=True, exist_ok=True)
    name = html_name(path)
    _atomic_write(html_dir / name, render_html(report))
    return name


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_results(results: list[ArticleResult], output: Path, fmt: str) -> None:
    """The whole results file, written atomically (temporary file, then rename)."""
    if fmt == "jsonl":
        text = "".join(json.dumps(r.row(), ensure_ascii=False) + "\n" for r in results)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["path", "score", "grade", "sentences", *LABELS, *VERDICTS, "error"])
        for r in results:
            writer.writerow(
                [
                    r.path,
                    r.score,
                    r.grade,
                    r.sentences,
                    *[r.labels.get(k, 0) for k in LABELS],
                    *[r.verdicts.get(k, 0) for k in VERDICTS],
                    r.error or "",
                ]
            )
        text = buffer.getvalue()
    else:
        raise ClaimcheckError(f"unknown results format {fmt!r} (jsonl or csv)")
    output.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(output, text)


def write_index(results: list[ArticleResult], html_dir: Path) -> Path:
    from html import escape

    rows = "".join(
        f"<tr><td>{r.score if r.score is not None else '—'}</td><td>{escape(r.grade or 'error')}</td>"
        f"<td>{f'<a href={chr(39)}{escape(r.html)}{chr(39)}>{escape(r.path)}</a>' if r.html else escape(r.path)}</td>"
        f"<td>{escape(r.error or '')}</td></tr>"
        for r in sorted(results, key=lambda r: (r.score is None, r.score if r.score is not None else 0))
    )
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        "content='width=device-width, initial-scale=1'><title>claimcheck audit</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:960px;margin:auto;padding:12px}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:4px 8px}"
        "</style></head><body><h1>claimcheck audit</h1>"
        f"<p>{len(results)} files, worst first.</p><table><tr><th>score</th><th>grade</th>"
        f"<th>article</th><th>error</th></tr>{rows}</table></body></html>"
    )
    path = html_dir / "index.html"
    html_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, page)
    return path
