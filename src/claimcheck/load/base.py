"""Building blocks whose text remembers where every character came from.

Loaders copy stretches of the source into a block's text (each stretch a run with its
source offset) and may add synthetic characters (a space for a line break); trimming and
joining keep the runs right, so segment spans always map back to the original file.
"""

from __future__ import annotations

import re

from claimcheck.schema import Block, BlockKind, Link

REFERENCE_HEADING = re.compile(
    r"^\s*(references?|sources?|bibliography|citations?|works cited|literature|notes|footnotes)\s*:?\s*$",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


class TextBuilder:
    """Accumulates a block's text with a run for each stretch copied from the source."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._runs: list[tuple[int, int, int]] = []
        self._length = 0
        self.links: list[Link] = []

    def __len__(self) -> int:
        return self._length

    def text(self) -> str:
        return "".join(self._parts)

    def add(self, text: str, source_start: int) -> None:
        """Copy ``text``, found at ``source_start`` in the source; whitespace runs collapse."""
        pos = 0
        for match in _SPACE.finditer(text):
            self._add_run(text[pos : match.start()], source_start + pos)
            if self._length and not self.ends_with_space():
                self._add_run(" ", source_start + match.start())
            pos = match.end()
        self._add_run(text[pos:], source_start + pos)

    def add_synthetic(self, text: str) -> None:
        """Add text that is not in the source verbatim (an entity's character, a space)."""
        if text == " " and (not self._length or self.ends_with_space()):
            return
        self._parts.append(text)
        self._length += len(text)

    def ends_with_space(self) -> bool:
        return bool(self._parts) and self._parts[-1].endswith(" ")

    def _add_run(self, text: str, source_start: int) -> None:
        if not text:
            return
        if self._runs:
            t0, s0, n0 = self._runs[-1]
            if t0 + n0 == self._length and s0 + n0 == source_start:
                self._runs[-1] = (t0, s0, n0 + len(text))
                self._parts.append(text)
                self._length += len(text)
                return
        self._runs.append((self._length, source_start, len(text)))
        self._parts.append(text)
        self._length += len(text)

    def build(self, kind: BlockKind, section: str = "") -> Block | None:
        """The finished block, trimmed of outer whitespace; None when it holds no text."""
        text = "".join(self._parts)
        left = len(text) - len(text.lstrip())
        right = len(text.rstrip())
        if right <= left:
            return None
        runs = []
        for t0, s0, n in self._runs:
            a, b = max(t0, left), min(t0 + n, right)
            if b > a:
                runs.append((a - left, s0 + (a - t0), b - a))
        if not runs:  # wholly synthetic text: pin it to where its first run would be
            return None
        return Block(kind, text[left:right], tuple(runs), tuple(self.links), section)


def is_reference_heading(text: str) -> bool:
    return bool(REFERENCE_HEADING.match(text))
