"""QR check-in: a code on the projector that changes every 30 seconds and proves presence.

The code is a link to the check-in page carrying a signed token (django.core.signing, with a
salt of its own): the session id, the index of the 30-second window it was made in and a
random nonce. The signature stops forgery; the session id inside it stops a code being used
for another session; the window stops a photo of the code being used later — a token is
accepted in its own window and the next one only (30–60 seconds), so a cadre who scans just
before the code changes still gets in. Whoever opens a valid link while logged in is checked
in once (a unique constraint); a second scan says when the first one was.

Who may check in: a cadre of the session's target units (walk-ins welcome, with or without
an enrolment), or any cadre enrolled in the session (e.g. enrolled by a liaison from outside
the target units). Anyone else is refused.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.audit.events import record
from sunflower.orgs.models import Person
from sunflower.training.actions import is_eligible
from sunflower.training.models import (
    Attendance,
    AttendanceSource,
    Enrolment,
    EnrolmentStatus,
    Session,
)

SALT = "sunflower.training.checkin"
WINDOW_SECONDS = 30
OPENS_BEFORE = timedelta(minutes=30)  # the code shows, and works, from 30 min before start


class CheckinRefusedError(Exception):
    """str() is the Chinese message shown to the cadre."""


def window_index(now: datetime | None = None) -> int:
    return int((now or timezone.now()).timestamp()) // WINDOW_SECONDS


def seconds_left(now: datetime | None = None) -> int:
    return WINDOW_SECONDS - int((now or timezone.now()).timestamp()) % WINDOW_SECONDS


def make_token(session: Session, now: datetime | None = None) -> str:
    payload = {"s": session.pk, "w": window_index(now), "n": secrets.token_urlsafe(6)}
    return signing.dumps(payload, salt=SALT, compress=False)


def checkin_path(token: str) -> str:
    return reverse("training-portal:checkin", args=[token])


def qr_svg(url: str, label: str) -> str:
    """*url* as an inline SVG QR code, drawn locally as the MFA enrolment page does."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    attributes = f'class="qr-code" role="img" aria-label="{escape(label)}" width="360" height="360"'
    return re.sub(r'width="[^"]*" height="[^"]*"', attributes, svg, count=1)


def session_state_refusal(session: Session, now: datetime) -> str | None:
    """Why no one can check in to *session* now, or None."""
    if session.cancelled_at is not None:
        return _("这一场培训已经取消，不能签到。")
    if now >= session.ends_at:
        return _("这一场培训已经结束，签到已关闭。")
    if now < session.starts_at - OPENS_BEFORE:
        return _("培训还没有开始，开始前 30 分钟开放签到。")
    return None


def read_token(token: str, now: datetime | None = None) -> int:
    """The session id in a valid, current token; CheckinRefusedError otherwise."""
    now = now or timezone.now()
    try:
        payload = signing.loads(token, salt=SALT)
        session_id, window = int(payload["s"]), int(payload["w"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CheckinRefusedError(_("签到二维码无效，请扫描培训现场大屏上的二维码。")) from None
    if not 0 <= window_index(now) - window <= 1:
        raise CheckinRefusedError(_("签到二维码已过期，请重新扫描大屏上的最新二维码。"))
    return session_id


@dataclass(frozen=True)
class CheckinResult:
    attendance: Attendance
    created: bool


def late_after(session: Session) -> datetime:
    return session.starts_at + timedelta(minutes=settings.SUNFLOWER_TRAINING_LATE_MINUTES)


def may_attend(session: Session, person: Person) -> bool:
    enrolled = Enrolment.objects.filter(
        session=session, person=person, status=EnrolmentStatus.ENROLLED
    ).exists()
    return enrolled or is_eligible(session, person)


def do_check_in(
    user: User, token: str, request: HttpRequest | None = None, now: datetime | None = None
) -> CheckinResult:
    now = now or timezone.now()
    session_id = read_token(token, now)
    person = user.person
    if person is None:
        raise CheckinRefusedError(_("只有干部本人可以扫码签到。"))
    with transaction.atomic():
        # The session row is locked, as the roll and the import lock it, so that a scan and a
        # roll or import for the same cadre are applied one after the other, never both.
        session = (
            Session.objects.select_for_update().select_related("course").filter(pk=session_id)
        ).first()
        if session is None:
            raise CheckinRefusedError(_("签到二维码无效，请扫描培训现场大屏上的二维码。"))
        if refusal := session_state_refusal(session, now):
            raise CheckinRefusedError(refusal)
        existing = Attendance.objects.filter(session=session, person=person).first()
        if existing is not None:
            return CheckinResult(existing, created=False)
        if not may_attend(session, person):
            raise CheckinRefusedError(_("这一场培训不面向您所在的单位，您也没有报名，不能签到。"))
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    session=session,
                    person=person,
                    checked_in_at=now,
                    source=AttendanceSource.QR,
                    late=now > late_after(session),
                    recorded_by=user,
                )
                record(
                    "training.checkin",
                    actor=user,
                    actor_role=Role.CADRE,
                    target=attendance,
                    request=request,
                    scope_unit_id=person.unit_id,
                    changes={"session": session.pk, "source": "qr", "late": attendance.late},
                )
        except IntegrityError:  # only where no row lock exists (SQLite): the first one counts
            return CheckinResult(Attendance.objects.get(session=session, person=person), False)
    return CheckinResult(attendance, created=True)
