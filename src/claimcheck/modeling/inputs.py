"""How a segment is shown to the model; shared by training and every inference backend.

The block kind (heading, list item, button, ...) goes in front of the text as a short tag,
because "Results" as a heading and a one-line button read differently from the same words
in prose; the evaluation decides whether the model keeps it (see the model card).
"""

from __future__ import annotations

KIND_TAGS = {
    "title": "title",
    "heading": "heading",
    "paragraph": "",
    "list-item": "item",
    "quote": "quote",
    "table-row": "table",
    "caption": "caption",
    "button": "button",
    "reference": "reference",
    "footer": "footer",
}


def model_input(text: str, kind: str, use_kind: bool) -> str:
    tag = KIND_TAGS.get(kind, "") if use_kind else ""
    return f"{tag}: {text}" if tag else text
