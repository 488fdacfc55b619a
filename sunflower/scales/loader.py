"""Reading instrument files: YAML, checked against the JSON Schema, then against each other.

Every problem is reported as "<file>: <field>: <what is wrong>", e.g.
"phq9.v1.yaml: items[3].options: 'freq5' is not an option set of this file", so that an
administrator uploading a licensed instrument can find and fix it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from sunflower.scales.errors import InstrumentError
from sunflower.scales.model import (
    Band,
    BandRule,
    BandSet,
    ChangeThreshold,
    Condition,
    FlagRule,
    Index,
    Instrument,
    Item,
    Licence,
    MissingRule,
    Norm,
    NormScore,
    Option,
    Reliability,
    Scale,
)
from sunflower.scales.numbers import quantize, to_fraction

if TYPE_CHECKING:
    import jsonschema

PACKAGE_DIR = Path(__file__).resolve().parent
INSTRUMENTS_DIR = PACKAGE_DIR / "instruments"
SCHEMA_PATH = PACKAGE_DIR / "instrument.schema.json"
# sha256 of each released file: a released version may never change (ADR 0011).
RELEASED_PATH = INSTRUMENTS_DIR / "released.json"


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnknownInstrumentError(LookupError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown instrument"


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # only files that are not released need it; it costs start-up time

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def field_path(parts: Iterable[str | int]) -> str:
    """["items", 3, "options"] -> "items[3].options"."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# ---------------------------------------------------------------------------------------------
# Public entry points


def validate_instrument_file(
    source: str | bytes | os.PathLike[str], *, name: str | None = None
) -> Instrument:
    """Read and check one instrument file (a path, or the uploaded text/bytes).

    Raises InstrumentError("<name>: <field>: <problem>") with every problem in `.errors`.
    """
    raw, label = _read(source, name)
    return parse_instrument(raw, label)


def _read(source: str | bytes | os.PathLike[str], name: str | None) -> tuple[bytes, str]:
    """The bytes of a file given by path, or of uploaded text, and the name to report."""
    if isinstance(source, bytes):
        return source, name or "<upload>"
    if isinstance(source, os.PathLike) or (
        "\n" not in source and source.endswith((".yaml", ".yml"))
    ):
        path = Path(source)
        try:
            return path.read_bytes(), name or path.name
        except OSError as exc:
            raise InstrumentError(f"{name or path.name}: cannot read: {exc.strerror}") from exc
    return source.encode("utf-8"), name or "<upload>"


def parse_instrument(raw: bytes, label: str, *, released: bool = False) -> Instrument:
    """Build an instrument from a file's bytes.

    `released` skips the JSON Schema pass for a shipped file whose digest matches its release
    record: the test suite validated exactly those bytes, and skipping it halves start-up time.
    The cross-field checks always run.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{label}: not UTF-8 text (byte {exc.start})") from exc
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InstrumentError(f"{label}: {where}not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise InstrumentError(f"{label}: (top level): expected a mapping of fields")

    if not released:
        _check_schema(data, label)
    builder = _Builder(data, label, hashlib.sha256(raw).hexdigest())
    instrument = builder.build()
    if builder.errors:
        raise InstrumentError(builder.errors[0], builder.errors)
    assert instrument is not None  # noqa: S101 (built without errors)
    return instrument


def _check_schema(data: dict[str, Any], label: str) -> None:
    import jsonschema.exceptions

    validator = _validator()
    problems = sorted(
        validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    if problems:
        best = jsonschema.exceptions.best_match(problems)
        assert best is not None  # noqa: S101 (problems is not empty)
        messages = [f"{label}: {field_path(e.absolute_path)}: {e.message}" for e in problems]
        first = f"{label}: {field_path(best.absolute_path)}: {best.message}"
        raise InstrumentError(first, [first, *[m for m in messages if m != first]])


class Library:
    """The instruments that can be scored: every version of each, by id."""

    def __init__(self, instruments: Iterable[Instrument] = ()) -> None:
        self._by_ref: dict[tuple[str, str], Instrument] = {}
        for instrument in instruments:
            self.add(instrument)

    def add(self, instrument: Instrument) -> None:
        key = (instrument.id, instrument.version)
        known = self._by_ref.get(key)
        if known is not None and known.digest != instrument.digest:
            raise InstrumentError(
                f"{instrument.source_name}: version: {instrument.ref} already exists with "
                f"different content ({known.source_name}); versions are immutable, "
                "give the changed file a new version"
            )
        self._by_ref[key] = instrument

    def get(self, instrument_id: str, version: str | None = None) -> Instrument:
        versions = self.versions(instrument_id)
        if not versions:
            known = ", ".join(self.ids())
            raise UnknownInstrumentError(f"unknown instrument {instrument_id!r} (known: {known})")
        if version is None:
            return self._by_ref[(instrument_id, versions[-1])]
        try:
            return self._by_ref[(instrument_id, version)]
        except KeyError:
            raise UnknownInstrumentError(
                f"{instrument_id} has no version {version!r} (versions: {', '.join(versions)})"
            ) from None

    def resolve(self, ref: str) -> Instrument:
        """ "phq9" (latest version) or "phq9@1"."""
        instrument_id, _, version = ref.partition("@")
        return self.get(instrument_id, version or None)

    def ids(self) -> list[str]:
        return sorted({instrument_id for instrument_id, _ in self._by_ref})

    def versions(self, instrument_id: str) -> list[str]:
        found = [version for (iid, version) in self._by_ref if iid == instrument_id]
        return sorted(found, key=version_key)

    def __iter__(self) -> Iterator[Instrument]:
        """Every version of every instrument, by id then version."""
        for key in sorted(self._by_ref, key=lambda k: (k[0], version_key(k[1]))):
            yield self._by_ref[key]

    def __len__(self) -> int:
        return len(self._by_ref)

    def __contains__(self, ref: object) -> bool:
        if not isinstance(ref, str):
            return False
        try:
            self.resolve(ref)
        except UnknownInstrumentError:
            return False
        return True


def released_digests() -> dict[str, str]:
    data = json.loads(RELEASED_PATH.read_text(encoding="utf-8"))
    return cast(dict[str, str], data)


@functools.cache
def shipped_instruments() -> tuple[Instrument, ...]:
    """The instruments in this package, each checked against its released digest."""
    released = released_digests()
    found: list[Instrument] = []
    for path in sorted(INSTRUMENTS_DIR.glob("*.yaml")):
        raw = path.read_bytes()
        is_released = hashlib.sha256(raw).hexdigest() in released.values()
        instrument = parse_instrument(raw, path.name, released=is_released)
        expected_name = f"{instrument.id}.v{instrument.version}.yaml"
        if path.name != expected_name:
            raise InstrumentError(f"{path.name}: id: the file must be named {expected_name}")
        digest = released.get(instrument.ref)
        if digest is not None and digest != instrument.digest:
            raise InstrumentError(
                f"{path.name}: version: {instrument.ref} is released and may not change; "
                "put the change in a new version file"
            )
        found.append(instrument)
    return tuple(found)


def load_library(*extra_dirs: str | os.PathLike[str]) -> Library:
    """The shipped instruments plus those a licensed deployment installed in `extra_dirs`."""
    library = Library(shipped_instruments())
    for directory in extra_dirs:
        for path in sorted(Path(directory).glob("*.yaml")):
            library.add(validate_instrument_file(path))
    return library


def install_instrument_file(
    source: str | bytes | os.PathLike[str],
    directory: str | os.PathLike[str],
    *,
    name: str | None = None,
) -> Instrument:
    """Check an uploaded instrument and store it in a deployment's instrument directory.

    The stored file is named <id>.v<version>.yaml. Installing the same bytes again is a no-op;
    different content under an existing id and version is refused (versions are immutable).
    """
    raw, label = _read(source, name)
    instrument = parse_instrument(raw, label)
    library = load_library(directory)
    library.add(instrument)  # refuses a changed copy of a known version
    target = Path(directory) / f"{instrument.id}.v{instrument.version}.yaml"
    if not target.exists():
        Path(directory).mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".yaml.partial")
        partial.write_bytes(raw)
        partial.replace(target)
    return instrument


# ---------------------------------------------------------------------------------------------
# Cross-field checks and construction


def _number(value: Any) -> Decimal:
    fraction = to_fraction(value)
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


class _Builder:
    """Builds an Instrument from schema-valid data, collecting every cross-field problem."""

    def __init__(self, data: Mapping[str, Any], label: str, digest: str) -> None:
        self.data = data
        self.label = label
        self.digest = digest
        self.errors: list[str] = []
        self.n_items = len(data["items"])
        self.scales: dict[str, Scale] = {}
        self.indices: dict[str, Index] = {}

    def error(self, path: Sequence[str | int], message: str) -> None:
        self.errors.append(f"{self.label}: {field_path(path)}: {message}")

    def positions(self, numbers: Sequence[int], path: Sequence[str | int]) -> tuple[int, ...]:
        bad = [n for n in numbers if not 1 <= n <= self.n_items]
        if bad:
            self.error(path, f"no item {bad[0]} (items are numbered 1–{self.n_items})")
            return ()
        return tuple(n - 1 for n in numbers)

    def build(self) -> Instrument | None:
        data = self.data
        items = self.build_items()
        if self.errors:
            return None
        missing = self.missing_rule(data["scoring"]["missing"])
        total: Scale | None = None
        total_data = data["scoring"]["total"]
        if total_data["method"] != "none":
            total = self.build_scale(
                "total", total_data, items, missing, ["scoring", "total"], name=None
            )
        subscales: list[Scale] = []
        for i, sub in enumerate(data["scoring"].get("subscales", [])):
            path: list[str | int] = ["scoring", "subscales", i]
            if sub["key"] in self.scales:
                self.error([*path, "key"], f"subscale {sub['key']!r} is defined twice")
                continue
            built = self.build_scale(sub["key"], sub, items, missing, path, name=sub["name"])
            if built is not None:
                subscales.append(built)
        if total is None and not subscales:
            self.error(["scoring"], "an instrument needs a total or at least one subscale")
        indices = [
            index
            for i, index_data in enumerate(data["scoring"].get("indices", []))
            if (index := self.build_index(index_data, items, ["scoring", "indices", i]))
        ]
        band_sets = self.build_band_sets()
        flags = self.build_flags(items)
        norms = self.build_norms()
        thresholds, reliability = self.build_change()
        if self.errors:
            return None
        licence = data["licence"]
        recall = data["recall_period"]
        return Instrument(
            id=data["id"],
            version=data["version"],
            name=data["name"],
            abbreviation=data["abbreviation"],
            instructions=data["instructions"],
            recall_period={"zh-Hans": recall["zh-Hans"], "en": recall["en"]},
            recall_iso=recall.get("iso"),
            higher_is=data["higher_is"],
            text_source=data["text_source"],
            items=items,
            total=total,
            subscales=tuple(subscales),
            indices=tuple(indices),
            band_sets=band_sets,
            norms=norms,
            flags=flags,
            change_thresholds=thresholds,
            reliability=reliability,
            licence=Licence(
                status=licence["status"],
                holder=licence["holder"],
                terms=licence["terms"],
                url=licence.get("url"),
                note=licence.get("note"),
            ),
            citations=tuple(data["citations"]),
            loinc_panel=data.get("loinc", {}).get("panel"),
            loinc_total=data.get("loinc", {}).get("total"),
            notes=tuple(data.get("notes", [])),
            source_name=self.label,
            digest=self.digest,
            data=data,
        )

    def build_items(self) -> tuple[Item, ...]:
        data = self.data
        option_sets: dict[str, tuple[Option, ...]] = {}
        for set_name, options in data["option_sets"].items():
            codes = [option["code"] for option in options]
            if len(set(codes)) != len(codes):
                self.error(["option_sets", set_name], "option codes must be unique")
                continue
            option_sets[set_name] = tuple(
                Option(
                    code=option["code"],
                    value=option.get("value", option["code"]),
                    label=option["label"],
                    loinc=option.get("loinc"),
                )
                for option in options
            )
        reverse = set(data.get("reverse_items", []))
        optional = set(data.get("optional_items", []))
        for field_name, numbers in (("reverse_items", reverse), ("optional_items", optional)):
            bad = sorted(n for n in numbers if not 1 <= n <= self.n_items)
            if bad:
                self.error([field_name], f"no item {bad[0]} (items are numbered 1–{self.n_items})")
        items: list[Item] = []
        for i, item in enumerate(data["items"]):
            if item["number"] != i + 1:
                self.error(["items", i, "number"], f"expected {i + 1}: items are numbered in order")
            options = option_sets.get(item["options"])
            if options is None:
                if item["options"] not in data["option_sets"]:
                    self.error(
                        ["items", i, "options"],
                        f"{item['options']!r} is not an option set of this file",
                    )
                continue
            values = [option.value for option in options]
            low, high = min(values), max(values)
            is_reverse = i + 1 in reverse
            weight = to_fraction(item.get("weight", 1))
            if weight <= 0:
                self.error(["items", i, "weight"], "weights must be positive")
            items.append(
                Item(
                    number=i + 1,
                    key=item.get("key"),
                    text=item["text"],
                    option_set=item["options"],
                    options=options,
                    reverse=is_reverse,
                    optional=i + 1 in optional,
                    weight=weight,
                    loinc=item.get("loinc"),
                    scored={
                        option.code: (low + high - option.value) if is_reverse else option.value
                        for option in options
                    },
                )
            )
        keys = [item.key for item in items if item.key]
        if len(set(keys)) != len(keys):
            self.error(["items"], "item keys must be unique")
        return tuple(items)

    def missing_rule(self, data: Mapping[str, Any]) -> MissingRule:
        return MissingRule(
            rule=data["rule"],
            source=data["source"],
            max_missing=data.get("max_missing", 0),
            min_answered=data.get("min_answered", 0),
        )

    def build_scale(
        self,
        key: str,
        data: Mapping[str, Any],
        items: tuple[Item, ...],
        default_missing: MissingRule,
        path: list[str | int],
        name: Mapping[str, str] | None,
    ) -> Scale | None:
        positions = (
            self.positions(data["items"], [*path, "items"])
            if "items" in data
            else tuple(range(len(items)))
        )
        if not positions:
            return None
        method = data["method"]
        missing = self.missing_rule(data["missing"]) if "missing" in data else default_missing
        if missing.rule == "mean_of_answered" and method != "mean":
            self.error([*path, "missing", "rule"], "mean_of_answered needs the mean method")
        if missing.rule == "prorate" and method == "mean":
            self.error([*path, "missing", "rule"], "a mean uses mean_of_answered, not prorate")
        if missing.max_missing >= len(positions) or missing.min_answered > len(positions):
            self.error([*path, "missing"], f"this scale has only {len(positions)} items")
        lows = [Fraction(min(items[p].scored.values())) for p in positions]
        highs = [Fraction(max(items[p].scored.values())) for p in positions]
        if method == "mean":
            low, high = min(lows), max(highs)
        else:
            weights = [
                items[p].weight if method == "weighted_sum" else Fraction(1) for p in positions
            ]
            low = sum(
                (
                    w * (min(lo, Fraction(0)) if items[p].optional else lo)
                    for w, lo, p in zip(weights, lows, positions, strict=True)
                ),
                Fraction(0),
            )
            high = sum((w * hi for w, hi in zip(weights, highs, strict=True)), Fraction(0))
        decimals = data.get("decimals", 0)
        rounding = data.get("rounding", "half_up")
        if "range" in data:
            declared = [to_fraction(v) for v in data["range"]]
            if declared != [low, high]:
                self.error(
                    [*path, "range"],
                    f"declared {data['range'][0]}–{data['range'][1]} but the items give "
                    f"{_show(low)}–{_show(high)}",
                )
        scale = Scale(
            key=key,
            name=name or self.data["name"],
            method=method,
            items=positions,
            decimals=decimals,
            rounding=rounding,
            missing=missing,
            low=low,
            high=high,
            meaning=data.get("meaning"),
        )
        self.scales[scale.ref] = scale
        return scale

    def score_bounds(self, ref: str) -> tuple[Fraction, Fraction, int, str] | None:
        if ref in self.scales:
            scale = self.scales[ref]
            return scale.low, scale.high, scale.decimals, scale.rounding
        if ref in self.indices:
            index = self.indices[ref]
            return index.low, index.high, index.decimals, index.rounding
        return None

    def build_index(
        self, data: Mapping[str, Any], items: tuple[Item, ...], path: list[str | int]
    ) -> Index | None:
        key = data["key"]
        if f"indices.{key}" in self.indices:
            self.error([*path, "key"], f"index {key!r} is defined twice")
            return None
        kind = data["kind"]
        decimals = data.get("decimals", 0)
        rounding = data.get("rounding", "half_up")
        positions = (
            self.positions(data["items"], [*path, "items"])
            if "items" in data
            else tuple(range(len(items)))
        )
        if not positions:
            return None
        if kind == "scaled":
            bounds = self.score_bounds(data["of"])
            if bounds is None:
                self.error([*path, "of"], f"no score {data['of']!r} defined before this index")
                return None
            multiply = to_fraction(data["multiply"])
            add = to_fraction(data.get("add", 0))
            if multiply <= 0:
                self.error([*path, "multiply"], "must be positive (scores stay monotone)")
                return None
            low, high = bounds[0] * multiply + add, bounds[1] * multiply + add
            index = Index(
                key=key,
                name=data["name"],
                kind=kind,
                decimals=decimals,
                rounding=rounding,
                of=data["of"],
                multiply=multiply,
                add=add,
                low=low,
                high=high,
            )
        else:
            at_least = data["at_least"]
            tops = [max(items[p].scored.values()) for p in positions]
            if at_least > max(tops):
                self.error([*path, "at_least"], f"no item can score {at_least}")
                return None
            if kind == "count_at_least":
                low, high = Fraction(0), Fraction(len(positions))
            else:
                low, high = Fraction(at_least), Fraction(max(tops))
            index = Index(
                key=key,
                name=data["name"],
                kind=kind,
                decimals=decimals,
                rounding=rounding,
                items=positions,
                at_least=at_least,
                low=low,
                high=high,
            )
        self.indices[f"indices.{key}"] = index
        return index

    def build_band_sets(self) -> tuple[BandSet, ...]:
        sets: list[BandSet] = []
        conventions: set[str] = set()
        raw_sets = self.data.get("bands", [])
        defaults = [i for i, raw in enumerate(raw_sets) if raw.get("default")]
        if len(raw_sets) > 1 and len(defaults) != 1:
            self.error(["bands"], "mark exactly one band convention as default: true")
        for i, raw in enumerate(raw_sets):
            path: list[str | int] = ["bands", i]
            if raw["convention"] in conventions:
                self.error([*path, "convention"], f"{raw['convention']!r} is defined twice")
            conventions.add(raw["convention"])
            is_default = raw.get("default", False) or len(raw_sets) == 1
            if "ranges" in raw:
                ranges = self.build_ranges(raw["score"], raw["ranges"], path)
                sets.append(
                    BandSet(
                        convention=raw["convention"],
                        name=raw["name"],
                        source=raw["source"],
                        evidence=raw["evidence"],
                        default=is_default,
                        score=raw["score"],
                        ranges=ranges,
                    )
                )
            else:
                rules = self.build_rules(raw["rules"], path)
                sets.append(
                    BandSet(
                        convention=raw["convention"],
                        name=raw["name"],
                        source=raw["source"],
                        evidence=raw["evidence"],
                        default=is_default,
                        score=None,
                        rules=rules,
                    )
                )
        return tuple(sets)

    def build_ranges(
        self, on: str, raw_ranges: Sequence[Mapping[str, Any]], path: list[str | int]
    ) -> tuple[Band, ...]:
        bounds = self.score_bounds(on)
        if bounds is None:
            self.error([*path, "score"], f"no score {on!r} in this file")
            return ()
        low, high, decimals, rounding = bounds
        step = Decimal(1).scaleb(-decimals)
        expected = Decimal(quantize(low, decimals, rounding))
        top = Decimal(quantize(high, decimals, rounding))
        bands: list[Band] = []
        codes: set[str] = set()
        for j, raw in enumerate(raw_ranges):
            band_min, band_max = _number(raw["min"]), _number(raw["max"])
            where: list[str | int] = [*path, "ranges", j]
            if raw["code"] in codes:
                self.error([*where, "code"], f"{raw['code']!r} is used twice")
            codes.add(raw["code"])
            if band_min != expected:
                gap = "overlaps the band before" if band_min < expected else "leaves a gap"
                self.error([*where, "min"], f"{raw['min']} {gap}: expected {expected}")
            if band_max < band_min:
                self.error([*where, "max"], f"{raw['max']} is below min {raw['min']}")
            expected = band_max + step
            bands.append(Band(code=raw["code"], label=raw["label"], min=band_min, max=band_max))
        if bands and bands[-1].max != top:
            self.error(
                [*path, "ranges", len(bands) - 1, "max"],
                f"the bands must reach the highest possible score, {top}",
            )
        return tuple(bands)

    def build_rules(
        self, raw_rules: Sequence[Mapping[str, Any]], path: list[str | int]
    ) -> tuple[BandRule, ...]:
        rules: list[BandRule] = []
        for j, raw in enumerate(raw_rules):
            where: list[str | int] = [*path, "rules", j]
            last = j == len(raw_rules) - 1
            if raw.get("otherwise") and not last:
                self.error(where, "only the last rule may be 'otherwise'")
            if last and not raw.get("otherwise"):
                self.error(
                    where, "the last rule must be 'otherwise: true' so every score gets a band"
                )
            conditions: list[Condition] = []
            for k, cond in enumerate(raw.get("any", [])):
                ref = cond["score"]
                known = (
                    any(r.startswith("subscales.") for r in self.scales)
                    if ref == "subscales.*"
                    else self.score_bounds(ref) is not None
                )
                if not known:
                    self.error([*where, "any", k, "score"], f"no score {ref!r} in this file")
                conditions.append(Condition(score=ref, op=cond["op"], value=_number(cond["value"])))
            band = Band(code=raw["code"], label=raw["label"])
            rules.append(BandRule(band=band, any=tuple(conditions)))
        return tuple(rules)

    def build_flags(self, items: tuple[Item, ...]) -> tuple[FlagRule, ...]:
        flags: list[FlagRule] = []
        for i, raw in enumerate(self.data.get("flags", [])):
            path: list[str | int] = ["flags", i]
            positions = self.positions(raw["items"], [*path, "items"])
            rule = FlagRule(
                code=raw["code"],
                items=positions,
                reason=raw["reason"],
                code_at_least=raw.get("code_at_least"),
                code_at_most=raw.get("code_at_most"),
            )
            for p in positions:
                hits = [code for code in items[p].codes if rule.hit(code)]
                if not hits:
                    self.error(path, f"no answer to item {p + 1} can raise this flag")
                elif len(hits) == len(items[p].codes):
                    self.error(path, f"every answer to item {p + 1} would raise this flag")
            flags.append(rule)
        return tuple(flags)

    def build_norms(self) -> tuple[Norm, ...]:
        norms: list[Norm] = []
        for i, raw in enumerate(self.data.get("norms", [])):
            scores: dict[str, NormScore] = {}
            for ref, stats in raw["scores"].items():
                if self.score_bounds(ref) is None:
                    self.error(["norms", i, "scores", ref], f"no score {ref!r} in this file")
                scores[ref] = NormScore(mean=_number(stats["mean"]), sd=_number(stats["sd"]))
            norms.append(
                Norm(
                    group=raw["group"],
                    name=raw["name"],
                    source=raw["source"],
                    evidence=raw["evidence"],
                    n=raw.get("n"),
                    scores=scores,
                )
            )
        return tuple(norms)

    def build_change(self) -> tuple[tuple[ChangeThreshold, ...], tuple[Reliability, ...]]:
        change = self.data.get("change", {})
        thresholds: list[ChangeThreshold] = []
        for i, raw in enumerate(change.get("mcid", [])):
            if self.score_bounds(raw["score"]) is None:
                self.error(["change", "mcid", i, "score"], f"no score {raw['score']!r}")
            thresholds.append(
                ChangeThreshold(
                    score=raw["score"],
                    value=_number(raw["value"]),
                    kind=raw.get("kind", "mcid"),
                    source=raw["source"],
                    evidence=raw.get("evidence", "verified"),
                )
            )
        reliability: list[Reliability] = []
        for i, raw in enumerate(change.get("reliability", [])):
            if self.score_bounds(raw["score"]) is None:
                self.error(["change", "reliability", i, "score"], f"no score {raw['score']!r}")
            reliability.append(
                Reliability(
                    score=raw["score"],
                    sd=_number(raw["sd"]),
                    r=_number(raw["r"]),
                    source=raw["source"],
                    evidence=raw.get("evidence", "verified"),
                )
            )
        return tuple(thresholds), tuple(reliability)


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))
