"""HTML: our own offset-keeping walk finds blocks, trafilatura decides what is main content.

trafilatura (a well-kept boilerplate remover) is far better than regexes at telling an
article from navigation and page chrome, but its output has no offsets; so we walk the page
ourselves with the standard library's tokenizer, which reports each token's position, and keep
the blocks that sit in <main>/<article> or that trafilatura kept.
"""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

from claimcheck.load.base import TextBuilder, is_reference_heading
from claimcheck.schema import Block, BlockKind, Link

SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "select", "pre", "code", "canvas", "object", "math"}
VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "base", "col", "embed", "param", "track"}
BLOCK_KINDS = {
    "p": BlockKind.PARAGRAPH,
    "h1": BlockKind.HEADING,
    "h2": BlockKind.HEADING,
    "h3": BlockKind.HEADING,
    "h4": BlockKind.HEADING,
    "h5": BlockKind.HEADING,
    "h6": BlockKind.HEADING,
    "li": BlockKind.LIST_ITEM,
    "blockquote": BlockKind.QUOTE,
    "figcaption": BlockKind.CAPTION,
    "caption": BlockKind.CAPTION,
    "tr": BlockKind.TABLE_ROW,
    "dt": BlockKind.PARAGRAPH,
    "dd": BlockKind.PARAGRAPH,
    "button": BlockKind.BUTTON,
    "summary": BlockKind.HEADING,
    "label": BlockKind.PARAGRAPH,
}
CONTAINERS = {
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "body",
    "form",
    "figure",
    "table",
    "tbody",
    "thead",
    "ul",
    "ol",
    "dl",
    "details",
    "span",
}
CHROME = {"nav", "aside", "header", "footer"}
_BUTTONISH = re.compile(r"\b(btn|button|cta)\b", re.IGNORECASE)
_NORM = re.compile(r"\W+")


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


class _Walker(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.skip_depth = 0
        self.builder: TextBuilder | None = None
        self.kind = BlockKind.PARAGRAPH
        self.found: list[tuple[Block, bool, bool]] = []  # (block, in main, in chrome)
        self.title = ""
        self.in_title = False
        self.section = ""
        self.link: tuple[str, int, int] | None = None  # (href, text start, builder length)

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _flags(self) -> tuple[bool, bool]:
        tags = {tag for tag, _ in self.stack}
        roles = {attrs.get("role", "") for _, attrs in self.stack}
        main = bool(tags & {"main", "article"}) or "main" in roles
        chrome = bool(tags & CHROME) or bool(roles & {"navigation", "banner", "contentinfo"})
        return main, chrome

    def flush(self) -> None:
        if self.builder is None:
            return
        kind = self.kind
        if is_reference_heading(self.section) and kind in (BlockKind.LIST_ITEM, BlockKind.PARAGRAPH):
            kind = BlockKind.REFERENCE
        block = self.builder.build(kind, self.section)
        self.builder = None
        if block is not None:
            main, chrome = self._flags()
            self.found.append((block, main, chrome))
            if kind == BlockKind.HEADING:
                self.section = block.text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "title":
            self.in_title = True
        if self.skip_depth or tag in SKIP:
            if tag not in VOID:
                self.skip_depth += 1
            return
        if tag == "br" and self.builder is not None:
            self.builder.add_synthetic(" ")
        if tag in VOID:
            return
        if (tag in BLOCK_KINDS or tag in CONTAINERS) and not (tag in {"td", "th"} or tag == "span"):
            self.flush()
        self.stack.append((tag, attr))
        if tag in BLOCK_KINDS:
            self.kind = BLOCK_KINDS[tag]
        elif (
            tag == "a"
            and self.builder is None
            and _BUTTONISH.search(attr.get("class", "") + " " + attr.get("role", ""))
        ):
            self.kind = BlockKind.BUTTON
        elif tag in CONTAINERS:
            self.kind = BlockKind.PARAGRAPH
        if tag in {"td", "th"} and self.builder is not None and len(self.builder):
            self.builder.add_synthetic(" | ")
        if tag == "a" and attr.get("href"):
            start = self._offset()
            self.link = (attr["href"], start, len(self.builder) if self.builder else 0)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skip_depth:
            if tag in SKIP or tag not in VOID:
                self.skip_depth -= 1
            return
        if tag == "a" and self.link and self.builder is not None:
            href, start, begin = self.link
            visible = self.builder.text()[begin:].strip()
            self.builder.links.append(Link(visible, href, start, self._offset()))
            self.link = None
        if any(t == tag for t, _ in self.stack):
            if tag in BLOCK_KINDS or tag in CONTAINERS or (tag == "a" and self.kind == BlockKind.BUTTON):
                self.flush()
            while self.stack:
                t, _ = self.stack.pop()
                if t == tag:
                    break
            self.kind = BlockKind.PARAGRAPH
            for t, _ in reversed(self.stack):
                if t in BLOCK_KINDS:
                    self.kind = BLOCK_KINDS[t]
                    break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.skip_depth or (not data.strip() and self.builder is None):
            return
        if self.builder is None:
            self.builder = TextBuilder()
        self.builder.add(data, self._offset())

    def _entity(self, text: str) -> None:
        if self.in_title:
            self.title += text
        elif not self.skip_depth:
            if self.builder is None:
                self.builder = TextBuilder()
            if text.isspace():
                self.builder.add_synthetic(" ")
            else:
                self.builder.add_synthetic(text)

    def handle_entityref(self, name: str) -> None:
        self._entity(htmllib.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self._entity(htmllib.unescape(f"&#{name};"))


def _main_text(source: str) -> str | None:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - trafilatura is a core dependency
        return None
    try:
        return trafilatura.extract(
            source, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
        )
    except Exception:  # trafilatura fails on some malformed pages: fall back to structure
        return None


def load_html(source: str) -> tuple[list[Block], str]:
    """Blocks of the page's main content, and the page title."""
    walker = _Walker(source)
    walker.feed(source)
    walker.close()
    walker.flush()
    extracted = _main_text(source)
    extracted_norm = _norm(extracted) if extracted else ""
    extracted_lines = {_norm(line) for line in extracted.splitlines()} if extracted else set()
    has_main = any(main for _, main, _ in walker.found)
    kept: list[Block] = []
    for block, main, chrome in walker.found:
        norm = _norm(block.text)
        if not norm:
            continue
        in_extract = norm in extracted_lines or (len(norm) >= 25 and norm in extracted_norm)
        if (main and not chrome) or in_extract or (not has_main and not extracted and not chrome):
            kept.append(block)
    if kept and kept[0].kind == BlockKind.HEADING:
        first = kept[0]
        kept[0] = Block(BlockKind.TITLE, first.text, first.runs, first.links, first.section)
    return kept, " ".join(walker.title.split())
