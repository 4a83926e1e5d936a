"""The CLI through Typer's runner: output, formats and exit codes."""

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from claimcheck.cli import app

ROOT = Path(__file__).resolve().parents[1]

runner = CliRunner()
SAMPLES = ROOT / "data" / "samples"
SOURCES = ROOT / "data" / "sources"


def _run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def test_help_lists_every_subcommand():
    result = _run("--help")
    assert result.exit_code == 0
    for name in ("check", "audit", "classify", "train", "evaluate", "bench", "sources"):
        assert name in result.output


def test_version():
    result = _run("--version")
    assert result.exit_code == 0 and result.output.startswith("claimcheck 0.")


def test_check_json_follows_the_published_schema(tiny_model):
    result = _run(
        "check", SAMPLES / "news-magnesium-sleep.md", "--format", "json", "--model", tiny_model, "--sources", SOURCES
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    schema = json.loads(resources.files("claimcheck").joinpath("schemas/report.schema.json").read_text())
    jsonschema.validate(report, schema)
    source = (SAMPLES / "news-magnesium-sleep.md").read_text(encoding="utf-8")
    for s in report["sentences"]:
        lines = source.split("\n")
        assert lines[s["line"] - 1][s["column"] - 1] == source[s["start"]]


@pytest.mark.parametrize("fmt", ["markdown", "html", "sarif", "terminal"])
def test_each_format_renders(tiny_model, fmt):
    result = _run("check", SAMPLES / "gov-blood-pressure-salt.html", "--format", fmt, "--model", tiny_model)
    assert result.exit_code == 0, result.output
    assert "grade" in result.output.lower() or fmt == "sarif"
    if fmt == "sarif":
        assert json.loads(result.output)["version"] == "2.1.0"


def test_fail_under_sets_exit_code_1(tiny_model):
    result = _run("check", SAMPLES / "crypto-promo.txt", "--quiet", "--fail-under", "101", "--model", tiny_model)
    assert result.exit_code == 1
    assert "grade" in result.output


def test_stdin(tiny_model):
    result = _run("check", "-", "--quiet", "--model", tiny_model, input="# T\n\nBook now. It works!\n")
    assert result.exit_code == 0 and "<stdin>" in result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.md", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "bin.md").write_bytes(b"\x00\x01\x02" * 500) and d / "bin.md", "binary"),
        (lambda d: (d / "empty.md").write_text("") or d / "empty.md", "empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tiny_model, tmp_path, make, message):
    path = make(tmp_path)
    result = _run("check", path, "--model", tiny_model)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_model_names_the_build_command(tmp_path):
    result = _run("check", SAMPLES / "crypto-promo.txt", "--model", tmp_path / "none")
    assert result.exit_code == 2 and "make model" in result.output


def test_output_never_overwrites_an_input(tiny_model, tmp_path):
    article = tmp_path / "a.md"
    shutil.copy(SAMPLES / "news-magnesium-sleep.md", article)
    before = article.read_bytes()
    result = _run("check", article, "--format", "json", "--output", article, "--model", tiny_model)
    assert result.exit_code == 2 and article.read_bytes() == before


def test_classify_one_per_line_jsonl(tiny_model):
    text = "Book your free consultation now.\nIn the trial, 48 of 120 adults improved.\n\n"
    result = _run("classify", "-", "--one-per-line", "--format", "jsonl", "--model", tiny_model, input=text)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in rows] == text.split("\n")[:2]
    assert all({"text", "label", "confidence", "scores"} <= set(r) for r in rows)


def test_classify_binary_garbage_is_a_clear_error(tiny_model):
    result = runner.invoke(app, ["classify", "-", "--model", str(tiny_model)], input=b"\x00\xff\x00" * 100)
    assert result.exit_code == 2 and "binary" in result.output


def test_check_with_onnx_never_imports_torch(tiny_model):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from claimcheck.config import Settings\n"
        "from claimcheck.pipeline import Checker\n"
        "from claimcheck.load import load_path\n"
        f"settings = Settings(model_dir=__import__('pathlib').Path({str(tiny_model)!r}))\n"
        f"Checker.from_settings(settings).check(load_path({str(SAMPLES / 'news-magnesium-sleep.md')!r}))\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
