"""Campaign reminders (issue 4 item 7): a nudge before the deadline to cadres not yet done.

A campaign with reminder_days > 0 enters its reminder window reminder_days before closes_at.
The hourly task then sends each cadre with a pending assignment one "campaign.reminder"
notification for the campaign — one, however many instruments are pending — and stamps their
pending assignments' reminded_at. The text names the deadline only: an instrument's name
(抑郁, 焦虑) would be health data in an SMS. notify_once keys the message by campaign, so a
rerun, a retried task or two workers at once never remind anyone twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sunflower.accounts.models import User
from sunflower.assessments.models import Assignment, AssignmentStatus, Campaign, CampaignStatus
from sunflower.audit.events import record
from sunflower.notifications.api import notify_once

REMINDER_KIND = "campaign.reminder"


def in_reminder_window(campaign: Campaign, now: datetime) -> bool:
    if campaign.status != CampaignStatus.OPEN or campaign.reminder_days <= 0:
        return False
    starts = campaign.closes_at - timedelta(days=campaign.reminder_days)
    return max(starts, campaign.opens_at) <= now < campaign.closes_at


def reminder_text(campaign: Campaign) -> str:
    # Translators: a date format (Django's date syntax) for the deadline in a reminder.
    deadline = date_format(timezone.localtime(campaign.closes_at), _("n月j日 H:i"))
    return _("您有一项测评任务将于 %(deadline)s 截止，请登录向阳花平台完成。") % {
        "deadline": deadline
    }


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind every cadre due a reminder now; returns how many were notified."""
    now = now or timezone.now()
    candidates = Campaign.objects.filter(
        status=CampaignStatus.OPEN, reminder_days__gt=0, opens_at__lte=now, closes_at__gt=now
    )
    return sum(
        remind_campaign(campaign, now)
        for campaign in candidates
        if in_reminder_window(campaign, now)
    )


def remind_campaign(campaign: Campaign, now: datetime) -> int:
    with transaction.atomic():
        pending = Assignment.objects.filter(
            campaign=campaign,
            status=AssignmentStatus.PENDING,
            reminded_at__isnull=True,
            person__user__is_active=True,
        )
        person_ids = set(pending.values_list("person_id", flat=True))
        if not person_ids:
            return 0
        users = list(User.objects.filter(person_id__in=person_ids, is_active=True))
        sent = notify_once(
            users,
            REMINDER_KIND,
            key=f"campaign:{campaign.pk}",
            link=reverse("web:portal-assessments"),
            text=reminder_text(campaign),
        )
        # Also stamps cadres reminded by an earlier, interrupted run (notify_once skipped them).
        pending.filter(person_id__in=person_ids).update(reminded_at=now)
        record(
            "campaign.remind",
            target=campaign,
            scope_unit_id=campaign.root_unit_id,
            changes={"people": len(sent)},
        )
    return len(sent)
