"""Whether a person's sensitive (T2) data may be processed: the check every T2 feature makes.

Before an assessment stores answers, a talk record is written, a booking carries notes — any
new processing of T2 data — the feature calls `require_consent(person)`. It raises
`ConsentRequired` unless the person has an active separate consent to the current notice
(PIPL Art. 29). Withdrawal takes effect at once: the next call raises.

`ConsentRequired` is a PermissionDenied, so a view that does not catch it answers 403 rather
than failing; pages catch it and send the cadre to `privacy:consent`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.lib.compiled import CompiledQuery
from sunflower.orgs.models import Person
from sunflower.privacy.models import Consent, ConsentNotice


class ConsentRequired(PermissionDenied):
    """The person has not consented (or has withdrawn): no T2 processing may happen."""

    def __init__(self, person_id: object = None) -> None:
        self.person_id = person_id
        super().__init__(
            _(
                "处理心理健康信息需要您本人的单独同意。请先在“我的—个人信息与授权”中阅读"
                "告知书并作出同意；您也可以随时撤回。"
            )
        )


def current_notice() -> ConsentNotice | None:
    """The notice in force: the highest published version whose publication time has come."""
    return (
        ConsentNotice.objects.filter(published_at__lte=timezone.now()).order_by("-version").first()
    )


def active_consent(person: Person | None) -> Consent | None:
    if person is None:
        return None
    return (
        Consent.objects.filter(person=person, withdrawn_at__isnull=True)
        .select_related("notice")
        .first()
    )


def _notice_in_force(now: Any = None) -> Subquery:
    return Subquery(
        ConsentNotice.objects.filter(published_at__lte=now or timezone.now())
        .order_by("-version")
        .values("pk")[:1]
    )


def consent_in_force(person: Any, now: Any = None) -> Exists:
    """Whether *person* (a Person, a pk or an OuterRef) has an active consent to the notice in
    force, as one EXISTS (a person has at most one active consent, privacy.models.Consent)."""
    return Exists(
        Consent.objects.filter(
            person=person, withdrawn_at__isnull=True, notice=_notice_in_force(now)
        )
    )


# Every action loads the person this way (compiled once: lib/compiled.py); the query, and so
# the consent check, runs on every call.
_CONSENTING_PERSON: CompiledQuery[Person] = CompiledQuery(
    lambda person_id, now: Person.objects.annotate(
        consent_in_force=consent_in_force(OuterRef("pk"), now)
    ).filter(pk=person_id)[:1],
    person_id=Person._meta.get_field("id"),
    now=ConsentNotice._meta.get_field("published_at"),
)


def has_consent(person: Person | None) -> bool:
    """True when the person's active consent is to the notice now in force (one query).

    A consent to an earlier version no longer counts once a new version is published: the
    new notice may describe new purposes, so the person consents again (PIPL Art. 14).
    """
    if person is None:
        return False
    return Consent.objects.filter(
        person=person, withdrawn_at__isnull=True, notice=_notice_in_force()
    ).exists()


def require_consent(person: Person | None) -> None:
    """Raise ConsentRequired unless `has_consent(person)`; call before any T2 processing."""
    if not has_consent(person):
        raise ConsentRequired(person.pk if person is not None else None)


def consenting_person(person_id: Any, queryset: QuerySet[Person] | None = None) -> Person:
    """The person, loaded with their consent checked in the same query: `require_consent` for
    an action that loads the person anyway. Person.DoesNotExist when there is no such person."""
    if queryset is None:
        found = _CONSENTING_PERSON.first(person_id=person_id, now=timezone.now())
        if found is None:
            raise Person.DoesNotExist("Person matching query does not exist.")
        person = found
    else:
        person = queryset.annotate(consent_in_force=consent_in_force(OuterRef("pk"))).get(
            pk=person_id
        )
    if not getattr(person, "consent_in_force", False):
        raise ConsentRequired(person.pk)
    return person
