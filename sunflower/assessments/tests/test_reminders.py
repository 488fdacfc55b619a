"""Campaign reminders: once per cadre and campaign, inside the window only, no health data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import City, make_user, verified_login
from sunflower.accounts.models import Role, User
from sunflower.assessments import campaigns, reminders
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
)
from sunflower.assessments.tasks import send_campaign_reminders
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person

pytestmark = pytest.mark.django_db

# 30 November 2026, 18:00 in Asia/Shanghai.
CLOSES = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def admin(city: City) -> User:
    return make_user("district-admin", (Role.PROGRAMME_ADMIN, city.district_a))


@pytest.fixture
def cadres(make_person: Callable[..., Person], city: City) -> list[User]:
    return [make_user(f"cadre-{n}", person=make_person(unit=city.town_a1)) for n in range(3)]


def open_campaign(admin: User, city: City, **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "2026 年度心理普查",
        "instruments": ["phq9", "gad7"],
        "root_unit": city.district_a,
        "opens_at": CLOSES - timedelta(days=10),
        "closes_at": CLOSES,
        "mode": CampaignMode.IDENTIFIED,
        "reminder_days": 3,
    }
    values.update(fields)
    campaign = campaigns.do_create_campaign(admin, **values)
    # Opening checks the deadline against the real clock; the test clock is passed explicitly.
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=CLOSES + timedelta(days=3650))
    campaigns.do_open_campaign(admin, campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=values["closes_at"])
    campaign.refresh_from_db()
    return campaign


class ReminderWindowTestCase:
    def test_it_reminds_each_pending_cadre_once_per_campaign(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        campaign = open_campaign(admin, city)
        done = cadres[2]
        Assignment.objects.filter(person=done.person).update(status=AssignmentStatus.DONE)
        now = CLOSES - timedelta(days=2)

        assert reminders.send_due_reminders(now) == 2
        assert reminders.send_due_reminders(now + timedelta(hours=1)) == 0

        sent = Message.objects.filter(kind="campaign.reminder")
        assert sorted(m.recipient_id for m in sent) == sorted(u.pk for u in cadres[:2])
        message = sent.first()
        assert message is not None
        assert message.text == "您有一项测评任务将于 11月30日 18:00 截止，请登录向阳花平台完成。"
        assert message.link == reverse("web:portal-assessments")
        assert "PHQ" not in message.text and "抑郁" not in message.text
        pending = Assignment.objects.filter(campaign=campaign, status=AssignmentStatus.PENDING)
        assert pending.count() == 4  # two cadres × two instruments, all stamped
        assert not pending.filter(reminded_at__isnull=True).exists()
        assert not Assignment.objects.filter(person=done.person, reminded_at__isnull=False)

    def test_it_sends_nothing_before_the_window(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        open_campaign(admin, city)
        assert reminders.send_due_reminders(CLOSES - timedelta(days=3, minutes=1)) == 0
        assert not Message.objects.exists()
        assert reminders.send_due_reminders(CLOSES - timedelta(days=3)) == 3

    def test_it_sends_nothing_after_the_deadline(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        open_campaign(admin, city)
        assert reminders.send_due_reminders(CLOSES) == 0
        assert reminders.send_due_reminders(CLOSES + timedelta(days=1)) == 0
        assert not Message.objects.exists()

    def test_it_sends_nothing_when_reminders_are_off(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        open_campaign(admin, city, reminder_days=0)
        assert reminders.send_due_reminders(CLOSES - timedelta(hours=1)) == 0

    def test_it_sends_nothing_for_a_draft(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        campaigns.do_create_campaign(
            admin,
            name="草稿",
            instruments=["phq9"],
            root_unit=city.district_a,
            opens_at=CLOSES - timedelta(days=10),
            closes_at=CLOSES,
            mode=CampaignMode.IDENTIFIED,
        )
        assert reminders.send_due_reminders(CLOSES - timedelta(hours=1)) == 0

    def test_it_does_not_remind_again_a_cadre_already_messaged(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        # A run that notified but was interrupted before stamping: the key still holds.
        campaign = open_campaign(admin, city)
        now = CLOSES - timedelta(days=1)
        reminders.send_due_reminders(now)
        Assignment.objects.filter(campaign=campaign).update(reminded_at=None)
        assert reminders.send_due_reminders(now) == 0
        assert Message.objects.count() == 3
        assert not Assignment.objects.filter(campaign=campaign, reminded_at__isnull=True)

    def test_the_periodic_task_runs_on_the_real_clock(
        self, admin: User, city: City, cadres: list[User]
    ) -> None:
        now = timezone.now()
        open_campaign(
            admin, city, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=1)
        )
        assert send_campaign_reminders.call_local() == 3


class ReminderFormTestCase:
    def post(self, admin: User, city: City, **fields: str) -> Any:
        data = {
            "name": "东港区普查",
            "instruments": ["phq9"],
            "root_unit": city.district_a.pk,
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-12-10T18:00",
            "mode": "identified",
            **fields,
        }
        return verified_login(Client(), admin).post(reverse("campaigns:create"), data)

    def test_it_saves_the_reminder_days(self, admin: User, city: City) -> None:
        self.post(admin, city, reminder_days="5")
        assert Campaign.objects.get().reminder_days == 5

    @pytest.mark.parametrize("value", ["31", "-1", "abc", "2.5"])
    def test_it_refuses_days_outside_0_to_30_in_chinese(
        self, admin: User, city: City, value: str
    ) -> None:
        response = self.post(admin, city, reminder_days=value)
        assert response.status_code == 200
        assert "提前提醒的天数应为 0 到 30 之间的整数。" in response.content.decode()
        assert not Campaign.objects.exists()

    def test_the_action_refuses_days_outside_0_to_30(self, admin: User, city: City) -> None:
        with pytest.raises(campaigns.CampaignError, match="0 到 30"):
            campaigns.do_create_campaign(
                admin,
                name="x",
                instruments=["phq9"],
                root_unit=city.district_a,
                opens_at=CLOSES - timedelta(days=1),
                closes_at=CLOSES,
                mode=CampaignMode.IDENTIFIED,
                reminder_days=31,
            )
