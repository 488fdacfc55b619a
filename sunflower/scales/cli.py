"""What `sunflower scales …` does, without Django (the management command only wires it up).

    sunflower scales list               -> [{"id", "version", "name", "items"}, …]
    sunflower scales score ID[@VERSION] -> reads {"answers": [...]} or [{"answers": [...]}, …]
    sunflower scales validate FILE      -> checks an instrument file, prints its summary
    sunflower scales install FILE       -> validates it and adds it to the deployment's instruments

Every problem with the input is a UsageError whose message is one line; the command prints it
and exits with status 2, printing nothing else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sunflower.scales.engine import score_many
from sunflower.scales.errors import AnswerError, InstrumentError
from sunflower.scales.loader import (
    Library,
    UnknownInstrumentError,
    install_instrument_file,
    validate_instrument_file,
)
from sunflower.scales.model import DEFAULT_LANGUAGE, Instrument
from sunflower.scales.numbers import dumps

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input to the command line: printed as one line, exit status 2."""


def summary(instrument: Instrument, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "name": instrument.name[language],
        "items": len(instrument.items),
    }


def list_command(library: Library, language: str = DEFAULT_LANGUAGE) -> str:
    return dumps([summary(instrument, language) for instrument in library])


def score_command(
    library: Library, ref: str, stdin_text: str, language: str = DEFAULT_LANGUAGE
) -> str:
    try:
        instrument = library.resolve(ref)
    except UnknownInstrumentError as exc:
        raise UsageError(str(exc)) from None
    payload = _parse(stdin_text)
    batch = isinstance(payload, list)
    responses = payload if isinstance(payload, list) else [payload]
    answer_lists = [
        _answers(response, f"responses[{n}]: " if batch else "")
        for n, response in enumerate(responses)
    ]
    try:
        results = score_many(instrument, answer_lists)
    except AnswerError as exc:
        message = str(exc)
        if not batch:
            message = message.removeprefix("responses[0]: ")
        raise UsageError(message) from None
    shaped = [result.to_dict(language) for result in results]
    return dumps(shaped if batch else shaped[0])


def validate_command(path: str, language: str = DEFAULT_LANGUAGE) -> str:
    try:
        instrument = validate_instrument_file(_existing(path))
    except InstrumentError as exc:
        raise UsageError(str(exc)) from None
    return dumps(summary(instrument, language))


def install_command(
    path: str, directory: str | os.PathLike[str], language: str = DEFAULT_LANGUAGE
) -> str:
    try:
        instrument = install_instrument_file(_existing(path), directory)
    except InstrumentError as exc:
        raise UsageError(str(exc)) from None
    return dumps(summary(instrument, language))


def _existing(path: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no such file: {path}")
    return file


def _parse(text: str) -> Any:
    if not text.strip():
        raise UsageError('no input: expected {"answers": [...]} or an array of them on stdin')

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not allowed")

    try:
        return json.loads(text, parse_constant=reject_constant)
    except ValueError as exc:
        first_line = str(exc).splitlines()[0]
        raise UsageError(f"malformed JSON on stdin: {first_line}") from None


def _answers(response: Any, where: str) -> list[Any]:
    if not isinstance(response, dict):
        raise UsageError(f'{where}expected an object {{"answers": [...]}}, got {_kind(response)}')
    if "answers" not in response:
        raise UsageError(f'{where}missing "answers"')
    extra = sorted(set(response) - {"answers"})
    if extra:
        raise UsageError(f'{where}unexpected key {extra[0]!r}: only "answers" is read')
    answers = response["answers"]
    if not isinstance(answers, list):
        raise UsageError(f'{where}"answers" must be an array, got {_kind(answers)}')
    return answers


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
