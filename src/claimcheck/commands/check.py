"""`claimcheck check`: load each file, run the pipeline, render, choose the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

from claimcheck.config import Settings
from claimcheck.errors import InputError
from claimcheck.load import load_bytes, load_path
from claimcheck.pipeline import Checker
from claimcheck.render import FORMATS
from claimcheck.schema import Report


def _load(path: str, settings: Settings, input_format: str | None):
    if path == "-":
        data = sys.stdin.buffer.read()
        return load_bytes(data, input_format or "markdown", "<stdin>", None, settings.max_bytes)
    return load_path(Path(path), input_format, settings.max_bytes)


def _emit(reports: list[Report], settings: Settings, fmt: str, output: Path | None, quiet: bool) -> None:
    from rich.console import Console

    if fmt == "terminal":
        from claimcheck.render.terminal import render_terminal

        if output is not None:
            with output.open("w", encoding="utf-8") as handle:
                console = Console(file=handle, width=110, color_system=None)
                for report in reports:
                    render_terminal(report, console, settings.flag_labels, quiet)
            return
        console = Console(highlight=False)
        for report in reports:
            render_terminal(report, console, settings.flag_labels, quiet)
        return
    from claimcheck.render import renderer

    render = renderer(fmt)
    if fmt == "json" and len(reports) > 1:
        import json

        from claimcheck.render.json import report_dict

        text = json.dumps([report_dict(r) for r in reports], ensure_ascii=False, indent=2)
    else:
        text = "\n".join(render(r) for r in reports)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def run_check(
    paths: list[str],
    settings: Settings,
    fmt: str = "terminal",
    output: Path | None = None,
    input_format: str | None = None,
    online: bool = False,
    quiet: bool = False,
    watch: bool = False,
) -> int:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if output is not None and any(Path(p).resolve() == output.resolve() for p in paths if p != "-"):
        raise InputError(f"{output}: refusing to overwrite an input file")
    documents = [_load(p, settings, input_format) for p in paths]  # all inputs valid first
    checker = Checker.from_settings(settings, online=online)
    reports = [checker.check(d) for d in documents]
    _emit(reports, settings, fmt, output, quiet)
    if watch:
        return _watch(paths, settings, checker, fmt, output, input_format, quiet)
    if settings.fail_under is not None and any(r.score < settings.fail_under for r in reports):
        return 1
    return 0


def _watch(paths, settings, checker, fmt, output, input_format, quiet) -> int:
    """Re-check on every save until Ctrl-C; a bad save is reported and watching goes on."""
    from rich.console import Console
    from watchfiles import watch

    console = Console(stderr=True)
    files = [p for p in paths if p != "-"]
    console.print(f"[dim]watching {', '.join(files)} (Ctrl-C to stop)[/]")
    try:
        for changes in watch(*files):
            for _, changed in changes:
                try:
                    doc = load_path(Path(changed), input_format, settings.max_bytes)
                    _emit([checker.check(doc)], settings, fmt, output, quiet)
                except InputError as exc:
                    console.print(f"[red]error:[/] {exc}")
    except KeyboardInterrupt:
        pass
    return 0
