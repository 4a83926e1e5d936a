"""Blocks -> sentence segments, each with its span in the source.

Why our own splitter: the packaged ones we measured (see README, `claimcheck bench
--segment`) each break something that web pages are full of: "et al.", "vs.", "approx.",
initials in author lists, citation digits glued after the full stop ("participants.12 The"),
bracketed markers. Blocks already separate headings, bullets and buttons, so the rules here
only have to split running prose.
"""

from __future__ import annotations

import re

from claimcheck.schema import Block, BlockKind, Document, Segment

# Blocks that are one segment whatever their punctuation.
WHOLE = {BlockKind.TITLE, BlockKind.HEADING, BlockKind.BUTTON, BlockKind.REFERENCE, BlockKind.TABLE_ROW}

ABBREVIATIONS = {
    "al",
    "dr",
    "drs",
    "mr",
    "mrs",
    "ms",
    "prof",
    "sr",
    "jr",
    "st",
    "vs",
    "v",
    "e.g",
    "i.e",
    "eg",
    "ie",
    "fig",
    "figs",
    "no",
    "nos",
    "vol",
    "vols",
    "approx",
    "ca",
    "cf",
    "ltd",
    "co",
    "corp",
    "dept",
    "univ",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mt",
    "ft",
    "u.s",
    "u.k",
    "ph.d",
    "m.d",
    "b.sc",
    "m.sc",
    "p",
    "pp",
    "ed",
    "eds",
    "est",
    "min",
    "max",
    "avg",
    "incl",
    "excl",
    "resp",
    "ref",
    "refs",
    "op",
    "viz",
    "gen",
    "gov",
    "rev",
    "assoc",
    "inst",
    "int",
    "natl",
}

SENTENCE_STARTERS = frozenset(
    "the this that these those it its in on at a an we our they their he she his her there "
    "however but and or so for with after before during when while although as if overall "
    "participants patients researchers results all most many some each one two both no not "
    "what why how more less also to by from of i you your is are was were ".split()
)

_BOUNDARY = re.compile(
    r"(?P<punct>[.!?…]+)"
    r"(?P<close>[\"'”’)\]]*)"
    r"(?P<cite>(?<=[A-Za-z%)][.])\d{1,3}(?:[,–-]\d{1,3})*|[¹²³⁴⁵⁶⁷⁸⁹⁰]+(?:[,–-][¹²³⁴⁵⁶⁷⁸⁹⁰]+)*"
    r"|\s?\[\d{1,3}(?:[,–-]\s?\d{1,3})*\])?"
    r"(?P<space>\s+)"
    r"(?=[\"'“‘(\[]?[A-Z0-9¡¿])"
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text, 0, dot)
    if not match:
        return False
    word = match.group(1)
    if word.lower().rstrip(".") in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():
        # "J. Smith" or "A. B. Jones": an initial; "vitamin D. The" ends a sentence.
        following = re.match(r"\s*([A-Za-z]+)", text[dot + 1 :])
        return not (following and following.group(1).lower() in SENTENCE_STARTERS)
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))  # "U.S", "e.g"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in ``text``; whitespace between them is dropped."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        punct = match.group("punct")
        if punct == "." and not match.group("cite") and _is_abbreviation(text, match.start()):
            continue
        end = match.start("space")
        if text[start:end].strip():
            spans.append((_skip_space(text, start), end))
        start = match.end()
    if text[start:].strip():
        spans.append((_skip_space(text, start), len(text.rstrip())))
    return spans


def _skip_space(text: str, start: int) -> int:
    return len(text) - len(text[start:].lstrip())


def segment_block(block: Block, block_index: int) -> list[Segment]:
    spans = [(0, len(block.text))] if block.kind in WHOLE else split_sentences(block.text)
    segments = []
    for start, end in spans:
        source_start, source_end = block.source_span(start, end)
        segments.append(Segment(block.text[start:end], source_start, source_end, block_index, block.kind))
    return segments


def segment_document(document: Document) -> list[Segment]:
    """All segments of a document in reading order."""
    segments: list[Segment] = []
    for i, block in enumerate(document.blocks):
        segments.extend(segment_block(block, i))
    return segments
