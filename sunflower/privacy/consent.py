"""Whether a person's sensitive (T2) data may be processed: the check every T2 feature makes.

Before an assessment stores answers, a talk record is written, a booking carries notes — any
new processing of T2 data — the feature calls `require_consent(person)`. It raises
`ConsentRequired` unless the person has an active separate consent to the current notice
(PIPL Art. 29). Withdrawal takes effect at once: the next call raises.

`ConsentRequired` is a PermissionDenied, so a view that does not catch it answers 403 rather
than failing; pages catch it and send the cadre to `privacy:consent`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

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


def has_consent(person: Person | None) -> bool:
    """True when the person's active consent is to the notice now in force.

    A consent to an earlier version no longer counts once a new version is published: the
    new notice may describe new purposes, so the person consents again (PIPL Art. 14).
    """
    consent = active_consent(person)
    if consent is None:
        return False
    notice = current_notice()
    return notice is not None and consent.notice_id == notice.pk


def require_consent(person: Person | None) -> None:
    """Raise ConsentRequired unless `has_consent(person)`; call before any T2 processing."""
    if not has_consent(person):
        raise ConsentRequired(person.pk if person is not None else None)
