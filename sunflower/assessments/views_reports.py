"""The cadre's own copies of a result: the PDF report and the FHIR QuestionnaireResponse.

Read through access.py like the result page (the download audited with its purpose); the file
name carries the date only.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.assessments import reports
from sunflower.assessments.access import access_response
from sunflower.assessments.views_records import download, fhir_download


@never_cache
@role_required(Role.CADRE)
def own_pdf(request: HttpRequest, response_id: UUID) -> HttpResponse:
    actor = current_user(request)
    response = access_response(actor, response_id, request, purpose="pdf")
    if not response.is_submitted:
        return redirect("assessments:page", response_id=response.pk, page=1)
    own = response.person_id == actor.person_id
    body = reports.response_pdf(response, own_copy=own)
    return download(body, "application/pdf", reports.report_filename(response, "pdf"))


@never_cache
@role_required(Role.CADRE)
def own_fhir(request: HttpRequest, response_id: UUID) -> HttpResponse:
    response = access_response(current_user(request), response_id, request, purpose="fhir")
    if not response.is_submitted:
        return redirect("assessments:page", response_id=response.pk, page=1)
    filename = reports.report_filename(response, "json", stem="questionnaire-response")
    return fhir_download(reports.response_fhir(response), filename)
