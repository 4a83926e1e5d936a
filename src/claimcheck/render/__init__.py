"""Renderers: a finished Report in, text out; one module per output format."""

from __future__ import annotations

from collections.abc import Callable

from claimcheck.schema import Report

FORMATS = ("terminal", "json", "markdown", "html", "sarif")


def renderer(fmt: str) -> Callable[[Report], str]:
    """The text renderer for ``fmt`` (the terminal renderer needs a console: see terminal.py)."""
    if fmt == "json":
        from claimcheck.render.json import render_json

        return render_json
    if fmt == "markdown":
        from claimcheck.render.markdown import render_markdown

        return render_markdown
    if fmt == "html":
        from claimcheck.render.html import render_html

        return render_html
    if fmt == "sarif":
        from claimcheck.render.sarif import render_sarif

        return render_sarif
    raise ValueError(f"unknown format {fmt!r}")
