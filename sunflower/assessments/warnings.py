"""Risk-warning proposals from a submitted result (DESIGN.md §5).

A tier here is a proposal, never a decision: a record keeper confirms or changes it (PIPL
Art. 24). The proposal is a care.RiskWarning row in the record keeper's queue with its audit
entry "warning.proposed" naming the response and the tier (no score or answer); an anonymous
response proposes nothing. `Tier` lives in sunflower/care/tiers.py.

Rules, checked from the most urgent tier down:
- red: a critical item endorsed (the engine's `critical_item` flag: PHQ-9 item 9 ≥ 1,
  SCL-90 item 15 or 59 ≥ 2, SDS item 19 ≥ 2);
- orange: severe symptoms (PHQ-9 ≥ 20, GAD-7 ≥ 15, any SCL-90 factor ≥ 3, the most severe
  band of SDS, SAS and K10);
- yellow: a positive screen (PHQ-9 ≥ 10, GAD-7 ≥ 10, SCL-90 positive, SDS index ≥ 53, SAS
  index ≥ 50, K10 ≥ 22).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from sunflower.accounts.models import User
from sunflower.assessments.models import Response
from sunflower.care.actions import do_propose_from_result
from sunflower.care.tiers import Tier

__all__ = ["Tier", "propose_warning_from_result", "proposed_tier"]


Rule = Callable[[Mapping[str, Any]], bool]


def _at_least(ref: str, threshold: int | str) -> Rule:
    group, _dot, key = ref.partition(".")

    def rule(result: Mapping[str, Any]) -> bool:
        value = result.get(group) if not key else (result.get(group) or {}).get(key)
        return value is not None and Decimal(value) >= Decimal(threshold)

    return rule


def _any_subscale_at_least(threshold: int | str) -> Rule:
    def rule(result: Mapping[str, Any]) -> bool:
        values = (result.get("subscales") or {}).values()
        return any(v is not None and Decimal(v) >= Decimal(threshold) for v in values)

    return rule


def _band(*codes: str) -> Rule:
    def rule(result: Mapping[str, Any]) -> bool:
        return (result.get("band") or {}).get("code") in codes

    return rule


TIER_RULES: dict[str, dict[str, tuple[Rule, ...]]] = {
    "phq9": {Tier.ORANGE: (_at_least("total", 20),), Tier.YELLOW: (_at_least("total", 10),)},
    "gad7": {Tier.ORANGE: (_at_least("total", 15),), Tier.YELLOW: (_at_least("total", 10),)},
    "scl90": {Tier.ORANGE: (_any_subscale_at_least(3),), Tier.YELLOW: (_band("positive"),)},
    "sds": {Tier.ORANGE: (_band("severe"),), Tier.YELLOW: (_at_least("indices.index", 53),)},
    "sas": {Tier.ORANGE: (_band("severe"),), Tier.YELLOW: (_at_least("indices.index", 50),)},
    "k10": {Tier.ORANGE: (_band("very_high"),), Tier.YELLOW: (_at_least("total", 22),)},
}


def proposed_tier(instrument_id: str, result: Mapping[str, Any]) -> Tier | None:
    if "critical_item" in (result.get("flags") or []):
        return Tier.RED
    rules = TIER_RULES.get(instrument_id, {})
    for tier in (Tier.ORANGE, Tier.YELLOW):
        if any(rule(result) for rule in rules.get(tier, ())):
            return tier
    return None


def propose_warning_from_result(
    response: Response, actor: User | None = None, request: HttpRequest | None = None
) -> Tier | None:
    """Propose a warning for *response* if its result meets a tier; call inside do_submit's
    transaction so that a submitted result and its proposal are written together."""
    tier = proposed_tier(response.instrument_id, response.result_data())
    if tier is None:
        return None
    do_propose_from_result(response, tier, actor, request)
    return tier
