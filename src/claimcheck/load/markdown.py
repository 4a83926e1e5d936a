"""Markdown: markdown-it-py finds the structure (headings, lists, quotes, tables, code),
and an offset-keeping inline pass strips emphasis and links while recording link targets."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from claimcheck.load.base import TextBuilder, is_reference_heading
from claimcheck.schema import Block, BlockKind, Link

# Inline tokens we rewrite; everything between them is copied verbatim.
_INLINE = re.compile(
    r"(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|(?P<link>\[(?P<ltext>[^\]]+)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\))"
    r"|(?P<auto><(?P<aurl>https?://[^>\s]+)>)"
    r"|(?P<tag></?[a-zA-Z][^>\n]*>)"
    r"|(?P<escape>\\(?P<echar>[\\`*_{}\[\]()#+\-.!]))"
    r"|(?P<emph>\*\*|__|~~|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)|`)"
)
_BUTTON_WORDS = re.compile(
    r"\b(book|buy|shop|order|sign up|subscribe|join|register|download|"
    r"learn more|read more|get|start|apply|call|contact|claim|try|enrol|enroll)\b",
    re.IGNORECASE,
)


def _add_inline(builder: TextBuilder, text: str, source_start: int) -> None:
    pos = 0
    for match in _INLINE.finditer(text):
        builder.add(text[pos : match.start()], source_start + pos)
        if match.group("link"):
            lstart = match.start("ltext")
            _add_inline(builder, match.group("ltext"), source_start + lstart)
            builder.links.append(
                Link(match.group("ltext"), match.group("url"), source_start + lstart, source_start + match.end("ltext"))
            )
        elif match.group("auto"):
            url = match.group("aurl")
            builder.add(url, source_start + match.start("aurl"))
            builder.links.append(Link(url, url, source_start + match.start("aurl"), source_start + match.end("aurl")))
        elif match.group("escape"):
            builder.add(match.group("echar"), source_start + match.start("echar"))
        pos = match.end()
    builder.add(text[pos:], source_start + pos)


def _is_button(builder: TextBuilder, text: str) -> bool:
    """A short paragraph that is nothing but a link reads as a button on a page."""
    stripped = text.strip().strip("*_ ")
    return (
        len(builder.links) == 1
        and stripped.startswith("[")
        and stripped.endswith(")")
        and len(builder.links[0].text) <= 60
        and bool(_BUTTON_WORDS.search(builder.links[0].text))
    )


_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n.*?\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def blank_front_matter(source: str) -> str:
    """The source with a leading YAML/TOML front-matter block blanked out, offsets unchanged."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return source
    blank = "".join(ch if ch == "\n" else " " for ch in match.group(0))
    return blank + source[match.end() :]


def load_markdown(source: str) -> list[Block]:
    """Split Markdown into blocks; front matter, code blocks and HTML comments are skipped."""
    source = blank_front_matter(source)
    line_starts = [0]
    for i, ch in enumerate(source):
        if ch == "\n":
            line_starts.append(i + 1)
    lines = source.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    blocks: list[Block] = []
    section = ""
    stack: list[str] = []
    row: TextBuilder | None = None

    for i, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(token.type)
        elif token.nesting == -1:
            if stack:
                stack.pop()
            if token.type == "tr_close" and row is not None:
                block = row.build(BlockKind.TABLE_ROW, section)
                if block:
                    blocks.append(block)
                row = None
        if token.type == "tr_open":
            row = TextBuilder()
        if token.type != "inline" or token.map is None:
            continue
        builder = row if row is not None else TextBuilder()
        if row is not None and len(row):
            row.add_synthetic(" | ")
        first_line = token.map[0]
        # Numbered reference entries keep their number ("1. Smith J ..."): markers point at it.
        keep_marker = "ordered_list_open" in stack and is_reference_heading(section)
        for k, content_line in enumerate(token.content.split("\n")):
            n = first_line + k
            if n >= len(lines):
                break
            col = lines[n].find(content_line)
            if col < 0 or (k == 0 and keep_marker):
                col = len(lines[n]) - len(lines[n].lstrip())
                content_line = lines[n][col:]
            if k:
                builder.add_synthetic(" ")
            _add_inline(builder, content_line, line_starts[n] + col)
        if row is not None:
            continue
        parent = tokens[i - 1].type if i else ""
        if parent == "heading_open":
            kind = BlockKind.TITLE if tokens[i - 1].tag == "h1" and not blocks else BlockKind.HEADING
        elif _is_button(builder, token.content):
            kind = BlockKind.BUTTON
        elif is_reference_heading(section):
            kind = BlockKind.REFERENCE
        elif "list_item_open" in stack:
            kind = BlockKind.LIST_ITEM
        elif "blockquote_open" in stack:
            kind = BlockKind.QUOTE
        else:
            kind = BlockKind.PARAGRAPH
        block = builder.build(kind, section)
        if block:
            blocks.append(block)
            if kind in (BlockKind.TITLE, BlockKind.HEADING):
                section = block.text
    return blocks
