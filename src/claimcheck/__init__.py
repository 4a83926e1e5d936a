"""claimcheck: tell promotional writing from evidence-backed writing.

Public API: ``check(text_or_path) -> Report``, ``Report``, ``Label``, ``__version__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from claimcheck.labels import Label

if TYPE_CHECKING:
    from claimcheck.schema import Report


def check(text_or_path, settings=None) -> Report:
    """Check an article (a path or a string of text) and return its Report."""
    from claimcheck.pipeline import check as _check

    return _check(text_or_path, settings)


def __getattr__(name: str):
    if name == "Report":
        from claimcheck.schema import Report

        return Report
    raise AttributeError(name)


__all__ = ["Label", "Report", "__version__", "check"]
