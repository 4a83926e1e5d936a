"""Frozen dataclasses passed between the stages: load -> segment -> classify -> cite ->
resolve -> verify -> score -> render.

Every piece of text keeps its span (start, end) in the original file, so line:column is
computed once (locate.py) and never re-searched.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list-item"
    QUOTE = "quote"
    TABLE_ROW = "table-row"
    CAPTION = "caption"
    BUTTON = "button"
    REFERENCE = "reference"
    FOOTER = "footer"


@dataclass(frozen=True)
class Link:
    """A hyperlink: its visible text, its target, and the text's span in the source."""

    text: str
    url: str
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """One structural unit of a page (a paragraph, a heading, a list item, ...).

    ``text`` is the readable text with markup removed; ``runs`` maps it back to the source:
    each run is (text_start, source_start, length) of a stretch copied verbatim.
    """

    kind: BlockKind
    text: str
    runs: tuple[tuple[int, int, int], ...]
    links: tuple[Link, ...] = ()
    section: str = ""

    def source_offset(self, index: int) -> int:
        """Source offset of text[index]; an index past a run maps to that run's end."""
        if not self.runs:
            return 0
        starts = [run[0] for run in self.runs]
        i = max(bisect.bisect_right(starts, index) - 1, 0)
        text_start, source_start, length = self.runs[i]
        return source_start + min(index - text_start, length)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span of text[start:end] (end exclusive)."""
        if end <= start:
            offset = self.source_offset(start)
            return offset, offset
        return self.source_offset(start), self.source_offset(end - 1) + 1

    @property
    def source_start(self) -> int:
        return self.runs[0][1] if self.runs else 0

    @property
    def source_end(self) -> int:
        if not self.runs:
            return 0
        _, source_start, length = self.runs[-1]
        return source_start + length


@dataclass(frozen=True)
class Document:
    """A loaded article: the decoded source text and its blocks in reading order."""

    source: str
    blocks: tuple[Block, ...]
    format: str
    path: str | None = None
    title: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A sentence-like unit before classification, with its span in the source."""

    text: str
    start: int
    end: int
    block_index: int
    kind: BlockKind


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    scores: dict[str, float]
    truncated: bool = False
    decided_by: str = ""  # "tfidf-gate" or the transformer backend, e.g. "onnx-int8"


@dataclass(frozen=True)
class Sentence:
    """A classified segment, with its place in the source as offsets and line:column."""

    index: int
    text: str
    label: str
    confidence: float
    scores: dict[str, float]
    start: int
    end: int
    line: int
    column: int
    kind: BlockKind
    block_index: int


@dataclass(frozen=True)
class Citation:
    """An identifier or reference found in the article.

    ``kind`` is one of doi, pmid, pmcid, nct, arxiv, url, reference (an author-year or
    reference-list entry) or marker (an inline [1] / superscript pointing at a numbered
    reference). ``number`` is the reference-list number where there is one.
    """

    index: int
    kind: str
    identifier: str
    text: str
    start: int
    end: int
    line: int
    column: int
    number: int | None = None


@dataclass(frozen=True)
class Source:
    """The text of a cited source, as resolved from the library, the cache or online."""

    key: str
    title: str
    text: str
    origin: str
    identifiers: dict[str, str] = field(default_factory=dict)
    location: str = ""


@dataclass(frozen=True)
class Evidence:
    """The source passage that decided a verdict, and the checks that decided it."""

    source_key: str
    source_title: str
    passage: str
    similarity: float
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A finding checked against its cited sources."""

    sentence_index: int
    text: str
    verdict: str
    confidence: float
    reason: str
    citations: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    evidence: Evidence | None = None
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreComponent:
    """One documented part of the credibility score and the sentences that drove it."""

    name: str
    points: float
    max_points: float
    value: str
    explanation: str
    sentence_indexes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs; built by pipeline.check_document, never printed there."""

    path: str | None
    format: str
    score: int
    grade: str
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    claims: tuple[Claim, ...]
    components: tuple[ScoreComponent, ...]
    title: str = ""
    warnings: tuple[str, ...] = ()
    model: str = ""

    def label_counts(self) -> dict[str, int]:
        from claimcheck.labels import LABELS

        counts = dict.fromkeys(LABELS, 0)
        for sentence in self.sentences:
            counts[sentence.label] += 1
        return counts

    def verdict_counts(self) -> dict[str, int]:
        from claimcheck.labels import VERDICTS

        counts = dict.fromkeys(VERDICTS, 0)
        for claim in self.claims:
            counts[claim.verdict] += 1
        return counts
