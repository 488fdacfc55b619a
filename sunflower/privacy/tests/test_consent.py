"""Separate consent to a versioned notice: giving, withdrawing, versions, and the guard."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from conftest import City, make_user
from sunflower.accounts.models import Role, User
from sunflower.audit.models import AuditEvent
from sunflower.keystore.actions import shred_person_key
from sunflower.privacy import actions
from sunflower.privacy.consent import ConsentRequired, current_notice, has_consent, require_consent
from sunflower.privacy.models import Consent, ConsentEnd, ConsentNotice, NoticeImmutableError


def publish_v2() -> ConsentNotice:
    return ConsentNotice.objects.create(
        version=2, title="告知书（第二版）", body="新的处理目的。", published_at=timezone.now()
    )


class GiveConsentTestCase:
    def test_it_records_the_consent_with_the_notice_version_and_address(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
        consent = actions.do_give_consent(cadre, notice, request)
        assert (consent.person, consent.notice, consent.source_ip) == (
            cadre.person,
            notice,
            "10.1.2.3",
        )
        assert consent.is_active
        event = AuditEvent.objects.get(action="privacy.consent.give")
        assert (event.actor, event.object_id, event.source_ip) == (
            cadre,
            str(consent.pk),
            "10.1.2.3",
        )
        assert event.changes == {"notice_version": 1, "superseded": False}

    def test_it_makes_has_consent_true(self, cadre: User, notice: ConsentNotice) -> None:
        assert not has_consent(cadre.person)
        actions.do_give_consent(cadre, notice)
        assert has_consent(cadre.person)
        require_consent(cadre.person)  # does not raise

    def test_giving_it_twice_keeps_one_consent(self, cadre: User, notice: ConsentNotice) -> None:
        first = actions.do_give_consent(cadre, notice)
        assert actions.do_give_consent(cadre, notice) == first
        assert Consent.objects.count() == 1
        assert AuditEvent.objects.filter(action="privacy.consent.give").count() == 1

    def test_it_refuses_someone_without_a_roster_person(
        self, alice: User, notice: ConsentNotice
    ) -> None:
        with pytest.raises(actions.PrivacyError, match="干部本人"):
            actions.do_give_consent(alice, notice)

    def test_the_database_allows_one_active_consent_per_person(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        actions.do_give_consent(cadre, notice)
        with pytest.raises(IntegrityError), transaction.atomic():
            Consent.objects.create(person=cadre.person, notice=notice, given_at=timezone.now())

    def test_the_database_wants_a_reason_when_a_consent_ends(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        consent = actions.do_give_consent(cadre, notice)
        consent.withdrawn_at = timezone.now()
        with pytest.raises(IntegrityError), transaction.atomic():
            consent.save(update_fields=["withdrawn_at"])

    def test_it_refuses_after_the_persons_data_was_erased(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        shred_person_key(cadre.person.pk)
        with pytest.raises(actions.PrivacyError, match="已按您的申请删除"):
            actions.do_give_consent(cadre, notice)
        assert not Consent.objects.exists()


class WithdrawConsentTestCase:
    def test_it_stops_further_processing(self, cadre: User, notice: ConsentNotice) -> None:
        actions.do_give_consent(cadre, notice)
        consent = actions.do_withdraw_consent(cadre)
        assert consent.withdrawn_at is not None
        assert consent.end_reason == ConsentEnd.WITHDRAWN
        assert not has_consent(cadre.person)
        with pytest.raises(ConsentRequired):
            require_consent(cadre.person)

    def test_it_is_audited(self, cadre: User, notice: ConsentNotice) -> None:
        consent = actions.do_give_consent(cadre, notice)
        actions.do_withdraw_consent(cadre)
        event = AuditEvent.objects.get(action="privacy.consent.withdraw")
        assert (event.actor, event.object_id, event.actor_role) == (
            cadre,
            str(consent.pk),
            Role.CADRE,
        )
        assert event.changes == {"notice_version": 1}

    def test_it_refuses_without_an_active_consent(self, cadre: User, notice: ConsentNotice) -> None:
        with pytest.raises(actions.PrivacyError, match="没有有效的同意"):
            actions.do_withdraw_consent(cadre)

    def test_consent_can_be_given_again_and_history_is_kept(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        actions.do_give_consent(cadre, notice)
        actions.do_withdraw_consent(cadre)
        actions.do_give_consent(cadre, notice)
        assert has_consent(cadre.person)
        assert Consent.objects.filter(person=cadre.person).count() == 2


class NoticeVersionTestCase:
    def test_the_latest_published_version_is_in_force(self, notice: ConsentNotice) -> None:
        ConsentNotice.objects.create(version=3, title="草稿", body="未发布")
        assert current_notice() == notice
        v2 = publish_v2()
        assert current_notice() == v2

    def test_a_new_version_needs_consent_again(self, cadre: User, notice: ConsentNotice) -> None:
        actions.do_give_consent(cadre, notice)
        v2 = publish_v2()
        assert not has_consent(cadre.person)
        with pytest.raises(actions.PrivacyError, match="告知书已更新"):
            actions.do_give_consent(cadre, notice)
        actions.do_give_consent(cadre, v2)
        assert has_consent(cadre.person)
        old = Consent.objects.get(person=cadre.person, notice=notice)
        assert old.end_reason == ConsentEnd.SUPERSEDED
        event = AuditEvent.objects.filter(action="privacy.consent.give").latest("id")
        assert event.changes == {"notice_version": 2, "superseded": True}

    def test_a_published_notice_cannot_change(self, notice: ConsentNotice) -> None:
        notice.body = "改过的正文"
        with pytest.raises(NoticeImmutableError):
            notice.save()
        with pytest.raises(NoticeImmutableError):
            notice.delete()

    def test_a_draft_can_change_until_it_is_published(self, db: None) -> None:
        draft = ConsentNotice.objects.create(version=9, title="草稿", body="一")
        draft.body = "二"
        draft.published_at = timezone.now()
        draft.save()
        draft.body = "三"
        with pytest.raises(NoticeImmutableError):
            draft.save()

    def test_the_seeded_notice_tells_the_cadre_what_they_need_to_know(
        self, notice: ConsentNotice
    ) -> None:
        assert notice.title == "心理健康服务个人信息处理告知书"
        for words in (
            "测评",
            "谈心谈话",
            "咨询",
            "档案管理员",
            "领导个人",
            "加密",
            "三年",
            "撤回",
            "下载",
            "删除",
            "12356",
        ):
            assert words in notice.body, words


class RequireConsentTestCase:
    def test_it_is_a_permission_error_with_a_clear_message(self, cadre: User) -> None:
        with pytest.raises(PermissionDenied, match="单独同意"):
            require_consent(cadre.person)

    def test_nobody_has_consent_without_a_person(self, db: None) -> None:
        assert not has_consent(None)

    def test_consent_of_one_person_does_not_cover_another(
        self, cadre: User, notice: ConsentNotice, make_person: object, city: City
    ) -> None:
        actions.do_give_consent(cadre, notice)
        other = make_user("other", person=make_person())  # type: ignore[operator]
        assert not has_consent(other.person)
