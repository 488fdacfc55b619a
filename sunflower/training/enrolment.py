"""Enrolment in a session, with a waiting list that moves up by itself.

Every change locks the session row first (select_for_update), so two requests for the last
place, or two cancellations promoting from the same queue, are serialised: the count of
enrolled places read under the lock is the one that decides. The waiting list is ordered by
when each cadre joined it (`created_at`, reset when a cancelled cadre enrols again).

Transitions are an explicit table (STYLE.md): a cancelled enrolment may be taken up again.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.audit.events import record
from sunflower.notifications.api import notify
from sunflower.orgs.models import Person
from sunflower.training.actions import TrainingError, eligible_people, is_eligible
from sunflower.training.models import Enrolment, EnrolmentStatus, Session

ENROLLED, WAITING, CANCELLED = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.WAITING,
    EnrolmentStatus.CANCELLED,
)
TRANSITIONS: dict[str | None, set[str]] = {
    None: {ENROLLED, WAITING},  # a first enrolment: a place, or the queue when full
    ENROLLED: {CANCELLED},
    WAITING: {ENROLLED, CANCELLED},  # promoted, or gives up the queue
    CANCELLED: {ENROLLED, WAITING},  # enrols again
}


def allowed(before: str | None, after: str) -> bool:
    return after in TRANSITIONS.get(before, set())


def enrolled_count(session: Session) -> int:
    return session.enrolments.filter(status=ENROLLED).count()


def _check_open(session: Session) -> None:
    if session.cancelled_at is not None:
        raise TrainingError(_("这一场次已经取消。"))
    if session.starts_at <= timezone.now():
        raise TrainingError(_("这一场次已经开始或结束，不能再报名。"))
    if not session.course.published:
        raise TrainingError(_("该课程尚未发布。"))


def _audit(
    action: str,
    actor: User | None,
    enrolment: Enrolment,
    request: HttpRequest | None,
    before: str | None,
    role: str,
) -> None:
    record(
        action,
        actor=actor,
        actor_role=role,
        target=enrolment,
        request=request,
        scope_unit_id=enrolment.person.unit_id,
        changes={"session": enrolment.session_id, "from": before or "", "to": enrolment.status},
    )


def do_enrol(
    actor: User,
    session_id: int,
    person: Person,
    *,
    role: str = Role.CADRE,
    request: HttpRequest | None = None,
) -> Enrolment:
    """Enrol *person* (a place, or the waiting list when full). The caller has checked that
    the actor may act for the person: the person themself, or a liaison with them in scope."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session_id)
        _check_open(session)
        if not is_eligible(session, person):
            raise TrainingError(_("这一场次不面向该干部所在的单位。"))
        enrolment = Enrolment.objects.filter(session=session, person=person).first()
        before = enrolment.status if enrolment else None
        if before in (ENROLLED, WAITING):
            raise TrainingError(
                _("已经报名了这一场次。") if before == ENROLLED else _("已经在候补名单中。")
            )
        status = ENROLLED if enrolled_count(session) < session.capacity else WAITING
        assert allowed(before, status)  # noqa: S101 (the table above)
        if enrolment is None:
            enrolment = Enrolment.objects.create(
                session=session, person=person, status=status, enrolled_by=actor
            )
        else:
            enrolment.status = status
            enrolment.enrolled_by = actor
            enrolment.created_at = timezone.now()  # the back of the queue
            enrolment.save(update_fields=["status", "enrolled_by", "created_at", "changed_at"])
        _audit("training.enrol", actor, enrolment, request, before, role)
    return enrolment


def do_cancel(
    actor: User,
    session_id: int,
    person: Person,
    *,
    role: str = Role.CADRE,
    request: HttpRequest | None = None,
) -> Enrolment:
    """Give up a place or a place in the queue; a freed place goes to the next in the queue."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session_id)
        enrolment = Enrolment.objects.filter(session=session, person=person).first()
        if enrolment is None or not allowed(enrolment.status, CANCELLED):
            raise TrainingError(_("没有可以取消的报名。"))
        if session.starts_at <= timezone.now() and enrolment.status == ENROLLED:
            raise TrainingError(_("培训已经开始，不能再取消报名。"))
        before = enrolment.status
        enrolment.status = CANCELLED
        enrolment.save(update_fields=["status", "changed_at"])
        _audit("training.enrol_cancel", actor, enrolment, request, before, role)
        if before == ENROLLED:
            promote_waiting(session, actor=actor)
    return enrolment


def promote_waiting(session: Session, *, actor: User | None = None) -> list[Enrolment]:
    """Fill free places from the head of the waiting list, skipping cadres the session no
    longer reaches. Call with the session row locked, inside the transaction that freed the
    places; each promoted cadre is told after commit."""
    if session.cancelled_at is not None or session.starts_at <= timezone.now():
        return []
    free = session.capacity - enrolled_count(session)
    if free <= 0:
        return []
    # Only cadres the session still reaches: its target units may have changed since they
    # joined the queue. The others keep their place, in case the targets change back.
    promoted = list(
        session.enrolments.filter(status=WAITING, person__in=eligible_people(session))
        .select_related("person")
        .order_by("created_at", "pk")[:free]
    )
    for enrolment in promoted:
        enrolment.status = ENROLLED
        enrolment.save(update_fields=["status", "changed_at"])
        _audit("training.enrol_promote", actor, enrolment, None, WAITING, Role.CADRE)
    users = User.objects.filter(person__in=[e.person_id for e in promoted], is_active=True)
    if users:
        course = session.course
        notify(
            users,
            "training.promoted",
            link=reverse("training-portal:session", args=[session.pk]),
            text=_("您已从候补转为正式报名：%(course)s，%(time)s。")
            % {
                "course": course.title,
                "time": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return promoted


def notify_session_cancelled(session: Session) -> None:
    active = session.enrolments.filter(status__in=[ENROLLED, WAITING]).values("person")
    users = User.objects.filter(person__in=active, is_active=True)
    if users:
        notify(
            users,
            "training.cancelled",
            link=reverse("training-portal:session", args=[session.pk]),
            text=_("培训场次已取消：%(course)s，%(time)s。")
            % {
                "course": session.course.title,
                "time": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
