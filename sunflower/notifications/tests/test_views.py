"""The inbox pages, opening and marking messages, the badge and the preferences page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.notifications.api import notify
from sunflower.notifications.models import ChannelPreference, Message

pytestmark = pytest.mark.django_db


class PortalInboxTestCase:
    def test_it_lists_unread_first_and_in_bold(self, cadre: User) -> None:
        old = notify([cadre], "campaign.reminder", text="较早的提醒")[0]
        notify([cadre], "campaign.reminder", text="已读的提醒")[0].__class__.objects.filter(
            text="已读的提醒"
        ).update(read_at=old.created_at)
        body = logged_in(cadre).get(reverse("notifications:inbox")).content.decode()
        assert body.index("较早的提醒") < body.index("已读的提醒")
        assert body.count("inbox-item is-unread") == 1
        assert "1 条未读" in body

    def test_it_shows_an_empty_state(self, cadre: User) -> None:
        body = logged_in(cadre).get(reverse("notifications:inbox")).content.decode()
        assert "暂时没有消息" in body

    def test_it_paginates(self, cadre: User) -> None:
        for n in range(25):
            notify([cadre], "campaign.reminder", text=f"提醒{n:02d}")
        client = logged_in(cadre)
        first = client.get(reverse("notifications:inbox")).content.decode()
        second = client.get(reverse("notifications:inbox") + "?page=2").content.decode()
        assert first.count('class="inbox-item') == 20
        assert second.count('class="inbox-item') == 5
        assert "第 1 / 2 页" in first
        bad = client.get(reverse("notifications:inbox") + "?page=abc")
        assert bad.status_code == 200

    def test_it_shows_the_unread_badge_in_the_portal_header(
        self, cadre: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        client = logged_in(cadre)
        assert "unread-badge" not in client.get(reverse("web:portal")).content.decode()
        # The cached count is dropped once the message commits.
        with django_capture_on_commit_callbacks(execute=True):
            notify([cadre], "care.warning")
        body = client.get(reverse("web:portal")).content.decode()
        assert 'class="unread-badge">1<' in body


class ConsoleInboxTestCase:
    def test_it_lists_the_staff_members_messages_and_badge(self, bob: User) -> None:
        notify([bob], "care.sla_breach", text="不会显示的内容")
        body = logged_in(bob).get(reverse("notifications:console-inbox")).content.decode()
        assert "您有一条新的消息，请登录向阳花平台查看。" in body
        assert "不会显示的内容" not in body
        assert 'class="unread-badge">1<' in body
        assert "个案处置超时" not in body  # not even the kind's label


class OpenMessageTestCase:
    def test_it_marks_read_and_follows_the_link(self, cadre: User) -> None:
        message = notify([cadre], "campaign.reminder", link="/m/assessments/", text="提醒")[0]
        client = logged_in(cadre)
        response = client.get(reverse("notifications:open", args=[message.pk]))
        assert response.status_code == 302
        assert response["Location"] == "/m/assessments/"
        message.refresh_from_db()
        assert message.is_read
        assert "unread-badge" not in client.get(reverse("web:portal")).content.decode()

    def test_it_returns_to_the_inbox_without_a_link(self, bob: User) -> None:
        message = notify([bob], "care.warning")[0]
        response = logged_in(bob).get(reverse("notifications:open", args=[message.pk]))
        assert response["Location"] == reverse("notifications:console-inbox")

    def test_it_never_follows_a_link_off_the_site(self, cadre: User) -> None:
        message = notify([cadre], "care.warning")[0]
        Message.objects.filter(pk=message.pk).update(link="//evil.example/")
        response = logged_in(cadre).get(reverse("notifications:open", args=[message.pk]))
        assert response["Location"] == reverse("notifications:inbox")

    def test_it_answers_404_for_another_users_message(self, cadre: User, bob: User) -> None:
        message = notify([bob], "care.warning")[0]
        client = logged_in(cadre)
        assert client.get(reverse("notifications:open", args=[message.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[message.pk])).status_code == 404
        message.refresh_from_db()
        assert not message.is_read


class MarkReadTestCase:
    def test_it_marks_one_message_read(self, cadre: User) -> None:
        first, second = (notify([cadre], "care.warning")[0] for _ in range(2))
        response = logged_in(cadre).post(reverse("notifications:read", args=[first.pk]))
        assert response["Location"] == reverse("notifications:inbox")
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.is_read and not second.is_read

    def test_it_marks_all_read_but_only_the_users_own(self, cadre: User, bob: User) -> None:
        notify([cadre, bob], "care.warning")
        notify([cadre], "care.warning")
        response = logged_in(cadre).post(
            reverse("notifications:read-all"), {"next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("notifications:inbox")
        assert not Message.objects.filter(recipient=cadre).unread().exists()
        assert Message.objects.filter(recipient=bob).unread().count() == 1

    def test_it_refuses_get(self, cadre: User) -> None:
        assert logged_in(cadre).get(reverse("notifications:read-all")).status_code == 405


class PreferencesTestCase:
    def test_it_saves_the_choices_and_audits_field_names_only(self, cadre: User) -> None:
        response = logged_in(cadre).post(
            reverse("notifications:preferences"),
            {"email": "wang@example.org", "email_enabled": "on", "sms_enabled": ""},
        )
        assert response.status_code == 302
        preference = ChannelPreference.objects.get(user=cadre)
        assert preference.email == "wang@example.org"
        assert (preference.email_enabled, preference.sms_enabled) == (True, False)
        event = AuditEvent.objects.get(action="notifications.preferences")
        assert "wang@example.org" not in str(event.changes)
        assert "email" in event.changes["fields"]

    def test_it_explains_a_bad_address_in_chinese(self, cadre: User) -> None:
        response = logged_in(cadre).post(
            reverse("notifications:preferences"), {"email": "not-an-address", "email_enabled": "on"}
        )
        assert response.status_code == 200
        assert "请输入有效的电子邮箱地址" in response.content.decode()
        assert not ChannelPreference.objects.exists()

    def test_it_needs_an_address_for_email_reminders(self, cadre: User) -> None:
        response = logged_in(cadre).post(
            reverse("notifications:preferences"), {"email": "", "email_enabled": "on"}
        )
        assert "要接收邮件提醒，请填写电子邮箱" in response.content.decode()

    def test_it_shows_the_mobile_masked(self, cadre: User, bob: User) -> None:
        body = logged_in(cadre).get(reverse("notifications:preferences")).content.decode()
        assert "138****0001" in body
        assert "13800000001" not in body
        staff = logged_in(bob).get(reverse("notifications:preferences")).content.decode()
        assert "console-layout" in staff
