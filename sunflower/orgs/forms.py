from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile, parse_citizen_id
from sunflower.orgs import importer
from sunflower.orgs.models import (
    AttentionTag,
    EmploymentStatus,
    Gender,
    Person,
    Rank,
    Unit,
    UnitQuerySet,
)


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("请选择单位"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * (obj.level - 1)}{obj.name}（{obj.code}）"


class UnitFieldMixin:
    fields: dict[str, forms.Field]

    def unit_field(self) -> UnitChoiceField:
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)  # noqa: S101 (declared below)
        return field


class PersonForm(UnitFieldMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    birth_date = forms.DateField(
        label=_("出生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mobile = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none())
    post = forms.CharField(label=_("职务"), max_length=80, required=False)
    rank = forms.ChoiceField(label=_("职级"), choices=Rank.choices, initial=Rank.STAFF)
    tags = forms.MultipleChoiceField(
        label=_("关注标签"),
        choices=AttentionTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, units: UnitQuerySet, instance: Person | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "id_number": instance.id_number,
                "gender": instance.gender,
                "birth_date": instance.birth_date,
                "mobile": instance.mobile,
                "unit": instance.unit_id,
                "post": instance.post,
                "rank": instance.rank,
                "tags": instance.tag_codes,
            }
        super().__init__(*args, **kwargs)
        self.unit_field().queryset = units
        if instance is not None:
            # Moving to another unit is a transfer, recorded as such.
            del self.fields["unit"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_id_number(self) -> str:
        try:
            citizen = parse_citizen_id(self.cleaned_data["id_number"])
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None
        digest = keyring.blind_index("id_number", citizen.number)
        clash = Person.objects.filter(id_number_index=digest)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("该身份证号已在花名册中登记"))
        return citizen.number

    def clean_mobile(self) -> str:
        try:
            return normalise_mobile(self.cleaned_data["mobile"])
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("id_number")
        if number:
            citizen = parse_citizen_id(number)
            if data.get("birth_date") and data["birth_date"] != citizen.birth_date:
                self.add_error("birth_date", _("出生日期与身份证号不一致"))
            if data.get("gender") and data["gender"] != citizen.gender:
                self.add_error("gender", _("性别与身份证号不一致"))
        return data


class TransferForm(UnitFieldMixin, forms.Form):
    unit = UnitChoiceField(label=_("调往单位"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: UnitQuerySet, current: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_field().queryset = units.exclude(pk=current.pk)


class LeaveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("离开类型"),
        choices=[
            (EmploymentStatus.LEFT, _("调离或离职")),
            (EmploymentStatus.RETIRED, _("退休")),
        ],
    )
    left_on = forms.DateField(
        label=_("离开日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)
    confirm = forms.BooleanField(label=_("我已核实该干部已离开本单位"), required=True)

    def clean_left_on(self) -> Any:
        value = self.cleaned_data["left_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("离开日期不能晚于今天"))
        return value


class RosterFilterForm(UnitFieldMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名、身份证号或手机号"), "type": "search"}
        ),
    )
    unit = UnitChoiceField(
        label=_("单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部单位")
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("在岗（默认）")), ("all", _("全部")), *EmploymentStatus.choices],
    )
    rank = forms.ChoiceField(
        label=_("职级"), required=False, choices=[("", _("全部")), *Rank.choices]
    )
    tag = forms.ChoiceField(
        label=_("关注标签"), required=False, choices=[("", _("全部")), *AttentionTag.choices]
    )

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_field().queryset = units


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.SUNFLOWER_MAX_IMPORT_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("文件太大（%(size)s），最大允许 %(limit)s。可以把花名册拆成几个文件分别导入。")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.file is None:
            raise forms.ValidationError(_("文件是空的"))
        try:
            importer.detect_kind(upload.file)
        except importer.FileError as exc:
            raise forms.ValidationError(
                _("只能上传 .xlsx 或 .csv 文件：%(problem)s") % {"problem": exc.messages[0]}
            ) from None
        return upload

    def content(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read()
