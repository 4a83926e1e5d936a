"""Find what an article cites (DOIs, PubMed and PMC ids, trial ids, arXiv ids, URLs,
author-year references, numbered reference lists, inline markers, "Source:" lines) and
link each sentence to the sources that back it: inline marker first, then the same
paragraph, then the same section, then the article's own short source list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimcheck.locate import LineIndex
from claimcheck.schema import Block, BlockKind, Citation, Document, Sentence

DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>\]\[()]+)")
PMID = re.compile(r"\bPMID:?\s*(\d{6,9})\b|pubmed\.ncbi\.nlm\.nih\.gov/(\d{6,9})", re.I)
PMCID = re.compile(r"\b(PMC\d{5,9})\b")
NCT = re.compile(r"\b(NCT\d{8})\b", re.I)
ARXIV = re.compile(r"\barXiv:\s*(\d{4}\.\d{4,5})(?:v\d+)?|arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.I)
URL = re.compile(r"\bhttps?://[^\s<>\"'\]\[)]+", re.I)
AUTHOR_YEAR = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z'’\-]+)(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][A-Za-z'’\-]+)"
    r",?\s*(?:\(|\[)?(?P<year>(?:19|20)\d{2})\b"
    r"|\((?P<name2>[A-Z][A-Za-z'’\-]+)(?:\s+et\s+al\.?)?,\s*(?P<year2>(?:19|20)\d{2})\)"
)
MARKER = re.compile(
    r"\[(?P<bracket>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]"
    r"|(?P<sup>[¹²³⁴⁵⁶⁷⁸⁹⁰]+(?:[,–-][¹²³⁴⁵⁶⁷⁸⁹⁰]+)*)"
    r"|(?<=[A-Za-z%)][.,;])(?P<glued>\d{1,2}(?:[,–-]\d{1,2})*)(?=\s|$)"
)
SOURCE_LINE = re.compile(r"^\s*(?:sources?|references?|study|citation|via)\s*:\s*", re.I)
REF_NUMBER = re.compile(r"^\s*\[?(\d{1,3})[.)\]]\s+")
SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
# An article without inline markers that cites only a few sources is taken to cite them for
# every finding it reports (news summaries that end with one "Source:" line).
ARTICLE_LEVEL_MAX = 5
PRIORITY = ("doi", "pmid", "pmcid", "nct", "arxiv", "url", "author-year", "title")


def _trim(identifier: str) -> str:
    return identifier.rstrip(".,;:")


def _numbers(spec: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*,\s*", spec.translate(SUPERSCRIPTS)):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and all(b.isdigit() for b in bounds):
            lo, hi = int(bounds[0]), int(bounds[1])
            out.extend(range(lo, min(hi, lo + 20) + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


def _identifiers(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, identifier, start, end) of every identifier in ``text``."""
    found: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("doi", DOI), ("pmid", PMID), ("pmcid", PMCID), ("nct", NCT), ("arxiv", ARXIV)):
        for m in pattern.finditer(text):
            value = next(g for g in m.groups() if g)
            value = _trim(value).lower() if kind == "doi" else _trim(value).upper()
            if kind == "arxiv":
                value = value.lower()
            found.append((kind, value, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in URL.finditer(text):
        url = _trim(m.group(0))
        inner = _identifiers_in_url(url)
        if inner:
            found.append((inner[0], inner[1], m.start(), m.end()))
        elif not any(a <= m.start() < b for a, b in taken):
            found.append(("url", url, m.start(), m.end()))
    return found


def _identifiers_in_url(url: str) -> tuple[str, str] | None:
    for kind, pattern in (("doi", DOI), ("pmid", PMID), ("pmcid", PMCID), ("nct", NCT), ("arxiv", ARXIV)):
        m = pattern.search(url)
        if m:
            value = _trim(next(g for g in m.groups() if g))
            return kind, value.lower() if kind in ("doi", "arxiv") else value.upper()
    return None


@dataclass
class _Collector:
    document: Document
    lines: LineIndex
    items: list[Citation]

    def add(
        self,
        block: Block,
        kind: str,
        identifier: str,
        start: int,
        end: int,
        number: int | None = None,
        text: str | None = None,
    ) -> None:
        s, e = block.source_span(start, end)
        line, column = self.lines.line_col(s)
        self.items.append(
            Citation(
                len(self.items),
                kind,
                identifier,
                text if text is not None else block.text[start:end],
                s,
                e,
                line,
                column,
                number,
            )
        )


def extract_citations(document: Document, lines: LineIndex | None = None) -> tuple[Citation, ...]:
    """Every citation in reading order; reference entries carry their list number."""
    collector = _Collector(document, lines or LineIndex(document.source), [])
    ref_counter = 0
    for block in document.blocks:
        text = block.text
        number = None
        is_reference = block.kind == BlockKind.REFERENCE or bool(SOURCE_LINE.match(text))
        if block.kind == BlockKind.REFERENCE:
            m = REF_NUMBER.match(text)
            ref_counter = int(m.group(1)) if m else ref_counter + 1
            number = ref_counter
        for kind, identifier, start, end in _identifiers(text):
            collector.add(block, kind, identifier, start, end, number)
        for link in block.links:
            href = link.url.strip()
            inner = _identifiers_in_url(href)
            if inner:
                kind, identifier = inner
            elif href.lower().startswith(("http://", "https://")):
                kind, identifier = "url", href
            else:
                continue
            if any(c.kind == kind and c.identifier == identifier and c.number == number for c in collector.items[-8:]):
                continue
            pos = text.find(link.text) if link.text else -1
            start, end = (pos, pos + len(link.text)) if pos >= 0 else (0, len(text))
            collector.add(block, kind, identifier, start, end, number, text=link.text or href)
        for m in AUTHOR_YEAR.finditer(text):
            name = m.group("name") or m.group("name2")
            year = m.group("year") or m.group("year2")
            collector.add(block, "author-year", f"{name.lower()} {year}", m.start(), m.end(), number)
        if is_reference:
            body = SOURCE_LINE.sub("", REF_NUMBER.sub("", text))
            collector.add(block, "title", body.strip(), 0, len(text), number)
        else:
            for m in MARKER.finditer(text):
                spec = m.group("bracket") or m.group("sup") or m.group("glued")
                for n in _numbers(spec):
                    collector.add(block, "marker", str(n), m.start(), m.end(), n)
    return tuple(collector.items)


@dataclass(frozen=True)
class CitedSource:
    """One source a sentence points to: the identifiers to try, best first."""

    key: str
    candidates: tuple[tuple[str, str], ...]
    citations: tuple[int, ...]


def _group(cites: list[Citation]) -> CitedSource:
    cands = sorted(
        {(c.kind, c.identifier) for c in cites if c.kind != "marker"},
        key=lambda kc: PRIORITY.index(kc[0]) if kc[0] in PRIORITY else 99,
    )
    key = f"{cands[0][0]}:{cands[0][1]}" if cands else f"ref:{cites[0].number}"
    return CitedSource(key, tuple(cands), tuple(c.index for c in cites))


def sources_for_sentences(
    document: Document, sentences: list[Sentence] | tuple[Sentence, ...], citations: tuple[Citation, ...]
) -> dict[int, tuple[CitedSource, ...]]:
    """For each sentence index, the sources it is linked to (possibly none)."""
    by_number: dict[int, list[Citation]] = {}
    for c in citations:
        if c.number is not None and c.kind != "marker":
            by_number.setdefault(c.number, []).append(c)
    references_start = min(
        (c.start for c in citations if c.number is not None and c.kind != "marker"), default=len(document.source) + 1
    )

    def groups(cites: list[Citation]) -> list[CitedSource]:
        out: list[CitedSource] = []
        for c in cites:
            if c.kind == "marker":
                entry = by_number.get(c.number or -1)
                out.append(_group(entry) if entry else CitedSource(f"ref:{c.number}", (), (c.index,)))
            elif c.number is not None:
                out.append(_group(by_number[c.number]))
            else:
                out.append(_group([c]))
        unique: dict[str, CitedSource] = {}
        for g in out:
            unique.setdefault(g.key, g)
        return list(unique.values())

    section_of: list[int] = []
    section = 0
    for i, block in enumerate(document.blocks):
        if block.kind in (BlockKind.HEADING, BlockKind.TITLE):
            section = i
        section_of.append(section)
    in_text = [c for c in citations if c.start < references_start or c.number is None]
    article_level = groups(
        [c for c in citations if c.number is not None and c.kind != "marker"]
        or [c for c in citations if c.kind != "marker"]
    )
    # Pages that mark their citations inline ([1], superscripts) mark every cited finding, so an
    # unmarked finding there is uncited; pages without markers cite for the whole article.
    uses_markers = any(c.kind == "marker" for c in citations)
    linked: dict[int, tuple[CitedSource, ...]] = {}
    for s in sentences:
        inline = [c for c in in_text if s.start <= c.start < s.end + 2]
        same_block = [
            c
            for c in in_text
            if document.blocks[s.block_index].source_start <= c.start < document.blocks[s.block_index].source_end
        ]
        sec = section_of[s.block_index]
        next_sec = next(
            (j for j in range(s.block_index + 1, len(document.blocks)) if section_of[j] != sec), len(document.blocks)
        )
        lo = document.blocks[sec].source_start
        hi = document.blocks[next_sec].source_start if next_sec < len(document.blocks) else len(document.source)
        same_section = [c for c in in_text if lo <= c.start < hi and c.kind != "marker"]
        for cites in (inline, same_block, same_section):
            found = groups(cites)
            if found:
                linked[s.index] = tuple(found)
                break
        else:
            if not uses_markers and 0 < len(article_level) <= ARTICLE_LEVEL_MAX:
                linked[s.index] = tuple(article_level)
    return linked
