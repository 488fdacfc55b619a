"""Roster import and export pages (built in the import/export work)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunflower.accounts.decorators import role_required
from sunflower.accounts.models import ROSTER_ROLES


@role_required(*ROSTER_ROLES)
def import_upload(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/import_upload.html", {})


@role_required(*ROSTER_ROLES)
def import_template(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


@role_required(*ROSTER_ROLES)
def import_review(request: HttpRequest, import_id: UUID) -> HttpResponse:
    return HttpResponse(status=501)


@role_required(*ROSTER_ROLES)
def export_roster(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)
