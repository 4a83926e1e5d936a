"""Loading: bytes or a path -> Document with blocks that keep their source offsets.

One entry point per input shape (path, bytes, text); the format comes from the file
extension or is given. Bad input raises InputError with a one-line reason; nothing here
ever writes to the file it reads.
"""

from __future__ import annotations

from pathlib import Path

from claimcheck.errors import InputError
from claimcheck.schema import Block, Document

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdx": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    "": "text",
    ".docx": "docx",
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def format_for(path: str | Path) -> str | None:
    return FORMATS.get(Path(path).suffix.lower())


def decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM) first, then a detected encoding."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise InputError(f"{name}: cannot detect the text encoding (is it a binary file?)") from None
        text = str(best)
    head = text[:20000]
    bad = sum(1 for ch in head if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    if bad > max(10, len(head) // 100):
        raise InputError(f"{name}: looks like a binary file, not text")
    return text


def load_bytes(
    data: bytes, fmt: str, name: str = "<stdin>", path: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Decode and parse ``data`` as ``fmt`` (markdown, html, text, docx)."""
    if len(data) > max_bytes:
        raise InputError(
            f"{name}: {len(data) / 1048576:.1f} MB is over the {max_bytes / 1048576:.0f} MB limit "
            "(raise max_file_mb in [tool.claimcheck] to check it)"
        )
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    if fmt == "docx":
        from claimcheck.load.docx import load_docx

        try:
            source, blocks = load_docx(data)
        except Exception as exc:  # python-docx raises many kinds on a corrupt archive
            raise InputError(f"{name}: not a readable .docx file ({type(exc).__name__})") from exc
        return _document(source, blocks, fmt, path, name)
    return load_text(decode(data, name), fmt, path=path, name=name)


def load_text(source: str, fmt: str = "text", path: str | None = None, name: str = "<text>") -> Document:
    """Parse already-decoded text."""
    title = ""
    if fmt == "markdown":
        from claimcheck.load.markdown import load_markdown

        blocks = load_markdown(source)
    elif fmt == "html":
        from claimcheck.load.html import load_html

        blocks, title = load_html(source)
    elif fmt == "text":
        from claimcheck.load.text import load_text as load_plain

        blocks = load_plain(source)
    else:
        raise InputError(f"{name}: unknown format {fmt!r} (use markdown, html, text or docx)")
    return _document(source, blocks, fmt, path, name, title)


def load_path(path: str | Path, fmt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and parse a file; the format comes from the extension unless given."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory (use `claimcheck audit` for folders)")
    fmt = fmt or format_for(p)
    if fmt is None:
        raise InputError(f"{p}: unsupported file type {p.suffix!r} (.md, .html, .txt, .docx)")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{p}: {size / 1048576:.1f} MB is over the {max_bytes / 1048576:.0f} MB limit "
                "(raise max_file_mb in [tool.claimcheck] to check it)"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    return load_bytes(data, fmt, name=str(p), path=str(p), max_bytes=max_bytes)


def _document(source: str, blocks: list[Block], fmt: str, path: str | None, name: str, title: str = "") -> Document:
    if not blocks:
        raise InputError(f"{name}: no readable text found")
    if not title:
        title = next((b.text for b in blocks if b.kind in ("title", "heading")), "")
    return Document(source=source, blocks=tuple(blocks), format=fmt, path=path, title=title)
