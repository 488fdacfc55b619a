"""Input for the mental-health record pages: finding a person and breaking glass."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sunflower.care.record import MAX_REASON, MIN_REASON


class RecordSearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名或单位"),
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class BreakGlassForm(forms.Form):
    identifier = forms.CharField(
        label=_("干部身份证号或手机号"),
        max_length=32,
        help_text=_("须完整、准确：紧急调阅不提供按姓名浏览管理范围以外的干部。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("紧急调阅理由"),
        min_length=MIN_REASON,
        max_length=MAX_REASON,
        help_text=_("写明紧急情况和调阅的必要性，至少 15 个字。理由将提交审计管理员。"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
