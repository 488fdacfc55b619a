"""Consent and the person's rights. Each change is audited in its own transaction.

- A cadre gives separate consent to the notice in force, withdraws it, asks for deletion.
- A record keeper in scope approves (crypto-shredding the person's data key) or rejects.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import people_in_scope
from sunflower.audit.events import client_ip, record
from sunflower.keystore import keyring
from sunflower.keystore.actions import shred_person_key
from sunflower.keystore.models import DataKey
from sunflower.orgs.models import Person
from sunflower.privacy.consent import current_notice
from sunflower.privacy.models import (
    Consent,
    ConsentEnd,
    ConsentNotice,
    DeletionRequest,
    DeletionStatus,
)

MAX_TEXT = 500


class PrivacyError(Exception):
    """A request the rules refuse; str() is a message for the user."""


def _own_person(actor: User) -> Person:
    if actor.person_id is None:
        raise PrivacyError(_("只有花名册中的干部本人可以办理"))
    # Locking the person row serialises one person's consent and deletion changes.
    return Person.objects.select_for_update().get(pk=actor.person_id)


def is_erased(person: Person) -> bool:
    """Whether the person's data key was shredded: no new sensitive data can be stored."""
    return DataKey.objects.filter(
        subject=keyring.person_subject(person.pk), shredded_at__isnull=False
    ).exists()


def _active(person: Person) -> Consent | None:
    return (
        Consent.objects.select_for_update().filter(person=person, withdrawn_at__isnull=True).first()
    )


def do_give_consent(
    actor: User, notice: ConsentNotice, request: HttpRequest | None = None
) -> Consent:
    """Record the actor's separate consent to *notice*, which must be the one in force."""
    try:
        with transaction.atomic():
            person = _own_person(actor)
            current = current_notice()
            if current is None or current.pk != notice.pk:
                raise PrivacyError(_("告知书已更新，请重新阅读最新版本后再作出同意"))
            if is_erased(person):
                raise PrivacyError(
                    _(
                        "您的心理健康信息已按您的申请删除，系统不能再为您保存新的心理健康信息。"
                        "如有需要，请联系档案管理员。"
                    )
                )
            active = _active(person)
            if active is not None and active.notice_id == notice.pk:
                return active
            now = timezone.now()
            if active is not None:
                active.withdrawn_at = now
                active.end_reason = ConsentEnd.SUPERSEDED
                active.save(update_fields=["withdrawn_at", "end_reason"])
            consent = Consent.objects.create(
                person=person, notice=notice, given_at=now, source_ip=client_ip(request)
            )
            record(
                "privacy.consent.give",
                actor=actor,
                actor_role=Role.CADRE,
                target=consent,
                request=request,
                scope_unit_id=person.unit_id,
                changes={"notice_version": notice.version, "superseded": active is not None},
            )
            return consent
    except IntegrityError:
        raise PrivacyError(_("您的授权刚刚发生了变化，请刷新页面后重试")) from None


@transaction.atomic
def do_withdraw_consent(actor: User, request: HttpRequest | None = None) -> Consent:
    """End the actor's active consent: no new processing of their sensitive data from now."""
    person = _own_person(actor)
    consent = _active(person)
    if consent is None:
        raise PrivacyError(_("您目前没有有效的同意，无需撤回"))
    consent.withdrawn_at = timezone.now()
    consent.end_reason = ConsentEnd.WITHDRAWN
    consent.save(update_fields=["withdrawn_at", "end_reason"])
    record(
        "privacy.consent.withdraw",
        actor=actor,
        actor_role=Role.CADRE,
        target=consent,
        request=request,
        scope_unit_id=person.unit_id,
        changes={"notice_version": consent.notice.version},
    )
    return consent


def do_request_deletion(
    actor: User, reason: str = "", request: HttpRequest | None = None
) -> DeletionRequest:
    """File the actor's request to delete their sensitive data; one open request at a time."""
    reason = reason.strip()
    if len(reason) > MAX_TEXT:
        raise PrivacyError(_("理由不能超过500字"))
    try:
        with transaction.atomic():
            person = _own_person(actor)
            if is_erased(person):
                raise PrivacyError(_("您的心理健康信息已经删除"))
            if DeletionRequest.objects.filter(
                person=person, status__in=[DeletionStatus.REQUESTED, DeletionStatus.APPROVED]
            ).exists():
                raise PrivacyError(_("您已有一项删除申请正在处理中"))
            deletion = DeletionRequest.objects.create(
                person=person, requested_at=timezone.now(), reason=reason
            )
            record(
                "privacy.deletion.request",
                actor=actor,
                actor_role=Role.CADRE,
                target=deletion,
                request=request,
                scope_unit_id=person.unit_id,
                # Whether a reason was given, never the reason itself.
                changes={"reason_given": bool(reason)},
            )
            return deletion
    except IntegrityError:
        raise PrivacyError(_("您已有一项删除申请正在处理中")) from None


def check_decide_deletion(actor: User, deletion: DeletionRequest) -> None:
    if not actor.has_role(Role.RECORD_KEEPER):
        raise PrivacyError(_("只有档案管理员可以审核删除申请"))
    if not people_in_scope(actor, [Role.RECORD_KEEPER]).filter(pk=deletion.person_id).exists():
        raise PrivacyError(_("该申请不在您的管理范围内"))
    if actor.person_id is not None and actor.person_id == deletion.person_id:
        raise PrivacyError(_("不能审核本人的删除申请，请由其他档案管理员审核"))


def _move(deletion: DeletionRequest, status: str) -> None:
    if not deletion.can_move_to(status):
        raise PrivacyError(_("该申请已经处理，不能再次审核"))
    deletion.status = status


@transaction.atomic
def do_decide_deletion(
    actor: User,
    deletion: DeletionRequest,
    *,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> DeletionRequest:
    """Approve (and carry out) or reject a deletion request.

    Approval destroys the person's data key (crypto-shredding): every sensitive value of the
    person becomes unreadable at once, in the database and in every later read, and no new
    sensitive data can be stored for them. Their consent ends with it. Roster fields stay,
    kept for cadre management on its own legal basis.
    """
    check_decide_deletion(actor, deletion)
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise PrivacyError(_("审核意见不能超过500字"))
    deletion = (
        DeletionRequest.objects.select_for_update().select_related("person").get(pk=deletion.pk)
    )
    person = deletion.person
    now = timezone.now()
    common: dict[str, Any] = {
        "actor": actor,
        "actor_role": Role.RECORD_KEEPER,
        "request": request,
        "scope_unit_id": person.unit_id,
    }
    if not approve:
        if not note:
            raise PrivacyError(_("请填写不同意删除的理由，申请人将看到这条意见"))
        _move(deletion, DeletionStatus.REJECTED)
        deletion.decided_by, deletion.decided_at, deletion.decision_note = actor, now, note
        deletion.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record("privacy.deletion.reject", target=deletion, **common)
        return deletion

    _move(deletion, DeletionStatus.APPROVED)
    deletion.decided_by, deletion.decided_at, deletion.decision_note = actor, now, note
    record("privacy.deletion.approve", target=deletion, **common)

    key = shred_person_key(
        person.pk, actor=actor, reason=f"privacy deletion request {deletion.pk}", request=request
    )
    consent = _active(person)
    if consent is not None:
        consent.withdrawn_at = now
        consent.end_reason = ConsentEnd.ERASED
        consent.save(update_fields=["withdrawn_at", "end_reason"])
    record(
        "privacy.shred",
        target=person,
        changes={
            "deletion_request": str(deletion.pk),
            "key_id": key.key_id,
            "consent_ended": consent is not None,
        },
        **common,
    )
    _move(deletion, DeletionStatus.DONE)
    deletion.completed_at = timezone.now()
    deletion.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "completed_at"]
    )
    return deletion
