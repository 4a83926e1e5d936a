"""Errors meant for people: one line that says what went wrong and what to do.

Library code raises these; only the CLI turns them into a message and exit code 2.
"""

from __future__ import annotations


class ClaimcheckError(Exception):
    """A problem the user can fix (bad input, missing model, bad configuration)."""


class InputError(ClaimcheckError):
    """The input file or text cannot be checked (missing, binary, empty, too large)."""


class ModelMissingError(ClaimcheckError):
    """No trained model where one is needed; the message names the command that builds it."""

    def __init__(self, model_dir: object) -> None:
        super().__init__(
            f"no trained model in {model_dir}: build it with `make model` "
            "(or `claimcheck train`), or point --model / [tool.claimcheck] model_dir at one"
        )
