"""The Ray engine gives the local engine's results: the same files, scores, labels, verdicts
and errors. The tests that start Ray (a local instance with 2 CPUs) are marked slow."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import pytest

from claimcheck.audit import audit_local, discover
from claimcheck.audit_ray import audit_ray, expand_inputs
from claimcheck.errors import ClaimcheckError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
ARTICLES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".md", ".html", ".txt") and p.name != "README.md")
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
FIELDS = ("path", "score", "grade", "labels", "verdicts")


@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, logging_level=logging.ERROR)
    yield ray
    ray.shutdown()


@pytest.fixture
def memory_fs():
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    yield fs
    if fs.exists("/claimcheck-test"):
        fs.rm("/claimcheck-test", recursive=True)


def _local(paths: list[Path], settings) -> dict[str, dict]:
    from claimcheck.pipeline import Checker

    rows = []
    audit_local(paths, settings, Checker.from_settings(settings), None, False, lambda r, _: rows.append(r.row()))
    return {r["path"]: r for r in rows}


@pytest.mark.slow
def test_ray_gives_the_local_results(tiny_settings, ray_instance, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in ARTICLES:
        shutil.copy(path, folder / path.name)
    (folder / "image.md").write_bytes(BINARY)

    local = _local(discover([str(folder)], tiny_settings.include, ()).files, tiny_settings)
    remote = audit_ray([str(folder)], tiny_settings)

    assert [r.path for r in remote] == sorted(local)
    for result in remote:
        row = result.row()
        expected = local[result.path]
        assert tuple(row[f] for f in FIELDS) == tuple(expected[f] for f in FIELDS), result.path
        assert row["error"] == expected["error"]
    errors = {Path(r.path).name: r.error for r in remote if r.error}
    assert errors == {"image.md": "looks like a binary file, not text"}
    assert all(r.score is not None for r in remote if r.error is None)


@pytest.mark.slow
def test_a_memory_url_is_globbed_and_checked(tiny_settings, ray_instance, memory_fs, tmp_path):
    picked = ARTICLES[:3]
    for path in picked:
        memory_fs.pipe(f"/claimcheck-test/corpus/{path.name}", path.read_bytes())
    copy_name = f"nested/copy{picked[0].suffix}"  # the same suffix, so the same format and result
    memory_fs.pipe(f"/claimcheck-test/corpus/{copy_name}", picked[0].read_bytes())
    memory_fs.pipe("/claimcheck-test/corpus/nested/image.md", BINARY)
    memory_fs.pipe("/claimcheck-test/corpus/notes.png", BINARY)  # not in settings.include

    results = audit_ray(["memory://claimcheck-test/corpus", "memory://claimcheck-test/missing"], tiny_settings)

    by_url = {r.path: r for r in results}
    base = "memory:///claimcheck-test/corpus"
    assert sorted(by_url) == sorted(
        [f"{base}/{p.name}" for p in picked]
        + [f"{base}/{copy_name}", f"{base}/nested/image.md", "memory://claimcheck-test/missing"]
    )
    assert by_url["memory://claimcheck-test/missing"].error == "no such file or folder"
    assert by_url[f"{base}/nested/image.md"].error == "looks like a binary file, not text"
    local = _local(picked, tiny_settings)
    for path in picked:
        got, expected = by_url[f"{base}/{path.name}"].row(), local[str(path)]
        assert tuple(got[f] for f in FIELDS[1:]) == tuple(expected[f] for f in FIELDS[1:]), path.name
    copy = by_url[f"{base}/{copy_name}"]
    assert (copy.score, copy.labels) == (local[str(picked[0])]["score"], local[str(picked[0])]["labels"])


def test_url_folders_are_globbed_with_include_exclude_and_the_ignore_file(tiny_settings, memory_fs):
    for rel in ("a.md", "b.txt", "page.html", "skip.md", "drafts/wip.md", "sub/c.md", "sub/d.png"):
        memory_fs.pipe(f"/claimcheck-test/site/{rel}", b"# T\n\nText.\n")
    memory_fs.pipe("/claimcheck-test/site/.claimcheckignore", b"drafts/\n")
    settings = tiny_settings.with_overrides(include=("*.md", "*.txt"), exclude=("skip.md",))
    files, problems = expand_inputs(["memory://claimcheck-test/site"], settings)
    base = "memory:///claimcheck-test/site"
    assert files == [f"{base}/a.md", f"{base}/b.txt", f"{base}/sub/c.md"]
    assert problems == []
    one, _ = expand_inputs(["memory://claimcheck-test/site/page.html"], settings)
    assert one == ["memory://claimcheck-test/site/page.html"], "a file named outright is checked whatever include says"


def test_local_paths_and_file_urls_use_discovery(tiny_settings, tmp_path):
    (tmp_path / "a.md").write_text("# T\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.png").write_bytes(BINARY)
    for given in (str(tmp_path), f"file://{tmp_path}"):
        files, problems = expand_inputs([given], tiny_settings)
        assert files == [str(tmp_path / "a.md")] and problems == []


def test_without_ray_the_error_says_what_to_install(tiny_settings, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    with pytest.raises(ClaimcheckError, match=r"pip install claimcheck\[ray\]"):
        audit_ray([str(tmp_path)], tiny_settings)
