from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sunflower.accounts.models import Role, User
from sunflower.orgs.forms import UnitChoiceField
from sunflower.orgs.models import Unit, UnitQuerySet


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("手机号或工号"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("账号或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用，请联系本单位联络员。"),
    }


class SudoForm(forms.Form):
    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不正确"))
        return password


class GrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("角色"), choices=[(r.value, r.label) for r in Role if r != Role.CADRE]
    )
    unit = UnitChoiceField(label=_("管理范围"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)  # noqa: S101 (declared above)
        field.queryset = units


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名、登录名或手机号")}),
    )
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部")), *Role.choices]
    )
