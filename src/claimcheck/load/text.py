"""Plain text: blank lines separate blocks; bullets, headings and references are guessed
from line shape, because a .txt article still has headings, lists and a reference list."""

from __future__ import annotations

import re

from claimcheck.load.base import TextBuilder, is_reference_heading
from claimcheck.schema import Block, BlockKind

BULLET = re.compile(r"^\s*(?:[-*•·▪–]|\d{1,3}[.)]|\[\d{1,3}\]|[a-z][.)])\s+")
_NUMBERED_REF = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)])\s+")
_END_PUNCT = re.compile(r"[.!?:;,\"”)\]]\s*$")


def _lines(source: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in source.split("\n"):
        out.append((pos, line.rstrip("\r")))
        pos += len(line) + 1
    return out


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 14 and len(line) <= 100 and not _END_PUNCT.search(line)


def load_text(source: str) -> list[Block]:
    """Split plain text into blocks with source offsets."""
    blocks: list[Block] = []
    section = ""
    paragraph: list[tuple[int, str]] = []

    def emit(builder: TextBuilder, kind: BlockKind) -> None:
        block = builder.build(kind, section)
        if block:
            blocks.append(block)

    def flush() -> None:
        nonlocal section, paragraph
        lines, paragraph = paragraph, []
        if not lines:
            return
        in_refs = is_reference_heading(section)
        if len(lines) == 1 and _looks_like_heading(lines[0][1]) and not BULLET.match(lines[0][1]):
            start, line = lines[0]
            builder = TextBuilder()
            builder.add(line, start)
            kind = BlockKind.TITLE if not blocks else BlockKind.HEADING
            emit(builder, kind)
            section = line.strip()
            return
        builder: TextBuilder | None = None
        kind = BlockKind.PARAGRAPH
        for start, line in lines:
            bullet = BULLET.match(line)
            if bullet and (line[bullet.end() :].strip()):
                if builder is not None:
                    emit(builder, kind)
                builder = TextBuilder()
                keep_marker = in_refs and _NUMBERED_REF.match(line)
                skip = 0 if keep_marker else bullet.end()
                builder.add(line[skip:], start + skip)
                kind = BlockKind.REFERENCE if in_refs else BlockKind.LIST_ITEM
            else:
                if builder is None:
                    builder = TextBuilder()
                    kind = BlockKind.REFERENCE if in_refs else BlockKind.PARAGRAPH
                builder.add_synthetic(" ")
                builder.add(line, start)
        if builder is not None:
            emit(builder, kind)

    for start, line in _lines(source):
        if line.strip():
            paragraph.append((start, line))
        else:
            flush()
    flush()
    return blocks
