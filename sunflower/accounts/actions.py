"""Account changes of consequence: granting and revoking roles. Each is audited in the same
transaction, and only a security administrator in scope may make them (三员分立).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import ADMIN_ROLES, Role, RoleAssignment, User
from sunflower.accounts.scope import unit_in_scope
from sunflower.audit.events import record
from sunflower.orgs.models import Unit


class GrantError(Exception):
    """A grant or revocation that the rules forbid; str() is a user-facing message."""


def check_grant_role(actor: User, user: User, role: str, unit: Unit) -> None:
    if not actor.has_role(Role.SECURITY_ADMIN):
        raise GrantError(_("只有安全管理员可以授予或撤销角色"))
    if not unit_in_scope(actor, unit, [Role.SECURITY_ADMIN]):
        raise GrantError(_("该单位不在您的管理范围内"))
    if actor.pk == user.pk:
        raise GrantError(_("不能给自己授予角色"))
    if role == Role.CADRE or role not in Role.values:
        raise GrantError(_("不能授予该角色"))
    held = user.assignments.active()
    if role in ADMIN_ROLES:
        other = held.filter(role__in=ADMIN_ROLES).exclude(role=role).first()
        if other is not None:
            raise GrantError(
                _("三员分立：该账号已是%(role)s，不能再兼任其他管理员角色")
                % {"role": other.get_role_display()}
            )
    if held.filter(role=role, unit=unit).exists():
        raise GrantError(_("该账号已在此范围内持有这个角色"))


def do_grant_role(
    actor: User, user: User, role: str, unit: Unit, request: HttpRequest | None = None
) -> RoleAssignment:
    check_grant_role(actor, user, role, unit)
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, unit=unit, granted_by=actor
            )
            record(
                "role.grant",
                actor=actor,
                actor_role=Role.SECURITY_ADMIN,
                target=user,
                request=request,
                scope_unit_id=unit.pk,
                changes={"role": role, "unit": unit.pk},
            )
    except IntegrityError:
        # A concurrent grant won the race; the database rules stand.
        raise GrantError(_("该账号的角色刚刚被修改，请刷新后重试")) from None
    return assignment


@transaction.atomic
def do_revoke_role(
    actor: User, assignment: RoleAssignment, request: HttpRequest | None = None
) -> RoleAssignment:
    if not actor.has_role(Role.SECURITY_ADMIN):
        raise GrantError(_("只有安全管理员可以授予或撤销角色"))
    if not unit_in_scope(actor, assignment.unit, [Role.SECURITY_ADMIN]):
        raise GrantError(_("该单位不在您的管理范围内"))
    if assignment.user_id == actor.pk:
        raise GrantError(_("不能撤销自己的角色"))
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.revoked_at is not None:
        return assignment
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = actor
    assignment.save(update_fields=["revoked_at", "revoked_by"])
    record(
        "role.revoke",
        actor=actor,
        actor_role=Role.SECURITY_ADMIN,
        target=assignment.user,
        request=request,
        scope_unit_id=assignment.unit_id,
        changes={"role": assignment.role, "unit": assignment.unit_id},
    )
    return assignment
