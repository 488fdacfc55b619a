"""The warning tier rules in the console: what they check, who changes them, and how.

An orange or yellow rule (models.WarningRule) is a condition on an instrument's result; red is
the scoring engine's critical_item flag and is shown, never edited. Reading the rules is for
record keepers and programme admins; changing them changes what every cadre's result proposes,
so it is for city-wide programme admins only (the rule of instrument uploads), in sudo mode,
with a written reason. Each change is audited with the rule's values before and after and the
reason; rules are T0 and the entry carries no personal data. The submission path reads the
rules through warnings.py's per-process copy, which a change here drops.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.assessments import catalogue
from sunflower.assessments.instruments import may_install
from sunflower.assessments.interpret import SCORE_LABELS
from sunflower.assessments.models import RULE_TIERS, WarningRule, WarningRuleKind
from sunflower.assessments.warnings import forget_rules
from sunflower.audit.events import record
from sunflower.care.tiers import Tier
from sunflower.scales import Instrument, UnknownInstrumentError

# The fields a rule's audit entry shows before and after a change.
AUDITED_FIELDS = ("instrument_id", "tier", "kind", "score", "threshold", "band", "active")


class WarningRuleError(Exception):
    """A rule the checks refuse; `errors` maps a form field ("" for the whole) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass(frozen=True)
class RuleFields:
    """A rule's condition as entered: kind-specific fields empty where they do not apply."""

    instrument_id: str
    tier: str
    kind: str
    score: str = ""
    threshold: Decimal | None = None
    band: str = ""


def may_edit(actor: User) -> bool:
    """A change reaches every cadre's results: the same city-wide rule as instrument uploads."""
    return may_install(actor)


def score_ranges(instrument: Instrument) -> dict[str, tuple[Fraction, Fraction]]:
    """Every score an at-least rule may name, with its lowest and highest possible value."""
    found: dict[str, tuple[Fraction, Fraction]] = {}
    if instrument.total is not None:
        found["total"] = (instrument.total.low, instrument.total.high)
    for scale in instrument.subscales:
        found[scale.ref] = (scale.low, scale.high)
    for index in instrument.indices:
        found[f"indices.{index.key}"] = (index.low, index.high)
    return found


def band_codes(instrument: Instrument) -> list[str]:
    """The codes of the default band set: the one a stored result's band comes from."""
    bands = instrument.band_set()
    return [band.code for band in bands.bands] if bands is not None else []


def plain_number(value: Fraction | Decimal) -> str:
    """20, 52.5, 1.25: no trailing zeros (the bounds of the shipped scales are exact)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_rule(fields: RuleFields, rule_id: int | None = None) -> RuleFields:
    """The rule with fields that do not apply to its kind emptied; WarningRuleError if the
    instrument, score, range or band does not hold, or if a threshold would make yellow
    stricter than orange on the same score (*rule_id*: the rule being edited, left out)."""
    errors: dict[str, list[str]] = {}
    try:
        instrument = catalogue.instrument(fields.instrument_id)
    except UnknownInstrumentError:
        raise WarningRuleError({"instrument_id": [_("量表库中没有这份量表。")]}) from None
    if fields.tier not in RULE_TIERS:
        errors["tier"] = [_("只能设置二级（橙色）或三级（黄色）规则；一级由危急条目决定。")]
    if fields.kind == WarningRuleKind.BAND:
        codes = band_codes(instrument)
        if not fields.band:
            errors["band"] = [_("请填写结果分级的代码。")]
        elif fields.band not in codes:
            errors["band"] = [
                _("这份量表没有分级“%(band)s”。可用的分级：%(codes)s。")
                % {"band": fields.band, "codes": "、".join(codes) or "—"}
            ]
        cleaned = RuleFields(fields.instrument_id, fields.tier, fields.kind, band=fields.band)
    elif fields.kind in (WarningRuleKind.AT_LEAST, WarningRuleKind.ANY_SUBSCALE_AT_LEAST):
        if fields.kind == WarningRuleKind.AT_LEAST:
            ranges = score_ranges(instrument)
            if not fields.score:
                errors["score"] = [_("请填写分数，例如 total。")]
                span = None
            elif fields.score not in ranges:
                errors["score"] = [
                    _("这份量表没有分数“%(score)s”。可用的分数：%(refs)s。")
                    % {"score": fields.score, "refs": "、".join(ranges) or "—"}
                ]
                span = None
            else:
                span = ranges[fields.score]
            score = fields.score
        else:
            score = ""
            if not instrument.subscales:
                errors["kind"] = [_("这份量表没有因子分，不能使用“任一因子分达到阈值”。")]
                span = None
            else:
                span = (
                    min(scale.low for scale in instrument.subscales),
                    max(scale.high for scale in instrument.subscales),
                )
        if fields.threshold is None:
            errors["threshold"] = [_("请填写阈值。")]
        elif span is not None and not span[0] <= Fraction(fields.threshold) <= span[1]:
            errors["threshold"] = [
                _("阈值应在该分数可能的范围 %(low)s–%(high)s 之内。")
                % {"low": plain_number(span[0]), "high": plain_number(span[1])}
            ]
        elif span is not None and Fraction(fields.threshold) == span[0]:
            errors["threshold"] = [
                _("阈值等于该分数最低可能的值 %(low)s，每一份结果都会提出预警提示。")
                % {"low": plain_number(span[0])}
            ]
        cleaned = RuleFields(
            fields.instrument_id, fields.tier, fields.kind, score, fields.threshold
        )
        if "threshold" not in errors and fields.threshold is not None:
            clash = _tier_clash(cleaned, rule_id)
            if clash:
                errors["threshold"] = [clash]
    else:
        errors["kind"] = [_("请选择规则类型。")]
        cleaned = fields
    if errors:
        raise WarningRuleError(errors)
    return cleaned


def _tier_clash(fields: RuleFields, rule_id: int | None) -> str:
    """Why *fields* would order the tiers wrongly against the other tier's active rules on the
    same score ("" when they agree): orange means more severe symptoms than yellow."""
    other = Tier.YELLOW if fields.tier == Tier.ORANGE else Tier.ORANGE
    rows = WarningRule.objects.filter(
        instrument_id=fields.instrument_id,
        tier=other,
        kind=fields.kind,
        score=fields.score,
        active=True,
        threshold__isnull=False,
    )
    if rule_id is not None:
        rows = rows.exclude(pk=rule_id)
    threshold = fields.threshold
    for row in rows:
        if row.threshold is None or threshold is None:
            continue
        if (fields.tier == Tier.ORANGE and threshold < row.threshold) or (
            fields.tier == Tier.YELLOW and threshold > row.threshold
        ):
            return _(
                "二级（橙色）的阈值应不低于同一分数三级（黄色）的阈值：现为橙色 %(orange)s、"
                "黄色 %(yellow)s。"
            ) % {
                "orange": plain_number(threshold if fields.tier == Tier.ORANGE else row.threshold),
                "yellow": plain_number(row.threshold if fields.tier == Tier.ORANGE else threshold),
            }
    return ""


def rule_values(rule: WarningRule) -> dict[str, Any]:
    """The audited fields as JSON-ready values (the threshold as a string, exact)."""
    values = {name: getattr(rule, name) for name in AUDITED_FIELDS}
    values["threshold"] = None if rule.threshold is None else plain_number(rule.threshold)
    return values


def _require(actor: User, reason: str) -> str:
    if not may_edit(actor):
        raise WarningRuleError({"": [_("只有全市范围的组织部门管理员可以修改预警规则。")]})
    reason = reason.strip()
    if not reason:
        raise WarningRuleError({"reason": [_("请写明修改原因。")]})
    return reason


def _forget_now_and_after_commit() -> None:
    # At once, so that this request (and a test in its transaction) sees the change; and again
    # after the commit, so that a submission in another thread of this process that loaded
    # the rules before the commit does not keep the old ones for RELOAD_SECONDS.
    forget_rules()
    transaction.on_commit(forget_rules)


def do_create_rule(
    actor: User, fields: RuleFields, *, reason: str, request: HttpRequest | None = None
) -> WarningRule:
    reason = _require(actor, reason)
    cleaned = check_rule(fields)
    with transaction.atomic():
        rule = WarningRule.objects.create(
            instrument_id=cleaned.instrument_id,
            tier=cleaned.tier,
            kind=cleaned.kind,
            score=cleaned.score,
            threshold=cleaned.threshold,
            band=cleaned.band,
            updated_by=actor,
        )
        record(
            "warning_rule.create",
            actor=actor,
            actor_role=Role.PROGRAMME_ADMIN,
            target=rule,
            request=request,
            changes={"before": None, "after": rule_values(rule), "reason": reason},
        )
        _forget_now_and_after_commit()
    return rule


def do_update_rule(
    actor: User,
    rule_id: int,
    *,
    reason: str,
    fields: RuleFields | None = None,
    active: bool | None = None,
    request: HttpRequest | None = None,
) -> WarningRule:
    """Change a rule's condition (*fields*; its instrument stays) and/or switch it on or off."""
    reason = _require(actor, reason)
    with transaction.atomic():
        rule = WarningRule.objects.select_for_update().get(pk=rule_id)
        before = rule_values(rule)
        if fields is not None:
            cleaned = check_rule(
                RuleFields(
                    rule.instrument_id,
                    fields.tier,
                    fields.kind,
                    fields.score,
                    fields.threshold,
                    fields.band,
                ),
                rule.pk,
            )
            rule.tier, rule.kind, rule.score = cleaned.tier, cleaned.kind, cleaned.score
            rule.threshold, rule.band = cleaned.threshold, cleaned.band
        if active is not None:
            rule.active = active
        rule.updated_by = actor
        rule.save()
        # A threshold read back from the database has two places; compare like with like.
        rule.refresh_from_db()
        after = rule_values(rule)
        record(
            "warning_rule.update",
            actor=actor,
            actor_role=Role.PROGRAMME_ADMIN,
            target=rule,
            request=request,
            changes={"before": before, "after": after, "reason": reason},
        )
        _forget_now_and_after_commit()
    return rule


# Reading, for the console ------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    rule: WarningRule
    text: str


@dataclass(frozen=True)
class InstrumentRules:
    instrument_id: str
    name: str
    red: list[str]  # the critical items, in words; empty: none
    orange: list[RuleRow]
    yellow: list[RuleRow]


def score_label(instrument: Instrument, ref: str, language: str) -> str:
    if ref in SCORE_LABELS:  # "总分", "标准分": the total's own name is the instrument's
        return str(SCORE_LABELS[ref])
    for scale in instrument.subscales:
        if scale.ref == ref:
            return scale.name.get(language) or ref
    for index in instrument.indices:
        if f"indices.{index.key}" == ref:
            return index.name.get(language) or ref
    return ref


def describe(rule: WarningRule, instrument: Instrument | None, language: str) -> str:
    """The rule's condition in words, e.g. "总分 ≥ 20"."""
    if rule.kind == WarningRuleKind.BAND:
        label = ""
        bands = instrument.band_set() if instrument is not None else None
        for band in bands.bands if bands is not None else ():
            if band.code == rule.band:
                label = band.label.get(language) or band.label["zh-Hans"]
        return _("结果分级为“%(label)s”（%(code)s）") % {
            "label": label or rule.band,
            "code": rule.band,
        }
    threshold = plain_number(rule.threshold) if rule.threshold is not None else "—"
    if rule.kind == WarningRuleKind.ANY_SUBSCALE_AT_LEAST:
        return _("任一因子分 ≥ %(threshold)s") % {"threshold": threshold}
    label = score_label(instrument, rule.score, language) if instrument else rule.score
    return _("%(score)s（%(ref)s）≥ %(threshold)s") % {
        "score": label,
        "ref": rule.score,
        "threshold": threshold,
    }


def rule_text(rule: WarningRule) -> str:
    """describe() for one rule, its instrument looked up (an unknown one: codes only)."""
    try:
        instrument: Instrument | None = catalogue.instrument(rule.instrument_id)
    except UnknownInstrumentError:
        instrument = None
    return describe(rule, instrument, catalogue.language())


def red_rule_texts(instrument: Instrument, language: str) -> list[str]:
    texts = []
    for flag in instrument.flags:
        if flag.code != "critical_item" or flag.code_at_least is None:
            continue
        items = "、".join(str(position + 1) for position in flag.items)
        texts.append(
            _("第 %(items)s 题选项 ≥ %(code)s") % {"items": items, "code": flag.code_at_least}
        )
    return texts


def rules_by_instrument() -> list[InstrumentRules]:
    """Every instrument of the library (latest version) with its rules, active or not."""
    language = catalogue.language()
    rules: dict[str, list[WarningRule]] = {}
    for rule in WarningRule.objects.select_related("updated_by").order_by("pk"):
        rules.setdefault(rule.instrument_id, []).append(rule)
    library = catalogue.library()
    rows = []
    # Instruments with rules first: those are the ones a reader comes to check.
    for instrument_id in sorted(library.ids(), key=lambda iid: (iid not in rules, iid)):
        instrument = library.get(instrument_id)
        own = [RuleRow(r, describe(r, instrument, language)) for r in rules.get(instrument_id, [])]
        rows.append(
            InstrumentRules(
                instrument_id,
                instrument.label(language),
                red_rule_texts(instrument, language),
                [row for row in own if row.rule.tier == Tier.ORANGE],
                [row for row in own if row.rule.tier == Tier.YELLOW],
            )
        )
    return rows
