"""notify / notify_once: content rules, after-commit delivery, retries, idempotence, dedupe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from huey.contrib.djhuey import HUEY

from conftest import make_user
from sunflower.accounts.models import User
from sunflower.notifications import tasks
from sunflower.notifications.api import notify, notify_once
from sunflower.notifications.kinds import NEUTRAL_TEXT, UnknownKindError, register_kind
from sunflower.notifications.models import (
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Message,
)
from sunflower.notifications.tests.gateway import Gateway

SECRET = "王小明 PHQ-9 得分 23 重度抑郁"
NEUTRAL = str(NEUTRAL_TEXT)


@pytest.fixture
def reachable(cadre: User) -> User:
    ChannelPreference.objects.create(user=cadre, email="wang@example.org")
    return cadre


def run_due_retries() -> int:
    """What the consumer's scheduler does once the retry delay has passed."""
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
    due = HUEY.read_schedule(later)
    for task in due:
        HUEY.execute(task, later)
    return len(due)


@pytest.mark.django_db(transaction=True)
class SensitiveKindTestCase:
    def test_it_never_carries_content_on_any_channel(
        self, reachable: User, sms_gateway: Gateway
    ) -> None:
        with transaction.atomic():
            notify([reachable], "care.warning", link="/console/care/1/", text=SECRET)
        message = Message.objects.get(recipient=reachable)
        assert message.text == NEUTRAL
        assert [m.body for m in mail.outbox] == [NEUTRAL]
        assert SECRET not in mail.outbox[0].subject
        assert [r["text"] for r in sms_gateway.received] == [NEUTRAL]
        assert sms_gateway.received[0]["to"] == "13800000001"
        assert sms_gateway.headers[0]["Authorization"] == "Bearer test-token"
        statuses = dict(Delivery.objects.values_list("channel", "status"))
        assert statuses == {Channel.EMAIL: DeliveryStatus.SENT, Channel.SMS: DeliveryStatus.SENT}

    def test_it_lets_a_plain_kind_carry_its_text(
        self, reachable: User, sms_gateway: Gateway
    ) -> None:
        notify([reachable], "campaign.reminder", text="您有一项测评任务将于 11月30日 截止。")
        assert Message.objects.get().text == "您有一项测评任务将于 11月30日 截止。"
        assert mail.outbox[0].body == "您有一项测评任务将于 11月30日 截止。"
        assert sms_gateway.received[0]["text"] == "您有一项测评任务将于 11月30日 截止。"


@pytest.mark.django_db(transaction=True)
class AfterCommitTestCase:
    def test_it_delivers_nothing_when_the_transaction_rolls_back(self, reachable: User) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([reachable], "care.warning")
            raise RuntimeError("the change failed")
        assert not Message.objects.exists()
        assert mail.outbox == []

    def test_it_delivers_only_once_the_transaction_commits(self, reachable: User) -> None:
        with transaction.atomic():
            notify([reachable], "care.warning")
            assert Message.objects.count() == 1
            assert mail.outbox == []
        assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
class RetryTestCase:
    def test_it_retries_a_failed_send_exactly_once_to_success(
        self, reachable: User, sms_gateway: Gateway
    ) -> None:
        sms_gateway.fail_next = 1
        notify([reachable], "care.case_assigned")
        sms = Delivery.objects.get(channel=Channel.SMS)
        assert (sms.status, sms.attempts, sms.last_error) == (DeliveryStatus.QUEUED, 1, "HTTP 500")
        assert sms_gateway.received == []

        assert run_due_retries() == 1
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.last_error) == (DeliveryStatus.SENT, 2, "")
        assert sms.sent_at is not None
        assert [r["text"] for r in sms_gateway.received] == [NEUTRAL]
        assert sms_gateway.requests == 2
        assert run_due_retries() == 0
        assert Delivery.objects.get(channel=Channel.EMAIL).attempts == 1

    def test_it_records_the_final_failure_without_content(
        self, reachable: User, sms_gateway: Gateway
    ) -> None:
        sms_gateway.fail_next = 100
        notify([reachable], "campaign.reminder", text="提醒")
        while run_due_retries():
            pass
        sms = Delivery.objects.get(channel=Channel.SMS)
        assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, tasks.RETRIES + 1)
        assert sms.last_error == "HTTP 500"
        assert sms.sent_at is None

    def test_it_does_not_send_again_what_was_sent(
        self, reachable: User, sms_gateway: Gateway
    ) -> None:
        notify([reachable], "care.escalation")
        sms = Delivery.objects.get(channel=Channel.SMS)
        tasks.deliver(sms.pk)  # a duplicate or late retry
        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == (DeliveryStatus.SENT, 1)
        assert len(sms_gateway.received) == 1

    def test_it_reports_an_unreachable_gateway_by_kind_only(self, reachable: User) -> None:
        with override_settings(SUNFLOWER_SMS_URL="http://127.0.0.1:9/send"):
            notify([reachable], "care.warning")
        sms = Delivery.objects.get(channel=Channel.SMS)
        assert sms.last_error.startswith("network: ")
        assert "13800000001" not in sms.last_error


@pytest.mark.django_db
class ChannelChoiceTestCase:
    def test_it_respects_opting_out_of_sms_and_email(
        self, cadre: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        ChannelPreference.objects.create(
            user=cadre, email="wang@example.org", email_enabled=False, sms_enabled=False
        )
        with django_capture_on_commit_callbacks(execute=True):
            notify([cadre], "care.warning")
        assert Message.objects.filter(recipient=cadre).count() == 1
        assert not Delivery.objects.exists()
        assert mail.outbox == []

    def test_it_sends_email_only_to_users_with_an_address(
        self, cadre: User, bob: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        # bob (staff, no person) has no mobile and no e-mail: the inbox only.
        with django_capture_on_commit_callbacks(execute=True):
            notify([cadre, bob, cadre], "care.warning")
        assert Message.objects.filter(recipient=bob).count() == 1
        assert Message.objects.filter(recipient=cadre).count() == 1
        assert set(Delivery.objects.values_list("message__recipient", "channel")) == {
            (cadre.pk, Channel.SMS)
        }


@pytest.mark.django_db
class NotifyOnceTestCase:
    def test_it_skips_recipients_who_already_got_the_key(self, cadre: User, bob: User) -> None:
        first = notify_once([cadre], "campaign.reminder", key="campaign:1", text="提醒")
        again = notify_once([cadre, bob], "campaign.reminder", key="campaign:1", text="提醒")
        other = notify_once([cadre], "campaign.reminder", key="campaign:2", text="提醒")
        assert [m.recipient for m in first] == [cadre]
        assert [m.recipient for m in again] == [bob]
        assert len(other) == 1
        assert Message.objects.filter(recipient=cadre).count() == 2

    def test_it_needs_a_key(self, cadre: User) -> None:
        with pytest.raises(ValueError, match="key"):
            notify_once([cadre], "campaign.reminder", key="")


@pytest.mark.django_db
class ValidationTestCase:
    @pytest.mark.parametrize(
        "link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "m/x"]
    )
    def test_it_refuses_a_link_that_leaves_the_site(self, cadre: User, link: str) -> None:
        with pytest.raises(ValueError, match="relative"):
            notify([cadre], "care.warning", link=link)
        assert not Message.objects.exists()

    def test_it_refuses_an_unknown_kind(self, cadre: User) -> None:
        with pytest.raises(UnknownKindError):
            notify([cadre], "care.nonsense")

    def test_it_refuses_to_register_a_kind_twice_with_another_sensitivity(self) -> None:
        with pytest.raises(ValueError, match="already"):
            register_kind("care.warning", sensitive=False, label="x")

    def test_it_sends_nothing_to_nobody(self) -> None:
        assert notify([], "care.warning") == []


@pytest.mark.django_db
class InactiveUserTestCase:
    def test_it_keeps_the_inbox_but_sends_nothing_outside(
        self, make_person: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        user = make_user("gone", person=make_person())
        user.is_active = False
        user.save(update_fields=["is_active"])
        with django_capture_on_commit_callbacks(execute=True):
            notify([user], "care.warning")
        assert Message.objects.filter(recipient=user).exists()
        assert not Delivery.objects.exists()
