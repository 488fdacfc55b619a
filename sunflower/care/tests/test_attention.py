"""The key-attention list: one active entry per person, plans, exits and overdue reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.audit.models import AuditEvent
from sunflower.care import attention, talks
from sunflower.care.actions import CareError
from sunflower.care.models_talks import AttentionStatus, KeyAttention, TalkAssignment
from sunflower.notifications.kinds import NEUTRAL_TEXT
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person

REASON = "母亲病重住院，连续两周加班处置汛情"


@pytest.fixture
def assigned(keeper: User, talk_officer: User, subject: Person) -> TalkAssignment:
    return talks.do_assign(keeper, subject.pk, talk_officer.pk)


@pytest.fixture
def put_on_list(keeper: User) -> Callable[..., KeyAttention]:
    def make(person: Person, responsible: User | None = None, **plan: Any) -> KeyAttention:
        values: dict[str, Any] = {
            "codes": ["major_setback", "urgent_tasks"],
            "note": REASON,
            "talk_every_days": 14,
            "visit_every_days": None,
            "review_on": timezone.localdate() + timedelta(days=365),
        }
        values.update(plan)
        return talks.do_create_attention(
            keeper, person.pk, responsible_id=(responsible or keeper).pk, **values
        )

    return make


def detail_url(entry: KeyAttention) -> str:
    return reverse("care:attention-detail", args=[entry.pk])


class OneActiveEntryTestCase:
    def test_the_database_allows_one_active_entry_per_person(
        self, keeper: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        put_on_list(subject)
        with pytest.raises(IntegrityError), transaction.atomic():
            KeyAttention.objects.create(
                person=subject,
                unit=subject.unit,
                responsible=keeper,
                review_on=timezone.localdate(),
            )

    def test_the_action_says_so_in_words(
        self, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        put_on_list(subject)
        with pytest.raises(CareError, match="已在重点关注名单中"):
            put_on_list(subject)
        assert KeyAttention.objects.count() == 1

    def test_an_exited_person_may_be_put_on_the_list_again(
        self, keeper: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        first = put_on_list(subject)
        talks.do_exit_attention(keeper, first.pk, "情况好转")
        put_on_list(subject)
        assert KeyAttention.objects.filter(status=AttentionStatus.ACTIVE).count() == 1


class ReasonsTestCase:
    def test_reason_codes_are_encrypted_with_the_note(
        self, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        entry = put_on_list(subject)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT reasons FROM {KeyAttention._meta.db_table} WHERE id = %s",  # noqa: S608
                [entry.pk.hex if connection.vendor == "sqlite" else entry.pk],
            )
            stored = cursor.fetchone()[0]
        assert "major_setback" not in stored
        assert REASON not in stored
        assert entry.get_reasons().codes == ["urgent_tasks", "major_setback"]
        assert not AuditEvent.objects.filter(changes__icontains="major_setback").exists()

    def test_it_needs_a_reason(self, subject: Person, put_on_list: Callable[..., Any]) -> None:
        with pytest.raises(CareError):
            put_on_list(subject, codes=[])


class ExitTestCase:
    def test_exit_needs_a_reason(
        self, keeper: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        entry = put_on_list(subject)
        with pytest.raises(CareError):
            talks.do_exit_attention(keeper, entry.pk, "  ")
        entry.refresh_from_db()
        assert entry.status == AttentionStatus.ACTIVE

    def test_the_exit_page_asks_for_a_reason_and_a_confirmation(
        self, keeper: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        entry = put_on_list(subject)
        client = logged_in(keeper)
        url = reverse("care:attention-exit", args=[entry.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"reason": "", "confirm": "on"}).status_code == 200
        assert client.post(url, {"reason": "复核后情况好转"}).status_code == 200
        entry.refresh_from_db()
        assert entry.status == AttentionStatus.ACTIVE
        response = client.post(url, {"reason": "复核后情况好转", "confirm": "on"})
        assert response["Location"] == detail_url(entry)
        entry.refresh_from_db()
        assert (entry.status, entry.exit_reason, entry.exited_by) == (
            AttentionStatus.EXITED,
            "复核后情况好转",
            keeper,
        )

    def test_a_talk_officer_may_not_exit(
        self,
        talk_officer: User,
        subject: Person,
        assigned: TalkAssignment,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        entry = put_on_list(subject)
        url = reverse("care:attention-exit", args=[entry.pk])
        assert (
            logged_in(talk_officer).post(url, {"reason": "x", "confirm": "on"}).status_code == 403
        )
        with pytest.raises(CareError):
            talks.do_exit_attention(talk_officer, entry.pk, "x")


class AttentionAccessTestCase:
    def test_an_assigned_talk_officer_puts_a_cadre_on_the_list_and_sees_it(
        self, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        client = logged_in(talk_officer)
        response = client.post(
            reverse("care:attention-create", args=[subject.pk]),
            {
                "codes": ["heavy_burden", "talk_judgement"],
                "note": REASON,
                "talk_every_days": "14",
                "visit_every_days": "60",
                "responsible": str(talk_officer.pk),
                "review_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
            },
        )
        entry = KeyAttention.objects.get()
        assert response["Location"] == detail_url(entry)
        page = client.get(detail_url(entry)).content.decode()
        assert REASON in page
        assert "心理负担重" in page
        listed = client.get(reverse("care:attention-list")).context["page"].object_list
        assert [row.entry for row in listed] == [entry]

    def test_a_talk_officer_not_assigned_may_neither_create_nor_read(
        self,
        city: City,
        subject: Person,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        stranger = make_user("stranger", (Role.TALK_OFFICER, city.district_a))
        entry = put_on_list(subject)
        client = logged_in(stranger)
        assert client.get(reverse("care:attention-create", args=[subject.pk])).status_code == 404
        assert client.get(detail_url(entry)).status_code == 404
        assert list(client.get(reverse("care:attention-list")).context["page"].object_list) == []

    def test_a_keeper_of_another_scope_gets_404(
        self, outsider: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        entry = put_on_list(subject)
        client = logged_in(outsider)
        assert client.get(detail_url(entry)).status_code == 404
        assert list(client.get(reverse("care:attention-list")).context["page"].object_list) == []

    @pytest.mark.parametrize("who", ["alice", "bob", "counsellor", "cadre"])
    def test_other_roles_are_denied(
        self,
        who: str,
        request: pytest.FixtureRequest,
        subject: Person,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        entry = put_on_list(subject)
        client = logged_in(request.getfixturevalue(who))
        for url in (detail_url(entry), reverse("care:attention-list")):
            response = client.get(url)
            assert response.status_code in (403, 404)
            assert REASON not in response.content.decode()

    def test_the_list_filters_by_reason_and_overdue(
        self,
        keeper: User,
        subject: Person,
        make_person: Callable[..., Person],
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        late = put_on_list(subject)
        KeyAttention.objects.filter(pk=late.pk).update(
            started_at=timezone.now() - timedelta(days=30)
        )
        other = put_on_list(make_person(name="孙三"), codes=["hard_conditions"])
        client = logged_in(keeper)
        url = reverse("care:attention-list")

        def listed(**query: str) -> list[KeyAttention]:
            return [row.entry for row in client.get(url, query).context["page"].object_list]

        assert listed() == [late, other]  # overdue first
        assert listed(reason="hard_conditions") == [other]
        assert listed(overdue="on") == [late]
        assert listed(status="exited") == []
        assert (
            "没有符合条件的重点关注对象" in client.get(url, {"status": "exited"}).content.decode()
        )

    def test_a_keeper_changes_the_plan(
        self, keeper: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        entry = put_on_list(subject)
        response = logged_in(keeper).post(
            reverse("care:attention-plan", args=[entry.pk]),
            {
                "codes": ["heavy_burden"],
                "note": "",
                "talk_every_days": "7",
                "visit_every_days": "30",
                "responsible": str(keeper.pk),
                "review_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            },
        )
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.talk_every_days, entry.visit_every_days) == (7, 30)
        assert entry.get_reasons().codes == ["heavy_burden"]


class OverdueReminderTestCase:
    def test_it_reminds_once_per_period_and_not_before(
        self,
        talk_officer: User,
        subject: Person,
        assigned: TalkAssignment,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        entry = put_on_list(subject, responsible=talk_officer)
        start = timezone.now() - timedelta(days=40)
        KeyAttention.objects.filter(pk=entry.pk).update(started_at=start)

        assert attention.send_overdue_reminders(start + timedelta(days=13)) == 0
        assert attention.send_overdue_reminders(start + timedelta(days=15)) == 1
        assert attention.send_overdue_reminders(start + timedelta(days=15, hours=1)) == 0
        assert attention.send_overdue_reminders(start + timedelta(days=16)) == 0
        assert Message.objects.filter(recipient=talk_officer, kind="talk.overdue").count() == 1

        # A talk starts a new period: nothing until it too runs out, then one more reminder.
        details = talks.talk_details("routine", ["life"], 2)
        talks.do_record_talk(talk_officer, subject.pk, start + timedelta(days=17), details)
        assert attention.send_overdue_reminders(start + timedelta(days=30)) == 0
        assert attention.send_overdue_reminders(start + timedelta(days=32)) == 1
        assert attention.send_overdue_reminders(start + timedelta(days=33)) == 0
        assert Message.objects.filter(recipient=talk_officer).count() == 2
        assert AuditEvent.objects.filter(action="attention.overdue_reminder").count() == 2

    def test_an_overdue_talk_also_reminds_the_assigned_talk_officer(
        self,
        keeper: User,
        talk_officer: User,
        subject: Person,
        assigned: TalkAssignment,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        entry = put_on_list(subject, responsible=keeper, talk_every_days=14)
        start = timezone.now() - timedelta(days=40)
        KeyAttention.objects.filter(pk=entry.pk).update(started_at=start)
        TalkAssignment.objects.filter(pk=assigned.pk).update(since=start.date())
        assert attention.send_overdue_reminders(start + timedelta(days=15)) == 2
        told = set(Message.objects.filter(kind="talk.overdue").values_list("recipient", flat=True))
        assert told == {keeper.pk, talk_officer.pk}
        assert attention.send_overdue_reminders(start + timedelta(days=16)) == 0

    def test_it_reminds_of_a_visit_and_a_passed_review_date(
        self,
        keeper: User,
        subject: Person,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        entry = put_on_list(subject, talk_every_days=300, visit_every_days=30)
        KeyAttention.objects.filter(pk=entry.pk).update(
            review_on=timezone.localdate() - timedelta(days=1)
        )
        now = timezone.now() + timedelta(days=31)
        assert attention.send_overdue_reminders(now) == 2
        kinds = sorted(Message.objects.filter(recipient=keeper).values_list("kind", flat=True))
        assert kinds == ["care.attention_review", "talk.overdue"]
        assert attention.send_overdue_reminders(now) == 0

    def test_an_exited_entry_is_not_reminded(
        self, keeper: User, subject: Person, put_on_list: Callable[..., KeyAttention]
    ) -> None:
        entry = put_on_list(subject)
        talks.do_exit_attention(keeper, entry.pk, "情况好转")
        assert attention.send_overdue_reminders(timezone.now() + timedelta(days=400)) == 0

    def test_the_reminder_carries_no_sensitive_content(
        self,
        keeper: User,
        subject: Person,
        put_on_list: Callable[..., KeyAttention],
    ) -> None:
        from sunflower.notifications.models import ChannelPreference

        ChannelPreference.objects.create(user=keeper, email="keeper@example.gov.cn")
        entry = put_on_list(subject)
        with self.captured_on_commit():
            attention.send_overdue_reminders(timezone.now() + timedelta(days=20))
        message = Message.objects.get(recipient=keeper)
        assert message.text == str(NEUTRAL_TEXT)
        assert message.link == detail_url(entry)
        leaked = [subject.name, REASON, "重大挫折", "急难险重", "重点关注"]
        texts = [message.text] + [m.subject + m.body for m in mail.outbox]
        assert not [word for word in leaked for text in texts if word in text]

    @staticmethod
    def captured_on_commit() -> Any:
        from django.test import TestCase

        return TestCase.captureOnCommitCallbacks(execute=True)
