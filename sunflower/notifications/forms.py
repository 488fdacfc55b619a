from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _lazy


class PreferenceForm(forms.Form):
    email = forms.EmailField(
        label=_lazy("电子邮箱"),
        required=False,
        max_length=254,
        help_text=_lazy("用于接收通知提醒；邮件中只有提示，不含具体内容。"),
        error_messages={"invalid": _lazy("请输入有效的电子邮箱地址。")},
    )
    email_enabled = forms.BooleanField(label=_lazy("通过电子邮件提醒我"), required=False)
    sms_enabled = forms.BooleanField(label=_lazy("通过短信提醒我"), required=False)
    wechat_enabled = forms.BooleanField(label=_lazy("通过微信提醒我"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("email_enabled") and not data.get("email"):
            self.add_error("email", _lazy("要接收邮件提醒，请填写电子邮箱。"))
        return data
