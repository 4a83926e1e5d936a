"""Loaders keep every segment's span in the original file."""

import io

import pytest

from claimcheck.load import load_bytes, load_text
from claimcheck.schema import BlockKind
from claimcheck.segment import segment_document

MARKDOWN = """# Knee cells: *what* the trial showed

Researchers treated **61 patients** with a [single injection](https://doi.org/10.5555/knee.2021.01).
Pain fell by 40%.

- 530 mL in forced vital capacity
- Fewer flare-ups

```
code is skipped
```

[Book now](https://clinic.example/book)

## References

1. Haddad R, Berg S. Cells and knees. J Knee Res. 2021;3:1-9. doi:10.5555/knee.2021.01
"""


def test_markdown_blocks_and_spans():
    doc = load_text(MARKDOWN, "markdown")
    kinds = [b.kind for b in doc.blocks]
    assert kinds[0] == BlockKind.TITLE
    assert BlockKind.LIST_ITEM in kinds and BlockKind.BUTTON in kinds and BlockKind.REFERENCE in kinds
    assert not any("code is skipped" in b.text for b in doc.blocks)
    segments = segment_document(doc)
    texts = [s.text for s in segments]
    assert "Researchers treated 61 patients with a single injection." in texts
    assert "Pain fell by 40%." in texts
    for seg in segments:
        raw = MARKDOWN[seg.start : seg.end]
        # the span starts and ends on the sentence's own characters
        assert raw[0] == seg.text[0] and raw[-1] == seg.text[-1]
    reference = next(b for b in doc.blocks if b.kind == BlockKind.REFERENCE)
    assert reference.text.startswith("1. Haddad R")
    paragraph = next(b for b in doc.blocks if "single injection" in b.text)
    assert paragraph.links[0].url == "https://doi.org/10.5555/knee.2021.01"


HTML = """<!doctype html><html><head><title>Knee news</title>
<style>.x{color:red}</style><script>document.write("tracking pixel text")</script></head>
<body><nav><a href="/">Home</a><a href="/shop">Shop all products</a></nav>
<div class="cookie">We use cookies to improve your experience. <button>Accept</button></div>
<main><article><h1>Knee cells &amp; pain</h1>
<p>In a trial of 61 patients,<sup>3</sup> pain fell by 40%. It was <b>amazing</b>!</p>
<ul><li>530 mL in forced vital capacity</li></ul>
<a class="btn btn-primary" href="/book">Book now</a>
</article></main>
<footer><p>© 2026 Example Clinic. All rights reserved.</p></footer></body></html>"""


def test_html_keeps_main_content_with_offsets():
    doc = load_text(HTML, "html")
    texts = [b.text for b in doc.blocks]
    assert doc.title.startswith("Knee")
    assert "Knee cells & pain" in texts
    assert "Book now" in texts
    assert not any("tracking pixel" in t or "Shop all products" in t or "cookies" in t for t in texts)
    segs = segment_document(doc)
    first = next(s for s in segs if s.text.startswith("In a trial"))
    assert first.text == "In a trial of 61 patients,3 pain fell by 40%."
    assert HTML[first.start : first.end].startswith("In a trial of 61 patients,<sup>3</sup>")
    title = doc.blocks[0]
    assert HTML[title.source_start : title.source_end] == "Knee cells &amp; pain"


def test_plain_text_headings_bullets_and_references():
    text = (
        "Magnesium and sleep\n\nA trial of 46 adults found faster sleep onset.\n"
        "The effect was modest.\n\n- 17 minutes faster\n- fewer awakenings\n\n"
        "References\n\n1. Haddad R. Sleep. 2021.\n"
    )
    doc = load_text(text, "text")
    kinds = [b.kind for b in doc.blocks]
    assert kinds == [
        BlockKind.TITLE,
        BlockKind.PARAGRAPH,
        BlockKind.LIST_ITEM,
        BlockKind.LIST_ITEM,
        BlockKind.HEADING,
        BlockKind.REFERENCE,
    ]
    para = doc.blocks[1]
    assert para.text == "A trial of 46 adults found faster sleep onset. The effect was modest."
    start, end = para.source_span(0, len(para.text))
    assert text[start:end] == "A trial of 46 adults found faster sleep onset.\nThe effect was modest."


def test_docx_paragraphs_and_styles():
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Trial results", level=1)
    document.add_paragraph("In the trial, 48 of 120 adults improved. Larger trials are needed.")
    document.add_paragraph("Fewer headaches", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = load_bytes(buffer.getvalue(), "docx", "draft.docx")
    assert [b.kind for b in doc.blocks] == [BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM]
    segs = segment_document(doc)
    assert segs[2].text == "Larger trials are needed."
    assert doc.source[segs[2].start : segs[2].end] == "Larger trials are needed."


def test_markdown_front_matter_is_skipped_and_offsets_hold():
    text = '---\nlayout: post\ntitle: "A: b"\n---\n# Real title\n\nOne finding here.\n'
    doc = load_text(text, "markdown")
    assert [b.text for b in doc.blocks] == ["Real title", "One finding here."]
    para = doc.blocks[1]
    assert text[para.source_start : para.source_end] == "One finding here."
