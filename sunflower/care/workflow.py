"""The crisis case state machine (DESIGN.md §5, ADR 13): one table of allowed transitions.

发现 detected → 评估 assessed → 干预 intervening → 转介 referred (optional) → 随访 follow-up
→ 结案 closed. A referred case may come back to intervention, a case in follow-up may need
intervention again, and a closed case may be reopened (back to assessment: whoever reopens it
assesses it anew). Everything not in the table is refused.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class CaseStatus(TextChoices):
    DETECTED = "detected", _("发现")
    ASSESSED = "assessed", _("评估")
    INTERVENING = "intervening", _("干预")
    REFERRED = "referred", _("转介")
    FOLLOW_UP = "follow_up", _("随访")
    CLOSED = "closed", _("结案")


TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.DETECTED: frozenset({CaseStatus.ASSESSED}),
    CaseStatus.ASSESSED: frozenset({CaseStatus.INTERVENING, CaseStatus.REFERRED}),
    CaseStatus.INTERVENING: frozenset({CaseStatus.REFERRED, CaseStatus.FOLLOW_UP}),
    CaseStatus.REFERRED: frozenset({CaseStatus.INTERVENING, CaseStatus.FOLLOW_UP}),
    CaseStatus.FOLLOW_UP: frozenset({CaseStatus.INTERVENING, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.ASSESSED}),  # reopen
}

# Statuses in their order along the path, for display.
ORDER = [status.value for status in CaseStatus]


def allowed_targets(status: str) -> list[str]:
    """The statuses a case in *status* may move to, in path order."""
    targets = TRANSITIONS.get(status, frozenset())
    return [s for s in ORDER if s in targets]


def is_allowed(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())
