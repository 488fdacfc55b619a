"""The rules that choose the knowledge items shown with an assessment result (recommend.py), as
programme admins keep them in the content console: adding and deleting a rule, each audited,
and reading the rules by instrument and band with what a result page shows now. Rules are T0:
an instrument, a band code and a tag or item, nothing about a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.assessments import catalogue, interpret
from sunflower.audit.events import record
from sunflower.content.models import Item, ItemStatus, Recommendation, Tag
from sunflower.content.recommend import recommended_items
from sunflower.scales import UnknownInstrumentError

ANY_BAND = ""


@dataclass(frozen=True)
class Band:
    code: str
    label: str


@dataclass(frozen=True)
class InstrumentOption:
    """An instrument a campaign may use, with the bands of its default band set (the set a
    stored result's band comes from)."""

    instrument_id: str
    name: str
    short: str
    bands: tuple[Band, ...]

    def band(self, code: str) -> Band | None:
        return next((band for band in self.bands if band.code == code), None)


def instrument_options() -> list[InstrumentOption]:
    language = catalogue.language()
    options: dict[str, InstrumentOption] = {}
    for entry in catalogue.campaign_entries():
        try:
            instrument = catalogue.instrument(entry.instrument_id)
        except UnknownInstrumentError:
            continue
        bands = instrument.band_set()
        options[instrument.id] = InstrumentOption(
            instrument.id,
            instrument.label(language),
            instrument.abbreviation or instrument.id,
            tuple(
                Band(band.code, interpret.band_label(instrument, band.code, language))
                for band in (bands.bands if bands is not None else ())
            ),
        )
    return list(options.values())


def any_band_label() -> str:
    return _("所有分级")


# Changes ---------------------------------------------------------------------------------


def rule_values(rule: Recommendation) -> dict[str, Any]:
    return {
        "instrument_id": rule.instrument_id,
        "band_code": rule.band_code,
        "tag_id": rule.tag_id,
        "item_id": rule.item_id,
        "position": rule.position,
    }


@transaction.atomic
def do_add_recommendation(
    actor: User,
    *,
    instrument_id: str,
    band_code: str,
    tag: Tag | None,
    item: Item | None,
    position: int = 0,
    request: HttpRequest | None = None,
) -> Recommendation:
    """A new rule; the form has checked the band against the instrument and that exactly one
    of *tag* and *item* is given (the database refuses both and neither)."""
    rule = Recommendation.objects.create(
        instrument_id=instrument_id, band_code=band_code, tag=tag, item=item, position=position
    )
    record(
        "content.recommendation.add",
        actor=actor,
        actor_role=Role.PROGRAMME_ADMIN,
        target=rule,
        request=request,
        changes=rule_values(rule),
    )
    return rule


@transaction.atomic
def do_delete_recommendation(actor: User, rule_id: int, request: HttpRequest | None = None) -> None:
    rule = Recommendation.objects.select_for_update().get(pk=rule_id)
    record(
        "content.recommendation.delete",
        actor=actor,
        actor_role=Role.PROGRAMME_ADMIN,
        target=rule,
        request=request,
        changes=rule_values(rule),
    )
    rule.delete()


# Reading, for the console ------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLine:
    rule: Recommendation
    # For a tag rule: how many published items carry the tag (0: the rule shows nothing).
    published: int | None


@dataclass(frozen=True)
class BandRow:
    code: str
    label: str
    rules: list[RuleLine]
    # What a result in this band shows now; None on the any-band row of an instrument with
    # bands (its rules are part of every band's preview).
    preview: list[Item] | None
    known: bool = True


@dataclass(frozen=True)
class InstrumentRules:
    instrument_id: str
    name: str
    rows: list[BandRow]


def _published_counts(tag_ids: set[int]) -> dict[int, int]:
    counted = Tag.objects.filter(pk__in=tag_ids).annotate(
        published=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED))
    )
    return {tag.pk: tag.published for tag in counted}


def rules_by_instrument(instrument_id: str = "") -> list[InstrumentRules]:
    """The instruments that have rules (or only *instrument_id*), in catalogue order, each with
    one row per band of its default band set and one for any band."""
    rules = Recommendation.objects.select_related("tag", "item")
    if instrument_id:
        rules = rules.filter(instrument_id=instrument_id)
    by_instrument: dict[str, list[Recommendation]] = {}
    for rule in rules:
        by_instrument.setdefault(rule.instrument_id, []).append(rule)
    if not by_instrument:
        return []
    counts = _published_counts({r.tag_id for rs in by_instrument.values() for r in rs if r.tag_id})
    options = {option.instrument_id: option for option in instrument_options()}
    # Rules for an instrument no longer in the catalogue still show, last, so they can go.
    ordered = [iid for iid in options if iid in by_instrument]
    ordered += sorted(set(by_instrument) - set(options))
    groups = []
    for iid in ordered:
        option = options.get(iid) or InstrumentOption(iid, iid, iid, ())
        groups.append(InstrumentRules(iid, option.name, _rows(option, by_instrument[iid], counts)))
    return groups


def _rows(
    option: InstrumentOption, rules: list[Recommendation], counts: dict[int, int]
) -> list[BandRow]:
    def lines(code: str) -> list[RuleLine]:
        return [
            RuleLine(rule, counts.get(rule.tag_id, 0) if rule.tag_id else None)
            for rule in rules
            if rule.band_code == code
        ]

    iid = option.instrument_id
    rows = [
        BandRow(
            ANY_BAND,
            any_band_label(),
            lines(ANY_BAND),
            None if option.bands else recommended_items(iid, ANY_BAND),
        )
    ]
    rows += [
        BandRow(band.code, band.label, lines(band.code), recommended_items(iid, band.code))
        for band in option.bands
    ]
    # A band the instrument no longer has (an upload's new version): shown so it can go.
    stale = dict.fromkeys(
        r.band_code for r in rules if r.band_code and not option.band(r.band_code)
    )
    rows += [BandRow(code, code, lines(code), None, known=False) for code in stale]
    return rows


def describe(rule: Recommendation) -> str:
    """'PHQ-9 · 中度抑郁症状：标签“求助”' for the confirmation page and messages."""
    option = next((o for o in instrument_options() if o.instrument_id == rule.instrument_id), None)
    short = option.short if option else rule.instrument_id
    band = option.band(rule.band_code) if option and rule.band_code else None
    band_text = band.label if band else (rule.band_code or any_band_label())
    if rule.tag is not None:
        what = _("标签“%(name)s”") % {"name": rule.tag.name}
    else:
        what = _("内容“%(title)s”") % {"title": rule.item.title if rule.item else ""}
    return f"{short} · {band_text}：{what}"
