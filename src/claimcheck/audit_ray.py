"""The Ray engine: the local engine's per-article work, spread over a Ray cluster.

Why a second engine: an archive too large for one machine, or one that lives in object
storage (s3://, gs://, ...), is audited where the workers are. Each actor loads the model
once and classifies a batch of articles in one call, as the local engine does with a chunk,
so both engines give the same result for the same file. Paths travel through Ray Data, and
each worker reads its own bytes with fsspec; only filesystems that live inside this process
(memory://) are read here and their bytes sent with the row. Results come back as JSON text,
one per article, so Arrow never reshapes the label counts or a missing score.

There is no result cache here: the SQLite cache belongs to one machine, and a cluster's
workers cannot share it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from claimcheck.audit import IGNORE_FILE, ArticleResult, discover, write_html_report
from claimcheck.config import Settings
from claimcheck.errors import ClaimcheckError, InputError

BATCH = 16
IN_PROCESS_PROTOCOLS = {"memory"}  # no other process can open these; read them on the driver


def _is_url(path: str) -> bool:
    return "://" in path


def _expand_url(url: str, settings: Settings) -> tuple[list[str], list[ArticleResult]]:
    """A file URL as it is; a folder URL globbed for settings.include, minus exclude and the ignore file."""
    import fsspec
    import pathspec

    fs, root = fsspec.core.url_to_fs(url)
    if fs.isfile(root):
        return [url], []
    if not fs.isdir(root):
        matches = sorted(fs.glob(root)) if any(c in root for c in "*?[") else []
        if not matches:
            return [], [ArticleResult(url, error="no such file or folder")]
        return [fs.unstrip_protocol(m) for m in matches], []
    root = root.rstrip("/")
    ignore_lines = list(settings.exclude)
    if fs.isfile(f"{root}/{IGNORE_FILE}"):
        ignore_lines += fs.cat_file(f"{root}/{IGNORE_FILE}").decode("utf-8", "replace").splitlines()
    ignore = pathspec.PathSpec.from_lines("gitwildmatch", ignore_lines)
    found: set[str] = set()
    for pattern in settings.include:
        found.update(fs.glob(f"{root}/**/{pattern}"))
    files = [p for p in sorted(found) if not ignore.match_file(p[len(root) + 1 :])]
    return [fs.unstrip_protocol(p) for p in files if fs.isfile(p)], []


def expand_inputs(paths: list[str], settings: Settings) -> tuple[list[str], list[ArticleResult]]:
    """Every file to check, as a local path or a URL, and the inputs that could not be listed."""
    files: list[str] = []
    problems: list[ArticleResult] = []
    for raw in paths:
        if _is_url(raw) and not raw.startswith("file://"):
            try:
                more, issues = _expand_url(raw, settings)
            except Exception as exc:  # credentials, network, unknown protocol: one reason, not a crash
                more, issues = [], [ArticleResult(raw, error=f"cannot list ({type(exc).__name__}: {exc})")]
        else:
            found = discover([raw.removeprefix("file://")], settings.include, settings.exclude)
            more, issues = [str(f) for f in found.files], found.problems
        files += more
        problems += issues
    return files, problems


def read_bytes(url: str, max_bytes: int, max_file_mb: float) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why they could not be read (the local engine's wording)."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
        size = fs.size(path)
        if size is not None and size > max_bytes:
            raise InputError(f"{size / 1048576:.3g} MB is over the {max_file_mb:g} MB limit")
        with fs.open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"over the {max_file_mb:g} MB limit")
        return data, None
    except FileNotFoundError:
        return None, "file disappeared before it could be read"
    except InputError as exc:
        return None, str(exc)
    except IsADirectoryError:
        return None, "is a folder, not a file"
    except OSError as exc:
        return None, f"cannot read ({exc.strerror or exc})"


class AuditBatch:
    """A Ray Data actor: builds the Checker once, then checks one batch of articles per call."""

    def __init__(self, settings: Settings, html_dir: Path | None) -> None:
        from claimcheck.pipeline import Checker

        self.settings = settings
        self.html_dir = html_dir
        self.checker = Checker.from_settings(settings, online=settings.online)

    def __call__(self, batch: dict) -> dict:
        preread = [bytes(d) if flag else None for d, flag in zip(batch["data"], batch["preread"], strict=True)]
        results = self.check([str(p) for p in batch["path"]], [str(u) for u in batch["url"]], preread)
        return {"row": [json.dumps(r.row(), ensure_ascii=False) for r in results]}

    def check(self, paths: list[str], urls: list[str], preread: list[bytes | None]) -> list[ArticleResult]:
        from claimcheck.pipeline import classify_documents, finish_report

        settings = self.settings
        results: list[ArticleResult | None] = [None] * len(paths)
        docs: list[tuple[int, object]] = []
        for i, (path, url, data) in enumerate(zip(paths, urls, preread, strict=True)):
            error = None
            if data is None:
                data, error = read_bytes(url, settings.max_bytes, settings.max_file_mb)
            if error is None:
                error, document = _load(bytes(data), path, settings)
                if document is not None:
                    docs.append((i, document))
            if error is not None:
                results[i] = ArticleResult(path, error=error)
        try:
            classified = classify_documents([d for _, d in docs], self.checker.classifier)
        except Exception as exc:  # a model failure must not lose the rest of the audit
            classified = [exc] * len(docs)
        for (i, document), outcome in zip(docs, classified, strict=True):
            try:
                if isinstance(outcome, Exception):
                    raise outcome
                report = finish_report(document, outcome[0], outcome[1], self.checker)
                result = ArticleResult.from_report(paths[i], report)
                if self.html_dir is not None:
                    result.html = write_html_report(report, Path(paths[i]), self.html_dir)
            except Exception as exc:
                result = ArticleResult(paths[i], error=f"check failed: {type(exc).__name__}: {exc}")
            results[i] = result
        return [r for r in results if r is not None]


def _load(data: bytes, path: str, settings: Settings) -> tuple[str | None, object | None]:
    from claimcheck.load import format_for, load_bytes

    fmt = format_for(path)
    if fmt is None:
        return f"unsupported file type {Path(path).suffix!r}", None
    try:
        return None, load_bytes(data, fmt, path, path, settings.max_bytes)
    except InputError as exc:
        message = str(exc)
        return message.removeprefix(f"{path}: "), None


def _rows(files: list[str], settings: Settings) -> tuple[list[dict], list[ArticleResult]]:
    """One Ray Data row per file (the path shown, the URL a worker opens, bytes read here when
    they must be), and the in-process files that could not be read."""
    import fsspec

    rows, unreadable = [], []
    for path in files:
        url, data = path, None
        if not _is_url(path):
            url = str(Path(path).resolve())  # workers need not share the driver's working folder
        elif fsspec.core.split_protocol(path)[0] in IN_PROCESS_PROTOCOLS:
            data, error = read_bytes(path, settings.max_bytes, settings.max_file_mb)
            if error is not None:
                unreadable.append(ArticleResult(path, error=error))
                continue
        rows.append({"path": path, "url": url, "preread": data is not None, "data": data or b""})
    return rows, unreadable


def _start_ray(ray, address: str | None, num_cpus: int | None) -> None:
    if ray.is_initialized():
        return
    if address is None:
        ray.init(num_cpus=num_cpus, include_dashboard=False, ignore_reinit_error=True, logging_level=logging.ERROR)
    else:
        ray.init(address=address, ignore_reinit_error=True, logging_level=logging.ERROR)


def audit_ray(
    paths: list[str],
    settings: Settings,
    address: str | None = None,
    html_dir: Path | None = None,
    num_cpus: int | None = None,
) -> list[ArticleResult]:
    """Check every file under ``paths`` on Ray Data; the results are sorted by path.

    A local Ray instance is started unless one is running or ``address`` names a cluster.
    """
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ClaimcheckError("the ray engine needs `pip install claimcheck[ray]`") from exc

    files, problems = expand_inputs(paths, settings)
    rows, unreadable = _rows(files, settings)
    results = problems + unreadable
    if rows:
        _start_ray(ray, address, num_cpus)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # library code never prints; the CLI shows the summary
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        size = num_cpus or max(1, int(ray.cluster_resources().get("CPU", 1)))
        dataset = ray.data.from_items(rows).map_batches(
            AuditBatch,
            fn_constructor_args=(settings, html_dir),
            batch_size=BATCH,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(size, len(rows))),
        )
        results += [ArticleResult(**json.loads(row["row"])) for row in dataset.iter_rows()]
    return sorted(results, key=lambda r: r.path)
