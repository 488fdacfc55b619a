"""The seeded warning tier rules, for tests that need them whatever ran before.

Migration 0007 seeds the rules; a transactional test elsewhere (a browser test, the query
counts) flushes every table afterwards, rules included. `seeded_rules` puts the defaults back
when the table is empty, as the `notice` fixture does for the consent notice.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from sunflower.assessments.models import WarningRule

seed = importlib.import_module("sunflower.assessments.migrations.0007_seed_warning_rules")


def seeded_rules() -> None:
    if not WarningRule.objects.exists():
        seed.seed(apps)


def sample_rule() -> WarningRule:
    """PHQ-9's yellow rule (total ≥ 10), for pages that name a rule."""
    seeded_rules()
    return WarningRule.objects.get(instrument_id="phq9", tier="yellow")
