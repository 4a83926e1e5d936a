"""Word .docx via python-docx: each paragraph is a block; the document's text is its
paragraphs joined by newlines, so line numbers are paragraph numbers."""

from __future__ import annotations

import io

from claimcheck.load.base import TextBuilder, is_reference_heading
from claimcheck.schema import Block, BlockKind


def load_docx(data: bytes) -> tuple[str, list[Block]]:
    """The joined paragraph text and its blocks."""
    import docx  # python-docx; imported here so other formats never pay for it

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    blocks: list[Block] = []
    pos = 0
    section = ""
    for paragraph in document.paragraphs:
        text = paragraph.text.replace("\n", " ")
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        start = pos
        lines.append(text)
        pos += len(text) + 1
        if not text.strip():
            continue
        if style.startswith("title"):
            kind = BlockKind.TITLE
        elif style.startswith("heading"):
            kind = BlockKind.HEADING
        elif is_reference_heading(section):
            kind = BlockKind.REFERENCE
        elif "list" in style:
            kind = BlockKind.LIST_ITEM
        elif "quote" in style:
            kind = BlockKind.QUOTE
        elif "caption" in style:
            kind = BlockKind.CAPTION
        else:
            kind = BlockKind.PARAGRAPH
        builder = TextBuilder()
        builder.add(text, start)
        block = builder.build(kind, section)
        if block:
            blocks.append(block)
            if kind in (BlockKind.TITLE, BlockKind.HEADING):
                section = block.text
    return "\n".join(lines), blocks
