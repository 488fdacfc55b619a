"""Exact numbers: scores are computed as integers and fractions and rounded once, at the end.

A score is reported either as an `int` (when its data file gives it 0 decimals) or as a
`Decimal` with exactly the documented number of decimals, e.g. an SCL-90 factor mean of
25/12 is reported as Decimal("2.08"). Rounding is half away from zero ("四舍五入") unless a
file says "floor" (the SDS/SAS index). No float ever takes part, so totals cannot drift and
the same answers give the same digits on every machine.

`dumps` writes such values as JSON numbers with their decimals intact (`2.08`, `1.50`), which
the standard library's encoder cannot do for `Decimal`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

Number = int | Decimal


def to_fraction(value: int | float | str | Decimal | Fraction) -> Fraction:
    """Read a number from a data file exactly: 1.25 and "5/4" both mean five quarters."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        # YAML gives 0.51 as a float; its shortest repr is the decimal the author wrote.
        return Fraction(Decimal(repr(value)))
    if isinstance(value, str):
        return Fraction(value.strip())
    return Fraction(value)


def quantize(value: Fraction, decimals: int, rounding: str = "half_up") -> Number:
    """Round an exact value to `decimals` places; an int when `decimals` is 0."""
    numerator = value.numerator * 10**decimals
    denominator = value.denominator
    if rounding == "floor":
        units = numerator // denominator
    elif rounding == "half_up":
        units = (2 * abs(numerator) + denominator) // (2 * denominator)
        if numerator < 0:
            units = -units
    else:
        raise ValueError(f"unknown rounding {rounding!r}")
    if decimals == 0:
        return units
    return Decimal(units).scaleb(-decimals)


def dumps(value: Any) -> str:
    """JSON with `Decimal` written as a number that keeps its trailing zeros."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, parts: list[str]) -> None:
    if value is None or isinstance(value, bool | str):
        parts.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        parts.append(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        parts.append(format(value, "f"))
    elif isinstance(value, Mapping):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                parts.append(", ")
            parts.append(json.dumps(str(key), ensure_ascii=False))
            parts.append(": ")
            _write(item, parts)
        parts.append("}")
    elif isinstance(value, Sequence):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(", ")
            _write(item, parts)
        parts.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
