"""Seed the warning tier rules that were code until now (DESIGN.md §5).

Orange and yellow per instrument, exactly as sunflower/assessments/warnings.py applied them
before the rules moved to the database; city-wide programme admins edit them in the console
from here on. Red stays the scoring engine's critical_item flag and is no row. Reversing
deletes every rule, edited or not.
"""

from decimal import Decimal

from django.db import migrations

# (instrument, tier, kind, score, threshold, band)
DEFAULT_RULES = (
    ("phq9", "orange", "at_least", "total", Decimal(20), ""),
    ("phq9", "yellow", "at_least", "total", Decimal(10), ""),
    ("gad7", "orange", "at_least", "total", Decimal(15), ""),
    ("gad7", "yellow", "at_least", "total", Decimal(10), ""),
    ("scl90", "orange", "any_subscale_at_least", "", Decimal(3), ""),
    ("scl90", "yellow", "band", "", None, "positive"),
    ("sds", "orange", "band", "", None, "severe"),
    ("sds", "yellow", "at_least", "indices.index", Decimal(53), ""),
    ("sas", "orange", "band", "", None, "severe"),
    ("sas", "yellow", "at_least", "indices.index", Decimal(50), ""),
    ("k10", "orange", "band", "", None, "very_high"),
    ("k10", "yellow", "at_least", "total", Decimal(22), ""),
)


def seed(apps, schema_editor=None):
    rule = apps.get_model("assessments", "WarningRule")
    rule.objects.bulk_create(
        rule(
            instrument_id=instrument_id,
            tier=tier,
            kind=kind,
            score=score,
            threshold=threshold,
            band=band,
        )
        for instrument_id, tier, kind, score, threshold, band in DEFAULT_RULES
    )


def unseed(apps, schema_editor):
    apps.get_model("assessments", "WarningRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_warningrule")]

    operations = [migrations.RunPython(seed, unseed)]
