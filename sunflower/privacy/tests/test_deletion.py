"""The right to deletion: a cadre asks, a record keeper in scope approves in sudo mode with
the name typed in, and the person's data key is shredded — audited, chain intact."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import pytest
from django.test import Client
from django.urls import reverse

from conftest import City, confirmed, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.audit import chain
from sunflower.audit.models import AuditEvent
from sunflower.keystore import keyring
from sunflower.keystore.models import DataKey
from sunflower.keystore.tests.sensitive.models import SensitiveNote
from sunflower.orgs.models import Person
from sunflower.privacy import actions
from sunflower.privacy.consent import has_consent
from sunflower.privacy.models import (
    DELETION_TRANSITIONS,
    ConsentEnd,
    ConsentNotice,
    DeletionRequest,
    DeletionStatus,
)


def ask(cadre: User, reason: str = "调离后不再需要") -> DeletionRequest:
    return actions.do_request_deletion(cadre, reason)


def decide_url(deletion: DeletionRequest) -> str:
    return reverse("privacy:deletion-decide", args=[deletion.pk])


def approve(client: Client, deletion: DeletionRequest, name: str = "王小明") -> object:
    detail = reverse("privacy:deletion-detail", args=[deletion.pk])
    return client.post(
        decide_url(deletion), {"decision": "approve", "confirm_name": name, "next": detail}
    )


class RequestDeletionTestCase:
    def test_a_cadre_asks_through_the_page(self, cadre: User) -> None:
        client = logged_in(cadre)
        body = client.get(reverse("privacy:request-deletion")).content.decode()
        assert "永久无法读取" in body
        response = client.post(
            reverse("privacy:request-deletion"), {"reason": "调离", "understood": "on"}
        )
        assert response.status_code == 302
        deletion = DeletionRequest.objects.get()
        assert (deletion.person, deletion.reason, deletion.status) == (
            cadre.person,
            "调离",
            DeletionStatus.REQUESTED,
        )
        event = AuditEvent.objects.get(action="privacy.deletion.request")
        assert event.changes == {"reason_given": True}  # never the reason itself

    def test_it_needs_the_consequence_acknowledged(self, cadre: User) -> None:
        response = logged_in(cadre).post(reverse("privacy:request-deletion"), {"reason": "x"})
        assert response.status_code == 200
        assert "请先勾选" in response.content.decode()
        assert not DeletionRequest.objects.exists()

    def test_one_open_request_at_a_time(self, cadre: User) -> None:
        ask(cadre)
        with pytest.raises(actions.PrivacyError, match="正在处理中"):
            ask(cadre)

    def test_the_reason_is_encrypted_at_rest(self, cadre: User) -> None:
        from django.db import connection

        deletion = ask(cadre, "私人原因")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reason FROM privacy_deletionrequest WHERE id = %s", [deletion.pk.hex]
            )
            stored = cursor.fetchone()[0]
        assert stored.startswith("sf1.") and "私人原因" not in stored

    def test_the_cadre_sees_only_their_own_requests(
        self, cadre: User, make_person: Callable[..., Person]
    ) -> None:
        other = make_user("other", person=make_person(name="赵其他"))
        ask(other, "别人的理由")
        ask(cadre, "我的理由")
        body = logged_in(cadre).get(reverse("privacy:overview")).content.decode()
        assert "我的理由" in body
        assert "别人的理由" not in body and "赵其他" not in body


class DeletionListTestCase:
    def test_it_lists_requests_in_scope_pending_first(
        self,
        cadre: User,
        keeper: User,
        make_person: Callable[..., Person],
        city: City,
    ) -> None:
        decided = make_user("decided", person=make_person(name="钱已办"))
        actions.do_decide_deletion(keeper, ask(decided), approve=False, note="需保留")
        ask(cadre)
        elsewhere = make_user("elsewhere", person=make_person(name="孙外区", unit=city.district_b))
        ask(elsewhere)

        body = logged_in(keeper).get(reverse("privacy:deletion-requests")).content.decode()

        assert body.index("王小明") < body.index("钱已办")
        assert "孙外区" not in body
        assert "1 项待审核" in body

    def test_the_console_navigation_has_the_entry_for_record_keepers_only(
        self, keeper: User, alice: User
    ) -> None:
        url = reverse("privacy:deletion-requests")
        assert url in logged_in(keeper).get(reverse("web:console")).content.decode()
        assert url not in logged_in(alice).get(reverse("web:console")).content.decode()

    @pytest.mark.parametrize(
        "role", [Role.LIAISON, Role.PROGRAMME_ADMIN, Role.COUNSELLOR, Role.LEADER, Role.AUDIT_ADMIN]
    )
    def test_other_roles_cannot_open_the_pages(self, role: str, cadre: User, city: City) -> None:
        deletion = ask(cadre)
        client = logged_in(make_user(f"u-{role}", (role, city.city)))
        assert client.get(reverse("privacy:deletion-requests")).status_code == 403
        detail = reverse("privacy:deletion-detail", args=[deletion.pk])
        assert client.get(detail).status_code == 403
        assert client.post(decide_url(deletion), {"decision": "approve"}).status_code == 403

    def test_a_cadre_cannot_open_the_pages(self, cadre: User) -> None:
        deletion = ask(cadre)
        client = logged_in(cadre)
        assert client.get(reverse("privacy:deletion-requests")).status_code == 403
        detail = reverse("privacy:deletion-detail", args=[deletion.pk])
        assert client.get(detail).status_code == 403


class DecideDeletionTestCase:
    def test_approval_shreds_the_persons_key_and_is_audited(
        self, cadre: User, keeper: User, notice: ConsentNotice, make_person: Callable[..., Person]
    ) -> None:
        actions.do_give_consent(cadre, notice)
        mine = SensitiveNote.objects.create(person=cadre.person, body="本人的谈话")
        kept_person = make_person()
        kept = SensitiveNote.objects.create(person=kept_person, body="别人的谈话")
        deletion = ask(cadre)

        response = approve(confirmed(keeper), deletion)

        assert response.status_code == 302
        deletion.refresh_from_db()
        assert deletion.status == DeletionStatus.DONE
        assert (deletion.decided_by, deletion.completed_at is not None) == (keeper, True)
        row = DataKey.objects.get(subject=keyring.person_subject(cadre.person.pk))
        assert bytes(row.wrapped) == b""
        assert row.shredded_at is not None
        keyring.forget_cached_keys()
        assert SensitiveNote.objects.get(pk=mine.pk).body is None
        assert SensitiveNote.objects.get(pk=kept.pk).body == "别人的谈话"
        person = Person.objects.get(pk=cadre.person.pk)
        assert person.id_number is not None  # roster (T1) stays
        consent = cadre.person.consents.get()
        assert consent.end_reason == ConsentEnd.ERASED
        assert not has_consent(cadre.person)

        shred = AuditEvent.objects.get(action="privacy.shred")
        assert (shred.actor, shred.actor_role, shred.object_id) == (
            keeper,
            Role.RECORD_KEEPER,
            str(cadre.person.pk),
        )
        assert shred.changes["deletion_request"] == str(deletion.pk)
        assert shred.changes["key_id"] == row.key_id
        assert AuditEvent.objects.filter(action="privacy.deletion.approve").count() == 1
        assert AuditEvent.objects.filter(action="keys.shred").count() == 1
        chain.seal_all()
        verdict = chain.verify()
        assert verdict.ok, str(verdict)

    def test_approval_needs_re_authentication(self, cadre: User, keeper: User) -> None:
        deletion = ask(cadre)
        response = approve(logged_in(keeper), deletion)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sudo"))
        deletion.refresh_from_db()
        assert deletion.status == DeletionStatus.REQUESTED
        assert not DataKey.objects.filter(shredded_at__isnull=False).exists()

    def test_approval_needs_the_name_typed_in(self, cadre: User, keeper: User) -> None:
        deletion = ask(cadre)
        response = approve(confirmed(keeper), deletion, name="王小")
        assert response.status_code == 200
        assert "姓名与申请人不一致" in response.content.decode()
        deletion.refresh_from_db()
        assert deletion.status == DeletionStatus.REQUESTED
        assert not DataKey.objects.filter(shredded_at__isnull=False).exists()

    def test_rejection_needs_a_reason_the_cadre_then_sees(self, cadre: User, keeper: User) -> None:
        deletion = ask(cadre)
        client = confirmed(keeper)
        response = client.post(decide_url(deletion), {"decision": "reject", "note": ""})
        assert "请填写不同意删除的理由" in response.content.decode()
        client.post(decide_url(deletion), {"decision": "reject", "note": "案件尚在随访期内"})
        deletion.refresh_from_db()
        assert (deletion.status, deletion.decision_note) == (
            DeletionStatus.REJECTED,
            "案件尚在随访期内",
        )
        assert AuditEvent.objects.get(action="privacy.deletion.reject").actor == keeper
        assert not DataKey.objects.filter(shredded_at__isnull=False).exists()
        overview = logged_in(cadre).get(reverse("privacy:overview")).content.decode()
        assert "案件尚在随访期内" in overview and "未批准" in overview

    def test_a_record_keeper_out_of_scope_gets_not_found(
        self, cadre: User, far_keeper: User
    ) -> None:
        deletion = ask(cadre)
        client = confirmed(far_keeper)
        assert client.get(reverse("privacy:deletion-detail", args=[deletion.pk])).status_code == 404
        assert approve(client, deletion).status_code == 404
        with pytest.raises(actions.PrivacyError, match="管理范围"):
            actions.do_decide_deletion(far_keeper, deletion, approve=True)
        deletion.refresh_from_db()
        assert deletion.status == DeletionStatus.REQUESTED

    def test_a_record_keeper_cannot_decide_their_own_request(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        both = make_user("both", (Role.RECORD_KEEPER, city.city), person=make_person(name="周自己"))
        deletion = ask(both)
        with pytest.raises(actions.PrivacyError, match="不能审核本人"):
            actions.do_decide_deletion(both, deletion, approve=True)
        body = logged_in(both).get(reverse("privacy:deletion-detail", args=[deletion.pk]))
        assert "请由其他档案管理员审核" in body.content.decode()

    def test_a_decided_request_cannot_be_decided_again(self, cadre: User, keeper: User) -> None:
        deletion = ask(cadre)
        actions.do_decide_deletion(keeper, deletion, approve=False, note="不符合条件")
        with pytest.raises(actions.PrivacyError, match="已经处理"):
            actions.do_decide_deletion(keeper, deletion, approve=True)

    def test_after_deletion_a_new_request_is_refused(self, cadre: User, keeper: User) -> None:
        actions.do_decide_deletion(keeper, ask(cadre), approve=True)
        with pytest.raises(actions.PrivacyError, match="已经删除"):
            ask(cadre)


class DeletionTransitionTestCase:
    @pytest.mark.parametrize(("start", "end"), list(product(DeletionStatus, DeletionStatus)))
    def test_only_the_listed_moves_are_allowed(self, start: str, end: str) -> None:
        deletion = DeletionRequest(status=start)
        allowed = {
            (DeletionStatus.REQUESTED, DeletionStatus.APPROVED),
            (DeletionStatus.REQUESTED, DeletionStatus.REJECTED),
            (DeletionStatus.APPROVED, DeletionStatus.DONE),
        }
        assert deletion.can_move_to(end) == ((start, end) in allowed)
        assert set(DELETION_TRANSITIONS) == set(DeletionStatus)
