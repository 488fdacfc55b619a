"""Risk-warning proposals from a submitted result (DESIGN.md §5).

A tier here is a proposal, never a decision: a record keeper confirms or changes it (PIPL
Art. 24). The proposal is a care.RiskWarning row in the record keeper's queue with its audit
entry "warning.proposed" naming the response and the tier (no score or answer); an anonymous
response proposes nothing. `Tier` lives in sunflower/care/tiers.py.

Rules, checked from the most urgent tier down:
- red: a critical item endorsed (the engine's `critical_item` flag: PHQ-9 item 9 ≥ 1,
  SCL-90 item 15 or 59 ≥ 2, SDS item 19 ≥ 2); fixed, not a rule that can be edited;
- orange, then yellow: the active `WarningRule` rows of the instrument, any one of which
  suffices. Their defaults (severe symptoms for orange, a positive screen for yellow: PHQ-9
  ≥ 20 / ≥ 10, GAD-7 ≥ 15 / ≥ 10, …) are seeded by migration 0007_seed_warning_rules, and a
  city-wide programme admin edits them in the console (warning_rules.py).

Submission is a hot path (docs/performance.md): the active rules are loaded in one query and
kept per process for RELOAD_SECONDS; the process that changes a rule forgets its copy at once,
the others pick the change up within RELOAD_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from sunflower.accounts.models import User
from sunflower.assessments.models import RULE_TIERS, Response, WarningRule
from sunflower.care.actions import do_propose_from_result
from sunflower.care.tiers import Tier

__all__ = ["Tier", "forget_rules", "propose_warning_from_result", "proposed_tier"]

RELOAD_SECONDS = 60.0


@dataclass(frozen=True)
class _Loaded:
    by_instrument: dict[str, dict[str, tuple[WarningRule, ...]]]  # instrument → tier → rules
    at: float  # time.monotonic() of loading


_loaded: _Loaded | None = None
_lock = threading.Lock()


def _load() -> _Loaded:
    found: dict[str, dict[str, list[WarningRule]]] = {}
    for rule in WarningRule.objects.filter(active=True).order_by("pk"):
        found.setdefault(rule.instrument_id, {}).setdefault(rule.tier, []).append(rule)
    rules = {
        instrument_id: {tier: tuple(listed) for tier, listed in tiers.items()}
        for instrument_id, tiers in found.items()
    }
    return _Loaded(rules, time.monotonic())


def _active_rules() -> dict[str, dict[str, tuple[WarningRule, ...]]]:
    global _loaded
    with _lock:
        if _loaded is None or time.monotonic() - _loaded.at > RELOAD_SECONDS:
            _loaded = _load()
        return _loaded.by_instrument


def forget_rules() -> None:
    """Drop this process's copy of the rules: the next submission loads them again."""
    global _loaded
    with _lock:
        _loaded = None


def proposed_tier(instrument_id: str, result: Mapping[str, Any]) -> Tier | None:
    if "critical_item" in (result.get("flags") or []):
        return Tier.RED
    rules = _active_rules().get(instrument_id, {})
    for tier in RULE_TIERS:
        if any(rule.matches(result) for rule in rules.get(tier, ())):
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
