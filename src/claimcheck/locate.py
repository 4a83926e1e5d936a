"""Character offset -> (line, column), computed once per document from line starts.

Offsets travel with the text from loading onward; line:column is derived here and
nowhere else, so no stage ever searches the source again to find where a sentence is.
"""

from __future__ import annotations

import bisect


class LineIndex:
    """Maps 0-based character offsets in a text to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1
