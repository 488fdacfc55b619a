"""Half-yearly compliance pages: rates by unit (suppressed), the named list of non-compliant
cadres (T1: for the liaison and the programme admin in scope), and its xlsx export."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import ROSTER_ROLES, User
from sunflower.accounts.scope import scope_roots, units_in_scope
from sunflower.training import compliance
from sunflower.training.attendance import XLSX_CONTENT_TYPE
from sunflower.training.forms import ComplianceForm


def _choices(request: HttpRequest, actor: User) -> tuple[ComplianceForm, Any, compliance.Period]:
    current = compliance.current_period()
    periods = compliance.recent_periods(current, 6)
    form = ComplianceForm(
        request.GET or None,
        units=units_in_scope(actor, ROSTER_ROLES),
        periods=[(p.code, p.label) for p in reversed(periods)],
        initial={"period": current.code},
    )
    roots = scope_roots(actor, ROSTER_ROLES)
    root = roots[0]
    period = current
    if form.is_valid():
        root = form.cleaned_data["unit"] or root
        period = compliance.Period.parse(form.cleaned_data["period"], current)
    return form, root, period


@role_required(*ROSTER_ROLES)
def compliance_overview(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form, root, period = _choices(request, actor)
    total, rows = compliance.unit_rates(root, period)
    return render(
        request,
        "training/compliance.html",
        {
            "form": form,
            "root": root,
            "period": period,
            "total": total,
            "rows": rows,
            "trend": compliance.trend(root, period),
            "min_cell": settings.SUNFLOWER_MIN_CELL,
        },
    )


@role_required(*ROSTER_ROLES)
def non_compliant(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form, root, period = _choices(request, actor)
    people = compliance.non_compliant(actor, root, period)
    return render(
        request,
        "training/non_compliant.html",
        {
            "form": form,
            "root": root,
            "period": period,
            "people": people,
            "query_string": request.GET.urlencode(),
        },
    )


@role_required(*ROSTER_ROLES)
def non_compliant_export(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    _form, root, period = _choices(request, actor)
    content = compliance.do_export_non_compliant(actor, root, period, request)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("未完成必修培训干部") + f"_{period.code}.xlsx"
    )
    return response
