"""Break-glass: a record keeper outside scope opens one person's record for a while, after a
written reason and re-authentication; every audit admin over the person is told at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import City, confirmed, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments.models import Response
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, take
from sunflower.audit.models import AuditEvent, Outcome
from sunflower.care import record
from sunflower.care.models import BreakGlassGrant
from sunflower.notifications.kinds import NEUTRAL_TEXT
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person

REASON = "同事报告该干部今晨发出轻生信息，本人失联，需立即核实既往预警和联系人"
BREAK_GLASS_URL = reverse("care:break-glass")


def record_url(person: Person | None) -> str:
    assert person is not None
    return reverse("care:record", args=[person.pk])


def break_glass(client: Client, person: Person | None, reason: str = REASON) -> Any:
    assert person is not None
    return client.post(
        BREAK_GLASS_URL,
        {"identifier": person.id_number, "reason": reason, "next": BREAK_GLASS_URL},
    )


@pytest.fixture
def city_auditor(city: City) -> User:
    return make_user("city-auditor", (Role.AUDIT_ADMIN, city.city))


@pytest.fixture
def district_auditor(city: City) -> User:
    return make_user("district-auditor", (Role.AUDIT_ADMIN, city.district_a))


@pytest.fixture
def other_auditor(city: City) -> User:
    return make_user("other-auditor", (Role.AUDIT_ADMIN, city.district_b))


class ReauthenticationTestCase:
    def test_the_form_asks_for_re_authentication_first(self, outsider: User) -> None:
        response = logged_in(outsider).get(BREAK_GLASS_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sudo"))

    def test_a_post_without_re_authentication_grants_nothing(
        self, outsider: User, subject: Person
    ) -> None:
        response = break_glass(logged_in(outsider), subject)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sudo"))
        assert "next=" in response["Location"]
        assert not BreakGlassGrant.objects.exists()

    def test_after_re_authentication_the_form_shows(self, outsider: User) -> None:
        response = confirmed(outsider).get(BREAK_GLASS_URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert "紧急调阅理由" in page
        assert 'name="next"' in page


class BreakGlassTestCase:
    def test_it_needs_a_written_reason(self, outsider: User, subject: Person) -> None:
        client = confirmed(outsider)
        response = break_glass(client, subject, reason="情况紧急")
        assert response.status_code == 200
        assert not BreakGlassGrant.objects.exists()
        assert client.get(record_url(subject)).status_code == 404

    def test_it_opens_the_record_with_a_banner_and_audits_reads_as_break_glass(
        self, outsider: User, subject: Person
    ) -> None:
        client = confirmed(outsider)
        response = break_glass(client, subject)
        assert response.status_code == 302
        assert response["Location"] == record_url(subject)
        grant = BreakGlassGrant.objects.get()
        assert (grant.user, grant.person) == (outsider, subject)
        assert grant.expires_at - grant.granted_at == timedelta(hours=4)
        page = client.get(record_url(subject))
        assert page.status_code == 200
        assert "紧急调阅</strong>" in page.content.decode()
        opened = AuditEvent.objects.get(action="care.break_glass")
        assert (opened.actor_role, opened.object_id) == ("break_glass", str(grant.pk))
        assert opened.changes["person"] == str(subject.pk)
        read = AuditEvent.objects.get(action="care.record.read")
        assert (read.actor, read.actor_role) == (outsider, "break_glass")
        assert read.changes["grant"] == str(grant.pk)

    def test_the_reason_is_encrypted_at_rest(self, outsider: User, subject: Person) -> None:
        break_glass(confirmed(outsider), subject)
        grant = BreakGlassGrant.objects.get()
        assert grant.reason == REASON
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM care_breakglassgrant")
            stored = cursor.fetchone()[0]
        assert REASON not in str(stored)

    def test_every_audit_admin_over_the_person_is_told_without_names(
        self,
        outsider: User,
        subject: Person,
        city_auditor: User,
        district_auditor: User,
        other_auditor: User,
    ) -> None:
        break_glass(confirmed(outsider), subject)
        told = Message.objects.filter(kind="audit.break_glass")
        assert {m.recipient for m in told} == {city_auditor, district_auditor}
        grant = BreakGlassGrant.objects.get()
        for message in told:
            assert message.text == str(NEUTRAL_TEXT)
            assert subject.name not in message.text + message.link
            assert REASON not in message.text + message.link
            assert message.link == f"{reverse('care:break-glass-list')}#grant-{grant.pk}"

    def test_the_grant_expires(self, outsider: User, subject: Person) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            break_glass(confirmed(outsider), subject)
        with time_machine.travel(start + timedelta(hours=3, minutes=59), tick=False):
            assert logged_in(outsider).get(record_url(subject)).status_code == 200
        with time_machine.travel(start + timedelta(hours=4), tick=False):
            assert logged_in(outsider).get(record_url(subject)).status_code == 404
            assert record.live_grant(outsider, subject.pk) is None

    def test_the_grant_does_not_extend_to_another_person(
        self, outsider: User, subject: Person, consenting: User
    ) -> None:
        client = confirmed(outsider)
        break_glass(client, subject)
        assert client.get(record_url(subject)).status_code == 200
        assert client.get(record_url(consenting.person)).status_code == 404

    def test_it_shows_what_a_keeper_in_scope_would_see_and_no_private_assessment(
        self, outsider: User, consenting: User
    ) -> None:
        private = take(consenting, "phq9", [0] * 9)
        flagged = take(consenting, "phq9", PHQ9_CRITICAL)
        client = confirmed(outsider)
        break_glass(client, consenting.person)
        page = client.get(record_url(consenting.person))
        assert [row["response"].pk for row in page.context["results"]] == [flagged.pk]
        detail = client.get(reverse("results:detail", args=[flagged.pk]))
        assert detail.status_code == 200
        read = AuditEvent.objects.filter(action="assessment.read", object_id=str(flagged.pk))
        assert read.get().actor_role == "break_glass"
        assert client.get(reverse("results:detail", args=[private.pk])).status_code == 404

    def test_the_grant_gives_no_warning_or_case_pages(
        self, outsider: User, subject: Person, raise_warning: Any
    ) -> None:
        warning = raise_warning(subject)
        client = confirmed(outsider)
        break_glass(client, subject)
        page = client.get(record_url(subject)).content.decode()
        assert "谈话中流露轻生念头" in page
        assert reverse("care:warning-detail", args=[warning.pk]) not in page
        assert client.get(reverse("care:warning-detail", args=[warning.pk])).status_code == 404

    def test_the_grant_covers_talks_and_visits_audited_as_break_glass(
        self, outsider: User, subject: Person
    ) -> None:
        client = confirmed(outsider)
        break_glass(client, subject)
        page = client.get(record_url(subject)).content.decode()
        assert "谈心谈话记录不在紧急调阅范围内" not in page
        read = AuditEvent.objects.get(action="care.record.read")
        assert "talks" in read.changes["sections"]
        talks = AuditEvent.objects.get(action="talk.person")
        assert talks.actor_role == "break_glass"

    def test_without_a_grant_talks_stay_closed_to_an_outsider(
        self, outsider: User, subject: Person
    ) -> None:
        from sunflower.care.access_talks import access_person_meetings

        with pytest.raises(Http404):
            access_person_meetings(outsider, subject.pk)

    def test_an_unknown_identifier_is_refused_and_recorded(self, outsider: User) -> None:
        response = confirmed(outsider).post(
            BREAK_GLASS_URL, {"identifier": "13900000000", "reason": REASON}
        )
        assert response.status_code == 200
        assert "未找到该干部" in response.content.decode()
        assert not BreakGlassGrant.objects.exists()
        event = AuditEvent.objects.get(action="care.break_glass")
        assert event.outcome == Outcome.DENIED

    def test_it_finds_the_person_by_mobile(self, outsider: User, subject: Person) -> None:
        response = confirmed(outsider).post(
            BREAK_GLASS_URL, {"identifier": subject.mobile, "reason": REASON}
        )
        assert response["Location"] == record_url(subject)
        assert BreakGlassGrant.objects.get().person == subject

    def test_a_person_in_scope_needs_no_grant(
        self, keeper: User, subject: Person, city_auditor: User
    ) -> None:
        response = break_glass(confirmed(keeper), subject)
        assert response["Location"] == record_url(subject)
        assert not BreakGlassGrant.objects.exists()
        assert not Message.objects.filter(kind="audit.break_glass").exists()

    @pytest.mark.parametrize(
        "role",
        [
            Role.PROGRAMME_ADMIN,
            Role.LIAISON,
            Role.COUNSELLOR,
            Role.TALK_OFFICER,
            Role.LEADER,
            Role.AUDIT_ADMIN,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
        ],
    )
    def test_no_other_role_can_break_glass(self, role: str, city: City, subject: Person) -> None:
        user = make_user(f"user-{role}", (role, city.district_b))
        client = confirmed(user)
        assert client.get(BREAK_GLASS_URL).status_code == 403
        assert break_glass(client, subject).status_code == 403
        with pytest.raises(record.BreakGlassError):
            record.do_break_glass(user, subject.id_number or "", REASON)
        assert not BreakGlassGrant.objects.exists()
        assert client.get(record_url(subject)).status_code in (403, 404)

    def test_a_cadre_cannot_break_glass(self, consenting: User, subject: Person) -> None:
        client = logged_in(consenting)
        assert client.get(BREAK_GLASS_URL).status_code == 403
        assert break_glass(client, subject).status_code == 403


class GrantListTestCase:
    def test_an_audit_admin_reads_the_reasons_and_the_reading_is_audited(
        self, outsider: User, subject: Person, city_auditor: User
    ) -> None:
        break_glass(confirmed(outsider), subject)
        response = logged_in(city_auditor).get(reverse("care:break-glass-list"))
        assert response.status_code == 200
        page = response.content.decode()
        assert REASON in page
        assert outsider.username in page
        grant = BreakGlassGrant.objects.get()
        assert f'id="grant-{grant.pk}"' in page
        event = AuditEvent.objects.get(action="care.break_glass.list")
        assert (event.actor_role, event.changes["grants"]) == ("audit_admin", [str(grant.pk)])

    def test_an_audit_admin_of_another_district_sees_nothing(
        self, outsider: User, subject: Person, other_auditor: User
    ) -> None:
        break_glass(confirmed(outsider), subject)
        response = logged_in(other_auditor).get(reverse("care:break-glass-list"))
        assert response.context["rows"] == []
        assert REASON not in response.content.decode()

    def test_a_record_keeper_sees_only_their_own(
        self, outsider: User, keeper: User, subject: Person, city: City
    ) -> None:
        break_glass(confirmed(outsider), subject)
        assert logged_in(keeper).get(reverse("care:break-glass-list")).context["rows"] == []
        own = logged_in(outsider).get(reverse("care:break-glass-list"))
        assert [row.grant.person for row in own.context["rows"]] == [subject]
        assert record_url(subject) in own.content.decode()

    def test_responses_stay_unreadable_to_the_grant_holder_after_expiry(
        self, outsider: User, consenting: User
    ) -> None:
        flagged = take(consenting, "phq9", PHQ9_CRITICAL)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            break_glass(confirmed(outsider), consenting.person)
        with time_machine.travel(start + timedelta(hours=5), tick=False):
            client = logged_in(outsider)
            assert client.get(reverse("results:detail", args=[flagged.pk])).status_code == 404
        assert isinstance(flagged, Response)
