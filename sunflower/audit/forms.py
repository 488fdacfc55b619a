from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sunflower.audit.models import Outcome


class AuditFilterForm(forms.Form):
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("操作人登录名"), required=False, max_length=64)
    action = forms.CharField(
        label=_("操作"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("如 roster. 或 audit.")}),
    )
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *Outcome.choices]
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期"))
        return data
