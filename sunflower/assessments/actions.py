"""Taking an assessment: start (or resume) a draft, save it page by page, submit it once.

Every action requires the person's separate consent first (a draft is T2 data too), and
writes its audit entry in the same transaction. Audit entries name the instrument and the
response, never an answer or a score.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sunflower.accounts.models import Role, User
from sunflower.assessments import campaigns, catalogue
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    CampaignStatus,
    Response,
    ResponseStatus,
)
from sunflower.assessments.warnings import propose_warning_from_result
from sunflower.audit.events import record
from sunflower.lib.compiled import CompiledQuery
from sunflower.orgs.models import Person
from sunflower.privacy.consent import consenting_person
from sunflower.scales import AnswerError, Instrument, check_answers, score
from sunflower.scales.model import DEFAULT_LANGUAGE

# Reading and answering a Chinese item takes longer than this; faster suggests the answers
# were not read. A quality flag for the record keeper, never a reason to discard (issue 4 §9).
MIN_SECONDS_PER_ITEM = 2
TOO_FAST = "too_fast"
STRAIGHT_LINE = "straight_line"
# Identical answers to every item mean little on a short form that has no reversed items
# (all "not at all" on PHQ-9 is a healthy answer), so straight-lining is flagged only where
# it contradicts itself: forms with reversed items, or long forms.
STRAIGHT_LINE_MIN_ITEMS = 20


class AssessmentError(Exception):
    """A request the rules refuse; str() is a message for the cadre."""


class MissingAnswers(AssessmentError):  # noqa: N818 (reads as what is wrong)
    def __init__(self, numbers: list[int]) -> None:
        self.numbers = numbers
        shown = "、".join(str(n) for n in numbers)
        super().__init__(
            ngettext("第 %(items)s 题还没有作答。", "第 %(items)s 题还没有作答。", len(numbers))
            % {"items": shown}
        )


def new_token() -> str:
    return secrets.token_hex(16)


def _person(actor: User) -> Person:
    """The actor's person, their consent to the notice in force checked in the same query
    (raises ConsentRequired: every action needs it before touching T2 data)."""
    if actor.person_id is None:
        raise Http404
    return consenting_person(actor.person_id)


def _offered(person: Person, instrument_id: str) -> Instrument:
    """An instrument the person may start: one of the portal's own, or one a campaign open
    now assigns them (uploaded instruments may be offered in campaigns only)."""
    found = catalogue.entry(instrument_id)
    if found is None or not (
        found.self_assessment or campaigns.open_assignment(person.pk, instrument_id) is not None
    ):
        raise Http404
    return catalogue.instrument(instrument_id)


# The reads every page POST makes, compiled once (lib/compiled.py); each runs on every call.
_RESPONSE_ID = Response._meta.get_field("id")
_PERSON_ID = Person._meta.get_field("id")
_OWN: CompiledQuery[Response] = CompiledQuery(
    lambda response_id, person_id: Response.objects.filter(pk=response_id, person=person_id)[:1],
    response_id=_RESPONSE_ID,
    person_id=_PERSON_ID,
)
_OWN_LOCKED: CompiledQuery[Response] = CompiledQuery(
    lambda response_id, person_id: Response.objects.select_for_update().filter(
        pk=response_id, person=person_id
    )[:1],
    response_id=_RESPONSE_ID,
    person_id=_PERSON_ID,
)
_OPEN_DRAFT_LOCKED: CompiledQuery[Response] = CompiledQuery(
    lambda person_id, instrument_id: (
        Response.objects.select_for_update()
        .filter(person=person_id, instrument_id=instrument_id, status=ResponseStatus.DRAFT)
        .order_by("pk")[:1]
    ),
    person_id=_PERSON_ID,
    instrument_id=Response._meta.get_field("instrument_id"),
)
_BY_TOKEN: CompiledQuery[Response] = CompiledQuery(
    lambda person_id, token: Response.objects.filter(
        person=person_id, submission_token=token
    ).order_by("pk")[:1],
    person_id=_PERSON_ID,
    token=Response._meta.get_field("submission_token"),
)


def _own_draft(person: Person, response_id: Any, *, lock: bool = False) -> Response:
    found = (_OWN_LOCKED if lock else _OWN).first(response_id=response_id, person_id=person.pk)
    if found is None:
        raise Http404
    found.person = person  # the row was matched on this person: no second read of it
    return found


def _checked(instrument: Instrument, answers: list[int | None]) -> list[int | None]:
    try:
        return check_answers(instrument, answers)
    except AnswerError as exc:
        raise AssessmentError(_("有答案不在选项范围内，请重新选择。")) from exc


def do_start(actor: User, instrument_id: str, request: HttpRequest | None = None) -> Response:
    """The actor's open draft of the instrument, or a new one on its latest version."""
    person = _person(actor)  # consent checked
    instrument = _offered(person, instrument_id)
    with transaction.atomic():
        draft = _OPEN_DRAFT_LOCKED.first(person_id=person.pk, instrument_id=instrument_id)
        assignment = campaigns.open_assignment(person.pk, instrument_id)
        campaign_id = assignment.campaign_id if assignment is not None else None
        if draft is not None:
            if draft.campaign_id != campaign_id and not _campaign_open(draft.campaign_id):
                # A draft counts for the campaign that is open now; one whose campaign has
                # closed becomes a self-assessment rather than a form that can never be sent.
                draft.campaign_id = campaign_id
                draft.save(update_fields=["campaign"])
            return draft
        now = timezone.now()
        draft = Response(
            person=person,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            started_at=now,
            saved_at=now,
            campaign_id=campaign_id,
        )
        draft.set_answers([None] * len(instrument.items))
        try:
            with transaction.atomic():
                draft.save()
        except IntegrityError:  # a second tab started the same instrument at the same moment
            return Response.objects.get(
                person=person, instrument_id=instrument_id, status=ResponseStatus.DRAFT
            )
        record(
            "assessment.start",
            actor=actor,
            actor_role=Role.CADRE,
            target=draft,
            request=request,
            scope_unit_id=person.unit_id,
            changes=_audit_changes(instrument, campaign_id),
        )
    return draft


def _audit_changes(instrument: Instrument, campaign_id: int | None) -> dict[str, Any]:
    changes: dict[str, Any] = {"instrument": instrument.ref}
    if campaign_id is not None:
        changes["campaign"] = campaign_id
    return changes


def _campaign_open(campaign_id: int | None) -> bool:
    return (
        campaign_id is not None
        and Campaign.objects.filter(
            pk=campaign_id, status=CampaignStatus.OPEN, closes_at__gt=timezone.now()
        ).exists()
    )


class CampaignClosed(AssessmentError):  # noqa: N818 (reads as what is wrong)
    def __init__(self, campaign: Campaign) -> None:
        closed = timezone.localtime(campaign.closes_at).strftime("%Y-%m-%d %H:%M")
        super().__init__(_("本次测评已于 %(time)s 截止，不能再提交。") % {"time": closed})


def _check_window(response: Response) -> None:
    """Refuse a campaign response after its campaign's deadline (the campaign closes then)."""
    if response.campaign_id is None:
        return
    campaign = Campaign.objects.get(pk=response.campaign_id)
    if campaign.status == CampaignStatus.CLOSED or campaign.is_past(timezone.now()):
        raise CampaignClosed(campaign)


def _merge(response: Response, instrument: Instrument, page: Mapping[int, int | None]) -> None:
    answers = response.answer_list() or [None] * len(instrument.items)
    for position, code in page.items():
        if not 0 <= position < len(answers):
            raise AssessmentError(_("有答案不在选项范围内，请重新选择。"))
        answers[position] = code
    response.set_answers(_checked(instrument, answers))


def do_save_draft(
    actor: User,
    response_id: Any,
    page: Mapping[int, int | None],
    request: HttpRequest | None = None,
) -> Response:
    """Merge one page of answers (0-based position → code) into the actor's draft.

    Saving into a response that was submitted meanwhile (a second tab, a retried request)
    changes nothing: a submitted response is final.
    """
    person = _person(actor)  # consent checked
    with transaction.atomic():
        response = _own_draft(person, response_id, lock=True)
        if not response.is_draft:
            return response
        instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
        _merge(response, instrument, page)
        response.saved_at = timezone.now()
        response.save(update_fields=["answers", "saved_at"])
    return response


def quality_flags(
    instrument: Instrument, answers: list[int | None], seconds: int | None
) -> list[str]:
    flags = []
    answered = [code for code in answers if code is not None]
    if seconds is not None and seconds < MIN_SECONDS_PER_ITEM * len(instrument.items):
        flags.append(TOO_FAST)
    if (
        len(answered) == len(answers)
        and len(set(answered)) == 1
        and (
            any(item.reverse for item in instrument.items)
            or len(answers) >= STRAIGHT_LINE_MIN_ITEMS
        )
    ):
        flags.append(STRAIGHT_LINE)
    return flags


def do_submit(
    actor: User,
    response_id: Any,
    token: str,
    page: Mapping[int, int | None] | None = None,
    request: HttpRequest | None = None,
) -> Response:
    """Score and store the actor's draft once; the same token again returns the same response.

    *page* holds the answers of the last page, merged first. Unanswered required items raise
    MissingAnswers (the draft keeps what was given). A critical answer or a score over a
    tier's threshold proposes a risk warning in the same transaction.

    In an anonymous campaign the answers and result move to a new row with no person (the
    one returned, for showing the result once) and the draft is emptied and kept as
    ANONYMISED, so that the same token again returns that husk, not a second response.
    """
    person = _person(actor)  # consent checked
    token = (token or "").strip()[:64]
    if not token:
        raise AssessmentError(_("提交信息不完整，请刷新页面后重试。"))
    try:
        response, missing = _submit(actor, person, response_id, token, page, request)
    except IntegrityError:
        # The same token committed by a concurrent request (the unique constraint): that one
        # recorded the response, this retry returns it.
        return Response.objects.get(person=person, submission_token=token)
    if missing:
        raise MissingAnswers(missing)
    return response


def _submit(
    actor: User,
    person: Person,
    response_id: Any,
    token: str,
    page: Mapping[int, int | None] | None,
    request: HttpRequest | None,
) -> tuple[Response, list[int]]:
    with transaction.atomic():
        done = _BY_TOKEN.first(person_id=person.pk, token=token)
        if done is not None:
            return done, []
        response = _own_draft(person, response_id, lock=True)
        if response.status != ResponseStatus.DRAFT:  # sent from another page or tab: final
            return response, []
        _check_window(response)
        instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
        if page:
            _merge(response, instrument, page)
        answers = _checked(instrument, response.answer_list())
        missing = [
            item.number
            for item, code in zip(instrument.items, answers, strict=True)
            if code is None and not item.optional
        ]
        if missing:
            # Keep the last page's answers (leave the transaction, then refuse).
            response.saved_at = timezone.now()
            response.save(update_fields=["answers", "saved_at"])
        elif _is_anonymous(response):
            return _finish_anonymously(actor, person, response, instrument, answers, token), []
        else:
            _finish(actor, person, response, instrument, answers, token, request)
    return response, missing


def _is_anonymous(response: Response) -> bool:
    return (
        response.campaign_id is not None
        and Campaign.objects.filter(pk=response.campaign_id, mode=CampaignMode.ANONYMOUS).exists()
    )


def scored_result(
    instrument: Instrument, answers: list[int | None], seconds: int
) -> dict[str, Any]:
    result = score(instrument, answers)
    data = result.to_dict(DEFAULT_LANGUAGE)
    data["flagged_items"] = {k: list(v) for k, v in result.flagged_items.items()}
    data["quality"] = quality_flags(instrument, answers, seconds)
    return data


def _finish_anonymously(
    actor: User,
    person: Person,
    draft: Response,
    instrument: Instrument,
    answers: list[int | None],
    token: str,
) -> Response:
    """Store the answers with no identity (DESIGN.md §4 rule 5) and empty the draft.

    The anonymous row keeps the instrument, the campaign, the answers and the result (with
    its quality flags, computed here from the sitting's length, which is not kept); its times
    and the emptied draft's are cut to the day, so that neither the moment the cadre's
    assignment was marked done nor the length of the sitting links the two rows. No warning
    is proposed: nobody can be told who answered. The audit entry names the campaign, not the
    row.
    """
    now = timezone.now()
    seconds = max(0, int((now - draft.started_at).total_seconds()))
    day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    anonymous = Response(
        person=None,
        instrument_id=draft.instrument_id,
        instrument_version=draft.instrument_version,
        status=ResponseStatus.SUBMITTED,
        started_at=day,
        saved_at=day,
        submitted_at=day,
        campaign_id=draft.campaign_id,
    )
    anonymous.set_answers(answers)
    anonymous.set_result(scored_result(instrument, answers, seconds))
    anonymous.save()
    draft.answers = None  # type: ignore[assignment]  # the column is nullable: emptied
    draft.result = None  # type: ignore[assignment]
    draft.status = ResponseStatus.ANONYMISED
    # The emptied draft keeps the person: its times are cut to the day as well, so that its
    # sitting cannot be matched to the anonymous row (which keeps no duration either).
    draft.started_at = draft.saved_at = draft.submitted_at = day
    draft.submission_token = token
    draft.save()
    record(
        "assessment.submit",
        actor=actor,
        actor_role=Role.CADRE,
        target=draft.campaign,
        scope_unit_id=person.unit_id,
        changes={"instrument": instrument.ref, "campaign": draft.campaign_id, "anonymous": True},
    )
    _mark_assignment_done(draft, person, None, now)
    return anonymous


def _mark_assignment_done(
    response: Response, person: Person, stored: Response | None, now: datetime
) -> None:
    if response.campaign_id is not None:
        Assignment.objects.filter(
            campaign_id=response.campaign_id,
            person=person,
            instrument_id=response.instrument_id,
            status=AssignmentStatus.PENDING,
        ).update(status=AssignmentStatus.DONE, response=stored, completed_at=now)


def _finish(
    actor: User,
    person: Person,
    response: Response,
    instrument: Instrument,
    answers: list[int | None],
    token: str,
    request: HttpRequest | None,
) -> None:
    now = timezone.now()
    seconds = max(0, int((now - response.started_at).total_seconds()))
    response.set_result(scored_result(instrument, answers, seconds))
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now
    response.saved_at = now
    response.duration_seconds = seconds
    response.submission_token = token
    response.save()
    record(
        "assessment.submit",
        actor=actor,
        actor_role=Role.CADRE,
        target=response,
        request=request,
        scope_unit_id=person.unit_id,
        changes=_audit_changes(instrument, response.campaign_id),
    )
    _mark_assignment_done(response, person, response, now)
    propose_warning_from_result(response, actor, request)


# One request: the app's submission (api/) --------------------------------------------------

# A form cannot have been opened earlier than this before it is sent (a longer gap is a clock
# error on the phone, and would hide a too-fast answer).
LONGEST_SITTING = 24 * 3600


def do_submit_answers(
    actor: User,
    instrument_id: str,
    answers: list[int | None],
    token: str,
    started_at: datetime,
    request: HttpRequest | None = None,
    *,
    campaign_id: int | None = None,
) -> tuple[Response, bool]:
    """Score and store a whole form sent at once (the app keeps the answers on the phone until
    then); the same token again returns the same response, as do_submit does for the pages.
    Returns the response and whether this call stored it.

    *started_at* is when the cadre opened the form on the phone, for the quality flags; it is
    kept within the last day. *campaign_id* names the campaign the form was opened for: a
    campaign that has closed meanwhile refuses it (CampaignClosed), as the pages refuse a late
    draft, rather than storing it as a self-assessment. Missing required answers raise
    MissingAnswers and store nothing (the app still holds them). Anonymity and warning
    proposals follow the same rules as the pages.
    """
    person = _person(actor)  # consent checked
    token = (token or "").strip()[:64]
    if not token:
        raise AssessmentError(_("提交信息不完整，请刷新页面后重试。"))
    done = _BY_TOKEN.first(person_id=person.pk, token=token)
    if done is not None:  # a retry: answered with what was stored, whatever changed since
        return _same_form(done, instrument_id, answers), False
    assignment = campaigns.open_assignment(person.pk, instrument_id)
    if campaign_id is not None and (assignment is None or assignment.campaign_id != campaign_id):
        _refuse_campaign(person, campaign_id, instrument_id)
    if campaign_id is None and assignment is not None:
        # Opened as a self-assessment, but a campaign now assigns it: the campaign's mode
        # (anonymous or not) must be what the cadre was shown before answering.
        raise CampaignChanged(assignment.campaign)
    instrument = _offered(person, instrument_id)
    if len(answers) != len(instrument.items):
        raise AssessmentError(
            _("答案数量与量表题目数量不一致（应为 %(n)d 题），请刷新后重试。")
            % {"n": len(instrument.items)}
        )
    answers = _checked(instrument, answers)
    missing = [
        item.number
        for item, code in zip(instrument.items, answers, strict=True)
        if code is None and not item.optional
    ]
    if missing:
        raise MissingAnswers(missing)
    now = timezone.now()
    started_at = min(max(started_at, now - timedelta(seconds=LONGEST_SITTING)), now)
    try:
        with transaction.atomic():
            done = _BY_TOKEN.first(person_id=person.pk, token=token)
            if done is not None:
                return _same_form(done, instrument_id, answers), False
            response = Response(
                person=person,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
                started_at=started_at,
                saved_at=now,
                campaign_id=assignment.campaign_id if assignment is not None else None,
            )
            if _is_anonymous(response):
                anonymous = _finish_anonymously(actor, person, response, instrument, answers, token)
                return anonymous, True
            response.set_answers(answers)
            _finish(actor, person, response, instrument, answers, token, request)
    except IntegrityError:
        # The same token committed by a concurrent request: that one recorded the response.
        done = Response.objects.get(person=person, submission_token=token)
        return _same_form(done, instrument_id, answers), False
    return response, True


class CampaignChanged(AssessmentError):  # noqa: N818 (reads as what is wrong)
    def __init__(self, campaign: Campaign) -> None:
        super().__init__(
            _("这份问卷现在属于测评活动“%(name)s”，请重新打开问卷，阅读说明后再作答。")
            % {"name": campaign.name}
        )


class TokenReused(AssessmentError):  # noqa: N818 (reads as what is wrong)
    def __init__(self) -> None:
        super().__init__(_("这个提交标识已用于另一份问卷，请重新打开问卷后再提交。"))


def _same_form(done: Response, instrument_id: str, answers: list[int | None]) -> Response:
    """The response stored under a token, if the retry carries the same form; a token sent
    with another form is refused rather than answered with the first one (its answers, a
    critical one included, would be lost unseen)."""
    same = done.instrument_id == instrument_id and (
        done.person_id is None or done.answers is None or done.answer_list() == list(answers)
    )
    if not same:
        raise TokenReused
    return done


def _refuse_campaign(person: Person, campaign_id: int, instrument_id: str) -> None:
    """Why a form opened for *campaign_id* cannot count for it now: closed, already done, or
    (not the person's campaign at all) not found."""
    mine = (
        Assignment.objects.filter(
            campaign_id=campaign_id, person=person, instrument_id=instrument_id
        )
        .select_related("campaign")
        .first()
    )
    if mine is None:
        raise Http404
    if mine.status == AssignmentStatus.DONE:
        raise AssessmentError(_("这项测评您已经完成，不需要再次提交。"))
    campaign = mine.campaign
    if campaign.status == CampaignStatus.CLOSED or campaign.is_past(timezone.now()):
        raise CampaignClosed(campaign)
    raise Http404  # not open yet
