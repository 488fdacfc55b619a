"""The cadre's self-assessment pages (phone first): catalogue, notice, item pages, result,
history. Views read responses only through access.py and change them only through actions.py.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.assessments import actions, campaigns, catalogue, interpret
from sunflower.assessments.access import access_own_responses, access_response
from sunflower.assessments.forms import field_name, page_answers
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.privacy.consent import ConsentRequired, has_consent


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {"tab": "assessments", **context})


def _consent_needed(request: HttpRequest, instrument_id: str) -> HttpResponse:
    messages.info(request, str(ConsentRequired()))
    return redirect("assessments:intro", instrument_id=instrument_id)


@never_cache
@role_required(Role.CADRE)
def catalogue_page(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    language = catalogue.language()
    mine = access_own_responses(actor, status=None, request=request)
    entries = []
    for entry in catalogue.self_assessment_entries():
        instrument = catalogue.instrument(entry.instrument_id)
        own = [r for r in mine if r.instrument_id == entry.instrument_id]
        submitted = [r for r in own if r.is_submitted]
        entries.append(
            {
                "entry": entry,
                "name": instrument.label(language),
                "abbreviation": instrument.abbreviation,
                "items": len(instrument.items),
                "draft": next((r for r in own if r.is_draft), None),
                "last": submitted[-1] if submitted else None,
                "count": len(submitted),
            }
        )
    assignments = [
        {
            "assignment": assignment,
            "name": catalogue.instrument(assignment.instrument_id).label(language),
            "draft": any(r.campaign_id == assignment.campaign_id and r.is_draft for r in mine),
        }
        for assignment in campaigns.open_assignments(actor.person_id)
    ]
    return _render(
        request,
        "assessments/catalogue.html",
        {"entries": entries, "assignments": assignments},
    )


def _first_open_page(response: Response) -> int:
    answers = response.answer_list()
    first = next((n for n, code in enumerate(answers) if code is None), 0)
    size = catalogue.page_size(response.instrument_id)
    return first // size + 1


@never_cache
@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def intro(request: HttpRequest, instrument_id: str) -> HttpResponse:
    """What the instrument is, what is stored and who sees it; then start or resume."""
    actor = current_user(request)
    entry = catalogue.entry(instrument_id)
    if entry is None:
        raise Http404
    if request.method == "POST":  # do_start checks what may be started
        try:
            draft = actions.do_start(actor, instrument_id, request)
        except ConsentRequired:
            return _consent_needed(request, instrument_id)
        return redirect("assessments:page", response_id=draft.pk, page=_first_open_page(draft))
    assignment = campaigns.open_assignment(actor.person_id, instrument_id)
    if not entry.self_assessment and assignment is None:
        raise Http404
    instrument = catalogue.instrument(instrument_id)
    drafts = access_own_responses(
        actor, instrument_id, status=ResponseStatus.DRAFT, request=request
    )
    language = catalogue.language()
    return _render(
        request,
        "assessments/intro.html",
        {
            "campaign": assignment.campaign if assignment is not None else None,
            "entry": entry,
            "instrument": instrument,
            "name": instrument.label(language),
            "instructions": instrument.instructions.get(language),
            "recall": instrument.recall_period.get(language),
            "items": len(instrument.items),
            "draft": drafts[0] if drafts else None,
            "consented": has_consent(actor.person),
        },
    )


def _questions(
    response: Response, positions: range, missing: set[int], language: str
) -> list[dict[str, Any]]:
    instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
    answers = response.answer_list()
    return [
        {
            "number": item.number,
            "name": field_name(item.number),
            "text": item.text.get(language) or item.text["zh-Hans"],
            "optional": item.optional,
            "chosen": answers[position],
            "missing": item.number in missing,
            "options": [
                {"code": o.code, "label": o.label.get(language) or o.label["zh-Hans"]}
                for o in item.options
            ],
        }
        for position, item in ((p, instrument.items[p]) for p in positions)
    ]


@never_cache
@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, response_id: UUID, page: int) -> HttpResponse:
    if request.method != "POST":
        return _page(request, response_id, page)
    # The read's audit entry and the save or submit that follows commit together: one
    # transaction per request instead of two. The action keeps its own savepoint, so an
    # action the rules refuse rolls back alone and the read stays audited; a 404 raised
    # after the read leaves the block normally (the read is committed) and is raised after.
    not_found: Http404 | None = None
    with transaction.atomic():
        try:
            answer = _page(request, response_id, page)
        except Http404 as exc:
            not_found = exc
    if not_found is not None:
        raise not_found
    return answer


def _page(request: HttpRequest, response_id: UUID, page: int) -> HttpResponse:
    actor = current_user(request)
    response = access_response(actor, response_id, request)
    if response.is_submitted:
        return redirect("assessments:result", response_id=response.pk)
    if response.is_anonymised:
        return _anonymised(request, response)
    instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
    items = len(instrument.items)
    pages = catalogue.page_count(response.instrument_id, items)
    if not 1 <= page <= pages:
        raise Http404
    positions = catalogue.page_positions(response.instrument_id, items, page)
    missing: set[int] = set()
    error = ""
    if request.method == "POST":
        go = request.POST.get("go", "next")
        try:
            answers = page_answers(request.POST, instrument, positions)
            if go == "submit" and page == pages:
                done = actions.do_submit(
                    actor, response.pk, request.POST.get("token", ""), answers, request
                )
                if done.person_id is None:  # anonymous: shown once, never readable again
                    return _anonymous_result(request, done)
                if done.is_anonymised:
                    return _anonymised(request, done)
                return redirect("assessments:result", response_id=done.pk)
            response = actions.do_save_draft(actor, response.pk, answers, request)
            if response.is_submitted:
                return redirect("assessments:result", response_id=response.pk)
            if response.is_anonymised:
                return _anonymised(request, response)
            if go == "back":
                return redirect("assessments:page", response_id=response.pk, page=max(1, page - 1))
            missing = {
                instrument.items[p].number
                for p in positions
                if answers[p] is None and not instrument.items[p].optional
            }
            if not missing:
                return redirect("assessments:page", response_id=response.pk, page=page + 1)
            error = str(actions.MissingAnswers(sorted(missing)))
        except ConsentRequired:
            return _consent_needed(request, response.instrument_id)
        except actions.MissingAnswers as exc:
            here = {instrument.items[p].number for p in positions}
            missing = set(exc.numbers) & here
            if not missing:  # the gap is on an earlier page: take the cadre there
                messages.error(request, str(exc))
                size = catalogue.page_size(response.instrument_id)
                first = (min(exc.numbers) - 1) // size + 1
                return redirect("assessments:page", response_id=response.pk, page=first)
            error = str(exc)
            response = access_response(actor, response_id, request)
        except actions.AssessmentError as exc:
            error = str(exc)
    answers_now = response.answer_list()
    language = catalogue.language()
    return _render(
        request,
        "assessments/page.html",
        {
            "response": response,
            "name": instrument.label(language),
            "instructions": instrument.instructions.get(language),
            "page": page,
            "pages": pages,
            "answered": sum(code is not None for code in answers_now),
            "items": items,
            "questions": _questions(response, positions, missing, language),
            "error": error,
            "last": page == pages,
            "token": actions.new_token(),
        },
    )


@never_cache
@role_required(Role.CADRE)
def result(request: HttpRequest, response_id: UUID) -> HttpResponse:
    actor = current_user(request)
    response = access_response(actor, response_id, request)
    if response.is_anonymised:
        return _anonymised(request, response)
    if not response.is_submitted:
        return redirect("assessments:page", response_id=response.pk, page=1)
    view = interpret.result_view(response)
    return _render(
        request,
        "assessments/result.html",
        {"view": view, "entry": catalogue.entry(response.instrument_id)},
    )


def _anonymous_result(request: HttpRequest, response: Response) -> HttpResponse:
    """The result of an anonymous response, in the answer to its submission only: the row has
    no person, so nobody (the cadre included) can open it again. A critical answer still
    shows the help panel at once; nobody is notified."""
    return _render(
        request,
        "assessments/result.html",
        {
            "view": interpret.result_view(response),
            "entry": catalogue.entry(response.instrument_id),
            "anonymous": True,
        },
    )


def _anonymised(request: HttpRequest, response: Response) -> HttpResponse:
    """The emptied draft of an anonymous response: already sent, nothing to show."""
    instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
    return _render(
        request,
        "assessments/anonymised.html",
        {"name": instrument.label(catalogue.language()), "response": response},
    )


@never_cache
@role_required(Role.CADRE)
def history(request: HttpRequest, instrument_id: str) -> HttpResponse:
    actor = current_user(request)
    if catalogue.entry(instrument_id) is None:
        raise Http404
    instrument = catalogue.instrument(instrument_id)
    responses = access_own_responses(actor, instrument_id, request=request)
    chart = interpret.history(instrument, responses)
    return _render(
        request,
        "assessments/history.html",
        {
            "instrument": instrument,
            "name": instrument.label(catalogue.language()),
            "chart": chart,
            "points": list(reversed(chart.points)),
            "score_label": interpret.SCORE_LABELS.get(
                interpret.main_score(instrument_id), _("总分")
            ),
            "intro_url": reverse("assessments:intro", args=[instrument_id]),
        },
    )
