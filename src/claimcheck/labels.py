"""The five sentence labels of the label contract (shared/LABELS.md), as one enum.

These strings appear verbatim in every machine-readable output and are saved with the
model, so a model trained on another label set is refused at load time.
"""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    FINDING = "finding"
    HYPE = "hype"
    CALL_TO_ACTION = "call-to-action"
    DISCLAIMER = "disclaimer"
    BACKGROUND = "background"


LABELS: tuple[str, ...] = tuple(label.value for label in Label)
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
LABEL2ID: dict[str, int] = {label: i for i, label in ID2LABEL.items()}


class Verdict(StrEnum):
    """What the cited sources make of a finding (see verify.py)."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    OVERSTATED = "overstated"
    NOT_FOUND = "not-found"
    UNCITED = "uncited"


VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)
