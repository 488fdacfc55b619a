"""The two ways an instrument or a response can be wrong."""

from __future__ import annotations


class InstrumentError(ValueError):
    """An instrument file that cannot be used; the message starts with the file and the field.

    `errors` holds every problem found, the message only the first, so that an upload form can
    list them all while a log line stays one line.
    """

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or [message]


class AnswerError(ValueError):
    """Answers that do not fit the instrument: wrong length, or a code outside an item's options."""
