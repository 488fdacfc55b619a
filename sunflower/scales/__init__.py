"""Sunflower's instrument library and scoring engine: pure Python, no Django.

    library = load_library()
    phq9 = library.get("phq9")               # latest version; get("phq9", "1") for a given one
    result = score(phq9, [1, 0, 2, 1, 0, 0, 1, 0, 0])
    result.to_dict()                         # the shape `sunflower scales score` prints

Instruments are YAML data files (instruments/<id>.v<version>.yaml) checked against
instrument.schema.json; see docs/adr/0011-instruments-as-versioned-yaml.md.
"""

from sunflower.scales.engine import Result, check_answers, score, score_many
from sunflower.scales.errors import AnswerError, InstrumentError
from sunflower.scales.loader import (
    Library,
    UnknownInstrumentError,
    install_instrument_file,
    load_library,
    validate_instrument_file,
)
from sunflower.scales.model import Instrument
from sunflower.scales.norms import (
    compare_to_norm,
    instrument_reliable_change,
    reliable_change_index,
)

__all__ = [
    "AnswerError",
    "Instrument",
    "InstrumentError",
    "Library",
    "Result",
    "UnknownInstrumentError",
    "check_answers",
    "compare_to_norm",
    "install_instrument_file",
    "instrument_reliable_change",
    "load_library",
    "reliable_change_index",
    "score",
    "score_many",
    "validate_instrument_file",
]
