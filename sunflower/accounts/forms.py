from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sunflower.accounts import mfa
from sunflower.accounts.lockout import is_locked_out, lockout_message
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

    def get_invalid_login_error(self) -> ValidationError:
        # django-axes refused the attempt, or this failure reached the limit.
        if self.request is not None and is_locked_out(self.request):
            return ValidationError(lockout_message(self.request), code="locked_out")
        return super().get_invalid_login_error()


def otp_field(label: StrOrPromise, help_text: StrOrPromise, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                **({"inputmode": "numeric", "pattern": "[0-9 ]*"} if max_length <= 7 else {}),
            }
        ),
    )


class SudoForm(forms.Form):
    """Re-authentication: the password (through authenticate(), so that failures count towards
    the lockout) and, for accounts with an authenticator, a fresh code from it."""

    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    otp_token = otp_field(_("动态验证码"), _("验证器App中当前显示的6位数字"), max_length=7)

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        self.needs_code = mfa.has_second_factor(user)
        if not self.needs_code:
            del self.fields["otp_token"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        who = authenticate(self.request, username=self.user.username, password=password)
        if who is None or who.pk != self.user.pk:
            if is_locked_out(self.request):
                raise ValidationError(
                    lockout_message(self.request, {"username": self.user.username}),
                    code="locked_out",
                )
            raise ValidationError(_("密码不正确"), code="invalid_password")
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        checkable = self.needs_code and "password" in cleaned and "otp_token" in cleaned
        if checkable and not mfa.check_current_totp(self.user, cleaned["otp_token"]):
            self.add_error("otp_token", _("动态验证码不正确或已用过，请输入验证器中的最新验证码"))
        return cleaned


class EnrolForm(forms.Form):
    otp_token = otp_field(_("验证码"), _("添加后，输入验证器App显示的6位数字"), max_length=7)


class SecondFactorForm(forms.Form):
    otp_token = otp_field(
        _("验证码"), _("验证器App中的6位数字；手机不在身边时，可输入一个恢复码"), max_length=20
    )


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
