"""The instrument library in the desk console: what the deployment can score, and uploads.

Staff see every instrument version with its item count and licence, and download each as a
FHIR Questionnaire; city-wide programme admins upload a licensed instrument's file (sudo mode,
audited). Instrument definitions are T0: no personal data is read here.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import STAFF_ROLES, Role
from sunflower.accounts.sudo import sudo_required
from sunflower.assessments import catalogue, instruments, reports
from sunflower.assessments.models import InstalledInstrument
from sunflower.assessments.views_records import fhir_download
from sunflower.scales import UnknownInstrumentError


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("量表文件（YAML）"),
        help_text=_lazy(
            "格式与平台自带的量表文件相同（见 docs/adr/0011 与 instrument.schema.json）。"
        ),
    )
    purpose = forms.CharField(
        label=_lazy("用途说明"),
        max_length=200,
        help_text=_lazy("给干部看的一句话，说明这份量表了解什么。"),
    )
    minutes = forms.IntegerField(label=_lazy("预计用时（分钟）"), min_value=1, max_value=120)
    licence_note = forms.CharField(
        label=_lazy("授权说明"),
        max_length=200,
        help_text=_lazy("例如：已取得版权方书面授权（合同编号……），有效期至……"),
    )
    self_assessment = forms.BooleanField(
        label=_lazy("同时开放给干部自助测评"),
        required=False,
        help_text=_lazy("不勾选时，只能在测评活动中使用。"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > instruments.MAX_BYTES:
            raise forms.ValidationError(_("文件太大，量表文件不应超过 512 KB。"))
        if not (upload.name or "").lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(_("请上传 .yaml 格式的量表文件。"))
        return upload


@role_required(*STAFF_ROLES)
def instrument_list(request: HttpRequest) -> HttpResponse:
    language = catalogue.language()
    uploaded = {
        (row.instrument_id, row.version): row
        for row in InstalledInstrument.objects.select_related("uploaded_by")
    }
    rows = [
        {
            "instrument": instrument,
            "name": instrument.label(language),
            "items": len(instrument.items),
            "upload": uploaded.get((instrument.id, instrument.version)),
        }
        for instrument in catalogue.library()
    ]
    return render(
        request,
        "assessments/instrument_list.html",
        {"rows": rows, "may_install": instruments.may_install(current_user(request))},
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
@sudo_required
def instrument_upload(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    if not instruments.may_install(actor):
        messages.error(request, _("只有全市范围的组织部门管理员可以上传量表。"))
        return redirect("instruments:list")
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        try:
            instrument, new = instruments.do_install_instrument(
                actor,
                upload.read(),
                filename=upload.name or "upload.yaml",
                purpose=form.cleaned_data["purpose"],
                minutes=form.cleaned_data["minutes"],
                self_assessment=form.cleaned_data["self_assessment"],
                licence_note=form.cleaned_data["licence_note"],
                request=request,
            )
        except instruments.InstrumentUploadError as exc:
            form.add_error("file", str(exc))
        else:
            if new:
                messages.success(
                    request,
                    _("量表 %(ref)s 已添加，可以在测评活动中使用。") % {"ref": instrument.ref},
                )
            else:
                messages.info(
                    request,
                    _("量表 %(ref)s 此前已添加，内容相同，未作改动。") % {"ref": instrument.ref},
                )
            return redirect("instruments:list")
    return render(request, "assessments/instrument_upload.html", {"form": form})


@role_required(*STAFF_ROLES)
def questionnaire(request: HttpRequest, instrument_id: str) -> HttpResponse:
    """One instrument version as a FHIR Questionnaire (the latest unless ?version= is given)."""
    version = request.GET.get("version") or None
    try:
        instrument = catalogue.instrument(instrument_id, version)
    except UnknownInstrumentError:
        raise Http404 from None
    filename = f"questionnaire-{instrument.id}-{instrument.version}.json"
    return fhir_download(reports.instrument_fhir(instrument), filename)
