"""Account and role administration for the security administrator (and viewing for the
system administrator). Role changes require re-authentication and are audited."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunflower.accounts import actions, mfa
from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.forms import GrantForm, SudoForm, UserSearchForm
from sunflower.accounts.history import record_login_event
from sunflower.accounts.lockout import is_locked_out, lockout_message
from sunflower.accounts.models import LoginEvent, Role, RoleAssignment, User
from sunflower.accounts.scope import scope_roots, units_in_scope
from sunflower.accounts.sudo import grant_sudo, sudo_required
from sunflower.audit.events import record
from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile

ACCOUNT_ADMINS = (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN)


def visible_users(actor: User) -> Q:
    """Accounts whose person or roles sit inside the actor's scope, and unplaced accounts."""
    condition = Q(person__isnull=True, assignments__isnull=True)
    for root in scope_roots(actor, ACCOUNT_ADMINS):
        condition |= Q(person__unit__path__startswith=root.path)
        condition |= Q(
            assignments__unit__path__startswith=root.path, assignments__revoked_at__isnull=True
        )
    return condition


def get_visible_user(actor: User, user_id: UUID) -> User:
    user = User.objects.filter(visible_users(actor), pk=user_id).distinct().first()
    if user is None:
        raise Http404
    return user


@role_required(*ACCOUNT_ADMINS)
def user_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = UserSearchForm(request.GET or None)
    users = User.objects.filter(visible_users(actor)).distinct().order_by("username")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            condition = Q(username__icontains=query) | Q(display_name__icontains=query)
            try:
                digest = keyring.blind_index("mobile", normalise_mobile(query))
                condition |= Q(mobile_index=digest) | Q(person__mobile_index=digest)
            except IdentityError:
                pass
            users = users.filter(condition)
        if form.cleaned_data["role"] == Role.CADRE:
            users = users.filter(person__isnull=False)
        elif form.cleaned_data["role"]:
            users = users.filter(
                assignments__role=form.cleaned_data["role"], assignments__revoked_at__isnull=True
            )
    users = users.prefetch_related(
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.active().select_related("unit"),
            to_attr="current_assignments",
        )
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


@role_required(*ACCOUNT_ADMINS)
def user_roles(request: HttpRequest, user_id: UUID) -> HttpResponse:
    actor = current_user(request)
    user = get_visible_user(actor, user_id)
    can_grant = actor.has_role(Role.SECURITY_ADMIN)
    form = GrantForm(units=units_in_scope(actor, [Role.SECURITY_ADMIN]))
    history = user.assignments.select_related("unit", "granted_by", "revoked_by").order_by(
        "-granted_at"
    )
    return render(
        request,
        "accounts/user_roles.html",
        {
            "subject": user,
            "form": form,
            "history": history,
            "can_grant": can_grant,
            "subject_has_mfa": mfa.has_second_factor(user),
        },
    )


@require_POST
@role_required(Role.SECURITY_ADMIN)
@sudo_required
def role_grant(request: HttpRequest, user_id: UUID) -> HttpResponse:
    actor = current_user(request)
    user = get_visible_user(actor, user_id)
    form = GrantForm(request.POST, units=units_in_scope(actor, [Role.SECURITY_ADMIN]))
    if form.is_valid():
        try:
            actions.do_grant_role(
                actor, user, form.cleaned_data["role"], form.cleaned_data["unit"], request
            )
        except actions.GrantError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已授予角色"))
    else:
        messages.error(request, _("请选择角色和管理范围"))
    return redirect("accounts-admin:user-roles", user_id=user.pk)


@require_POST
@role_required(Role.SECURITY_ADMIN)
@sudo_required
def role_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    actor = current_user(request)
    assignment = (
        RoleAssignment.objects.active()
        .filter(unit__in=units_in_scope(actor, [Role.SECURITY_ADMIN]), pk=assignment_id)
        .select_related("user", "unit")
        .first()
    )
    if assignment is None:
        raise Http404
    try:
        actions.do_revoke_role(actor, assignment, request)
    except actions.GrantError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销角色"))
    return redirect("accounts-admin:user-roles", user_id=assignment.user_id)


@require_POST
@role_required(Role.SECURITY_ADMIN)
@sudo_required
def mfa_reset(request: HttpRequest, user_id: UUID) -> HttpResponse:
    """Remove an account's authenticator and recovery codes (lost phone and codes)."""
    actor = current_user(request)
    user = get_visible_user(actor, user_id)
    try:
        mfa.do_reset(actor, user, request)
    except mfa.SecondFactorError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已重置两步验证，该账号下次登录时需重新绑定验证器"))
    return redirect("accounts-admin:user-roles", user_id=user.pk)


def sudo(request: HttpRequest) -> HttpResponse:
    """Confirm the password (and a fresh authenticator code) again before a sensitive
    operation. Wrong passwords count towards the lockout; once locked, the session ends."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    actor = current_user(request)
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    form = SudoForm(request.POST or None, user=actor, request=request)
    if request.method == "POST":
        if form.is_valid():
            grant_sudo(request)
            record("auth.sudo", actor=actor, request=request)
            return redirect(target)
        record("auth.sudo", actor=actor, request=request, outcome="denied")
        if is_locked_out(request):
            message = lockout_message(request, {"username": actor.username})
            record_login_event(actor, LoginEvent.Outcome.LOCKED, request)
            logout(request)
            messages.error(request, message)
            return redirect("accounts:login")
    return render(
        request, "accounts/sudo.html", {"form": form, "next": target, "needs_code": form.needs_code}
    )
