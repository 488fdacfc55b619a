"""The mental-health record pages (desk console): finding a cadre in scope, the record itself,
break-glass for a cadre outside scope, and the list of break-glass grants.

Every read goes through care/record.py; the URL carries only the person's opaque id.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.sudo import sudo_required
from sunflower.assessments import interpret, reports
from sunflower.assessments.models import Response
from sunflower.care import record
from sunflower.care.forms_record import BreakGlassForm, RecordSearchForm
from sunflower.scales import UnknownInstrumentError

KEEPER = Role.RECORD_KEEPER


@never_cache
@role_required(KEEPER)
def record_search(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = RecordSearchForm(request.GET or None)
    people: list[Any] = []
    if form.is_valid():
        people = list(record.search_people(actor, form.cleaned_data["q"]))
    return render(request, "care/record_search.html", {"form": form, "people": people})


def _result_row(response: Response) -> dict[str, Any]:
    try:
        view = interpret.result_view(response)
    except UnknownInstrumentError:  # an uploaded instrument removed since: show what is known
        return {"response": response, "name": response.instrument_id, "score": None}
    return {
        "response": response,
        "name": view.name,
        "score": view.score,
        "score_label": view.score_label,
        "band": view.band_label,
        "critical": view.critical,
        "flags": [flag for flag in view.flags if flag != "critical_item"],
        "quality": [
            str(reports.QUALITY[code][0]) if code in reports.QUALITY else code
            for code in response.result_data().get("quality") or []
        ],
    }


@never_cache
@role_required(KEEPER)
def record_detail(request: HttpRequest, person_id: UUID) -> HttpResponse:
    found = record.access_record(current_user(request), person_id, request)
    return render(
        request,
        "care/record.html",
        {"record": found, "results": [_result_row(r) for r in found.responses]},
    )


@never_cache
@role_required(KEEPER)
@sudo_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Re-authenticated first (sudo), then the reason and whom: a grant, then the record."""
    actor = current_user(request)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person, grant = record.do_break_glass(
                actor, form.cleaned_data["identifier"], form.cleaned_data["reason"], request
            )
        except record.BreakGlassError as exc:
            form.add_error(None, str(exc))
        else:
            if grant is None:
                messages.info(request, _("该干部在您的管理范围内，无需紧急调阅。"))
            else:
                messages.warning(
                    request, _("已开启紧急调阅，审计管理员已收到通知。本次查看均记入审计日志。")
                )
            return redirect("care:record", person_id=person.pk)
    return render(
        request,
        "care/break_glass.html",
        {"form": form, "hours": record.grant_hours(), "min_reason": record.MIN_REASON},
    )


@never_cache
@role_required(KEEPER, Role.AUDIT_ADMIN)
def break_glass_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    found = record.access_break_glass_grants(actor, page=request.GET.get("page"), request=request)
    return render(
        request,
        "care/break_glass_list.html",
        {
            "page": found.page,
            "rows": found.rows,
            "auditor": actor.has_role(Role.AUDIT_ADMIN),
        },
    )
