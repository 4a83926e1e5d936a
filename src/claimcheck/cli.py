"""The command line: parse options -> run a stage -> render -> exit code. Nothing else.

Exit codes: 0 clean, 1 the check found what was asked to fail on (--fail-under), 2 a tool
error (bad input, missing model), with a one-line message and never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from claimcheck import __version__
from claimcheck.errors import ClaimcheckError

app = typer.Typer(
    name="claimcheck",
    no_args_is_help=True,
    add_completion=False,
    help="Tell promotional writing from evidence-backed writing, sentence by sentence, "
    "and check each finding against the sources it cites.",
)
sources_app = typer.Typer(help="List, add and clear the source library and cache.", no_args_is_help=True)
data_app = typer.Typer(help="Build and validate the labelled corpus in data/.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(data_app, name="data")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def fail(message: str, code: int = 2) -> None:
    from rich.markup import escape

    _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _settings(config: Path | None = None, **overrides):
    from claimcheck.config import load_settings

    return load_settings(config_file=config).with_overrides(**overrides)


def _version(value: bool) -> None:
    if value:
        print(f"claimcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """claimcheck command line."""


ModelOpt = Annotated[
    Path | None, typer.Option("--model", help="Model folder (default: models/claimcheck-sentence or config).")
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="A claimcheck.toml to use.")]
BACKEND_HELP = (
    "auto (the default: the TF-IDF gate + int8 transformer cascade when trained), cascade, onnx (int8 transformer"
    " alone), onnx-fp32, torch"
)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Files to check; '-' reads stdin.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal, json, markdown, html, sarif")] = "terminal",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    input_format: Annotated[
        str | None, typer.Option("--input-format", help="markdown, html, text, docx (default: from the extension)")
    ] = None,
    sources: Annotated[
        list[Path] | None, typer.Option("--sources", help="Folder of cited sources (repeatable).")
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online/--offline", help="Fetch cited sources from Crossref, Europe PMC, ClinicalTrials.gov and the web."
        ),
    ] = False,
    fail_under: Annotated[int | None, typer.Option("--fail-under", help="Exit 1 when a score is below N.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the score line.")] = False,
    watch: Annotated[bool, typer.Option("--watch", help="Re-check whenever the file is saved.")] = False,
    model: ModelOpt = None,
    backend: Annotated[str | None, typer.Option("--backend", help=BACKEND_HELP)] = None,
    config: ConfigOpt = None,
) -> None:
    """Check articles and print a credibility report."""
    from claimcheck.commands.check import run_check

    try:
        settings = _settings(config, model_dir=model, backend=backend, fail_under=fail_under)
        if sources:
            settings = settings.with_overrides(source_dirs=tuple(settings.source_dirs) + tuple(sources))
        code = run_check(
            paths, settings, fmt=fmt, output=output, input_format=input_format, online=online, quiet=quiet, watch=watch
        )
    except ClaimcheckError as exc:
        fail(str(exc))
    raise typer.Exit(code)


@app.command()
def classify(
    text: Annotated[str | None, typer.Argument(help="Text, a file path, or '-' for stdin.")] = None,
    one_per_line: Annotated[bool, typer.Option("--one-per-line", help="Each input line is one sentence.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
    model: ModelOpt = None,
    backend: Annotated[str | None, typer.Option("--backend", help=BACKEND_HELP)] = None,
) -> None:
    """Label sentences: finding, hype, call-to-action, disclaimer, background."""
    from claimcheck.commands.classify import run_classify

    try:
        run_classify(text, _settings(model_dir=model, backend=backend), one_per_line, fmt)
    except ClaimcheckError as exc:
        fail(str(exc))


@app.command()
def train(
    output: Annotated[Path | None, typer.Option("--output", help="Model folder to write.")] = None,
    base_model: Annotated[
        str | None,
        typer.Option("--base-model", help="Local folder or Hugging Face id; default: the packaged all-MiniLM-L6-v2."),
    ] = None,
    layers: Annotated[int | None, typer.Option("--layers", help="Keep N encoder layers (a faster student).")] = None,
    distill_from: Annotated[Path | None, typer.Option("--distill-from", help="Teacher model folder.")] = None,
    epochs: Annotated[int | None, typer.Option("--epochs")] = None,
    max_steps: Annotated[int | None, typer.Option("--max-steps")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data", help="Folder with train.jsonl.")] = None,
    no_kind: Annotated[bool, typer.Option("--no-kind", help="Do not show the block kind to the model.")] = False,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    task: Annotated[
        str, typer.Option("--task", help="classify (the sentence model) or verify (encoder + verifier)")
    ] = "classify",
) -> None:
    """Fine-tune the sentence classifier and export it to ONNX int8 (or build the verifier)."""
    from dataclasses import replace

    if task == "verify":
        from claimcheck.config import DEFAULT_VERIFIER_DIR
        from claimcheck.modeling.verifier import build_verifier

        console = _console(stderr=True)
        path = build_verifier(output or DEFAULT_VERIFIER_DIR, lambda m: console.print(f"[dim]{m}[/]"))
        console.print(f"verifier written to {path}")
        return

    from claimcheck.modeling.train import TrainConfig
    from claimcheck.modeling.train import train as run_train

    overrides = {
        "output_dir": output,
        "base_model": base_model,
        "layers": layers,
        "distill_from": distill_from,
        "epochs": epochs,
        "max_steps": max_steps,
        "data_dir": data_dir,
        "seed": seed,
    }
    config = replace(TrainConfig(), **{k: v for k, v in overrides.items() if v is not None})
    if no_kind:
        config = replace(config, use_kind=False)
    console = _console(stderr=True)
    try:
        out = run_train(config, lambda m: console.print(f"[dim]{m}[/]"))
    except ClaimcheckError as exc:
        fail(str(exc))
    console.print(f"model written to {out}")


@app.command()
def evaluate(
    task: Annotated[str, typer.Option("--task", help="classify or verify")] = "classify",
    split: Annotated[str, typer.Option("--split", help="dev or test")] = "test",
    model: ModelOpt = None,
    backend: Annotated[str | None, typer.Option("--backend", help=BACKEND_HELP)] = None,
    data_dir: Annotated[Path | None, typer.Option("--data")] = None,
    errors: Annotated[int, typer.Option("--errors", help="How many errors to list.")] = 15,
    min_macro_f1: Annotated[float | None, typer.Option("--min-macro-f1", help="Exit 1 below this.")] = None,
) -> None:
    """Per-label precision/recall/F1, macro-F1 and confusion matrix, beside the baseline."""
    from claimcheck.commands.evaluate import run_evaluate

    try:
        code = run_evaluate(
            task, split, _settings(model_dir=model, backend=backend), data_dir, errors, min_macro_f1, _console()
        )
    except ClaimcheckError as exc:
        fail(str(exc))
    raise typer.Exit(code)


@app.command()
def bench(
    sentences: Annotated[
        int | None, typer.Option("--sentences", help="How many held-out sentences (default: all of test and dev).")
    ] = None,
    audit: Annotated[bool, typer.Option("--audit", help="Benchmark a batch audit instead.")] = False,
    articles: Annotated[int, typer.Option("--articles", help="Corpus size for --audit.")] = 1000,
    article: Annotated[bool, typer.Option("--article", help="Time checking a 1,500-word article.")] = False,
    model: ModelOpt = None,
    output: Annotated[Path | None, typer.Option("--output", help="Save results as JSON.")] = None,
) -> None:
    """Sentences/second and peak memory for each path, the baseline included."""
    from claimcheck.commands.bench import run_bench

    try:
        run_bench(_settings(model_dir=model), sentences, audit, articles, article, output, _console())
    except ClaimcheckError as exc:
        fail(str(exc))


@app.command()
def audit(
    paths: Annotated[list[str], typer.Argument(help="Folders, files or fsspec URLs.")],
    include: Annotated[list[str] | None, typer.Option("--include", help="Glob of files to check (repeatable).")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Glob to skip (repeatable).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Results file (.jsonl or .csv).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv")] = "jsonl",
    html_dir: Annotated[
        Path | None, typer.Option("--html-dir", help="Write an HTML report per article and an index.")
    ] = None,
    fail_under: Annotated[int | None, typer.Option("--fail-under", help="Exit 1 when any score is below N.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or ray")] = "local",
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster address.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Re-check every file.")] = False,
    sources: Annotated[list[Path] | None, typer.Option("--sources", help="Folder of cited sources.")] = None,
    model: ModelOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Check a whole content folder; worst articles first."""
    from claimcheck.commands.audit import run_audit_command

    try:
        settings = _settings(config, model_dir=model, fail_under=fail_under)
        if sources:
            settings = settings.with_overrides(source_dirs=tuple(settings.source_dirs) + tuple(sources))
        if include:
            settings = settings.with_overrides(include=tuple(include))
        if exclude:
            settings = settings.with_overrides(exclude=tuple(exclude))
        code = run_audit_command(
            paths,
            settings,
            output=output,
            fmt=fmt,
            html_dir=html_dir,
            engine=engine,
            address=address,
            use_cache=not no_cache,
            console=_console(stderr=True),
        )
    except ClaimcheckError as exc:
        fail(str(exc))
    raise typer.Exit(code)


@sources_app.command("list")
def sources_list(
    sources: Annotated[list[Path] | None, typer.Option("--sources", help="Library folder.")] = None,
) -> None:
    """List the sources in the library folders and the cache."""
    from claimcheck.commands.sources import run_sources_list

    run_sources_list(_settings(), sources or [], _console())


@sources_app.command("add")
def sources_add(
    files: Annotated[list[Path], typer.Argument(help="Source files to copy into the library.")],
    library: Annotated[Path, typer.Option("--to", help="Library folder.")] = Path("sources"),
) -> None:
    """Copy source files (with a front-matter header) into a library folder."""
    from claimcheck.commands.sources import run_sources_add

    try:
        run_sources_add(files, library, _console())
    except ClaimcheckError as exc:
        fail(str(exc))


@sources_app.command("clear")
def sources_clear(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Empty the cache of fetched sources."""
    from claimcheck.commands.sources import run_sources_clear

    if not yes and sys.stdin.isatty() and not typer.confirm("Clear the source cache?"):
        raise typer.Exit(1)
    run_sources_clear(_settings(), _console())


@data_app.command("build")
def data_build(
    raw: Annotated[Path, typer.Option("--raw")] = Path("data/raw/articles"),
    out: Annotated[Path, typer.Option("--out")] = Path("data/processed"),
) -> None:
    """Rebuild data/processed/{train,dev,test}.jsonl from the raw articles."""
    from claimcheck.commands.data import run_data_build

    try:
        run_data_build(raw, out, _console())
    except (ClaimcheckError, ValueError) as exc:
        fail(str(exc))


@data_app.command("validate")
def data_validate(
    raw: Annotated[Path, typer.Option("--raw")] = Path("data/raw/articles"),
    processed: Annotated[Path, typer.Option("--processed")] = Path("data/processed"),
    verify: Annotated[Path, typer.Option("--verify", help="the claim-source cases")] = Path("data/verify"),
) -> None:
    """Check schema, label set, split leakage, near-duplicates and label balance, and the verify cases."""
    from claimcheck.commands.data import run_data_validate

    try:
        code = run_data_validate(raw, processed, _console(), verify)
    except (ClaimcheckError, ValueError) as exc:
        fail(str(exc))
    raise typer.Exit(code)


if __name__ == "__main__":  # pragma: no cover
    app()
