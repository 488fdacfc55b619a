"""Risk tiers (DESIGN.md §5), shared by the assessments' proposal rules and the care app.

Kept free of models so that `sunflower.assessments.warnings` can import it without a cycle.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Tier(TextChoices):
    RED = "red", _("一级（红色）")
    ORANGE = "orange", _("二级（橙色）")
    YELLOW = "yellow", _("三级（黄色）")


# Most urgent first: the order of queues and of alerts.
TIER_ORDER = {Tier.RED: 0, Tier.ORANGE: 1, Tier.YELLOW: 2}
