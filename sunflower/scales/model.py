"""What an instrument is once its data file has been read and checked.

Everything here is immutable: an instrument version, once released, never changes, and a
response is always scored with the version it was answered on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

LANGUAGES = ("zh-Hans", "en")
DEFAULT_LANGUAGE = "zh-Hans"

Text = Mapping[str, str]
Method = Literal["sum", "mean", "weighted_sum"]


@dataclass(frozen=True)
class Option:
    code: int  # as printed on the form and as answered
    value: int  # what the code scores before any reversal
    label: Text
    loinc: str | None = None


@dataclass(frozen=True)
class Item:
    number: int  # 1-based, in the order of the standard form
    key: str | None
    text: Text
    option_set: str
    options: tuple[Option, ...]
    reverse: bool
    optional: bool
    weight: Fraction
    loinc: str | None
    # code -> the value it contributes to scores, reversal applied: (min + max) - value.
    scored: Mapping[int, int]

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(option.code for option in self.options)


@dataclass(frozen=True)
class MissingRule:
    rule: Literal["all_required", "prorate", "mean_of_answered"]
    source: str
    max_missing: int = 0
    min_answered: int = 0


@dataclass(frozen=True)
class Scale:
    """The total or a subscale: items combined by one method."""

    key: str  # "total" for the total
    name: Text
    method: Method
    items: tuple[int, ...]  # 0-based positions in the answers
    decimals: int
    rounding: str
    missing: MissingRule
    low: Fraction  # lowest and highest possible exact value
    high: Fraction
    meaning: Text | None = None

    @property
    def ref(self) -> str:
        return "total" if self.key == "total" else f"subscales.{self.key}"


@dataclass(frozen=True)
class Index:
    """A derived number: a transformed score, or a count or mean of items over a threshold."""

    key: str
    name: Text
    kind: Literal["scaled", "count_at_least", "mean_at_least"]
    decimals: int
    rounding: str
    of: str | None = None  # scaled: the score it transforms
    multiply: Fraction = Fraction(1)
    add: Fraction = Fraction(0)
    items: tuple[int, ...] = ()
    at_least: int = 0
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)


@dataclass(frozen=True)
class Band:
    code: str
    label: Text
    min: Decimal | None = None  # range bands, inclusive, on the reported value
    max: Decimal | None = None


@dataclass(frozen=True)
class Condition:
    score: str  # "total", "subscales.<key>", "subscales.*" (any subscale), "indices.<key>"
    op: str
    value: Decimal


@dataclass(frozen=True)
class BandRule:
    band: Band
    any: tuple[Condition, ...]  # empty: otherwise


@dataclass(frozen=True)
class BandSet:
    convention: str
    name: Text
    source: str
    evidence: str
    default: bool
    score: str | None  # range bands: the score they classify
    ranges: tuple[Band, ...] = ()
    rules: tuple[BandRule, ...] = ()

    @property
    def bands(self) -> tuple[Band, ...]:
        return self.ranges or tuple(rule.band for rule in self.rules)


@dataclass(frozen=True)
class NormScore:
    mean: Decimal
    sd: Decimal


@dataclass(frozen=True)
class Norm:
    group: str
    name: Text
    source: str
    evidence: str
    n: int | None
    scores: Mapping[str, NormScore]


@dataclass(frozen=True)
class FlagRule:
    code: str
    items: tuple[int, ...]  # 0-based
    reason: Text
    code_at_least: int | None = None
    code_at_most: int | None = None

    def hit(self, code: int) -> bool:
        if self.code_at_least is not None:
            return code >= self.code_at_least
        return self.code_at_most is not None and code <= self.code_at_most


@dataclass(frozen=True)
class ChangeThreshold:
    score: str
    value: Decimal
    kind: str
    source: str
    evidence: str


@dataclass(frozen=True)
class Reliability:
    score: str
    sd: Decimal
    r: Decimal
    source: str
    evidence: str


@dataclass(frozen=True)
class Licence:
    status: str
    holder: str
    terms: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    name: Text
    abbreviation: str
    instructions: Text
    recall_period: Text
    recall_iso: str | None
    higher_is: Literal["worse", "better"]
    text_source: Text
    items: tuple[Item, ...]
    total: Scale | None
    subscales: tuple[Scale, ...]
    indices: tuple[Index, ...]
    band_sets: tuple[BandSet, ...]
    norms: tuple[Norm, ...]
    flags: tuple[FlagRule, ...]
    change_thresholds: tuple[ChangeThreshold, ...]
    reliability: tuple[Reliability, ...]
    licence: Licence
    citations: tuple[str, ...]
    loinc_panel: str | None
    loinc_total: str | None
    notes: tuple[str, ...]
    source_name: str  # the file it came from, for messages
    digest: str  # sha256 of the file's bytes
    data: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def label(self, language: str = DEFAULT_LANGUAGE) -> str:
        return self.name[language]

    def band_set(self, convention: str | None = None) -> BandSet | None:
        if convention is None:
            return next((bands for bands in self.band_sets if bands.default), None)
        for bands in self.band_sets:
            if bands.convention == convention:
                return bands
        raise KeyError(f"{self.id} has no band convention {convention!r}")

    def scale(self, ref: str) -> Scale:
        if ref == "total" and self.total is not None:
            return self.total
        for scale in self.subscales:
            if scale.ref == ref:
                return scale
        raise KeyError(f"{self.id} has no scale {ref!r}")
