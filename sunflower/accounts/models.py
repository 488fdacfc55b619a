from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunflower.accounts.otp import AuthenticatorDevice  # noqa: F401  (registered here, ADR 9)
from sunflower.keystore.fields import BlindIndexField, EncryptedTextField
from sunflower.orgs.models import Person, Unit


class Role(models.TextChoices):
    """The eleven roles of DESIGN.md §2. A cadre is any user linked to a roster person."""

    CADRE = "cadre", _("干部")
    LIAISON = "liaison", _("单位联络员")
    PROGRAMME_ADMIN = "programme_admin", _("组织部门管理员")
    RECORD_KEEPER = "record_keeper", _("档案管理员")
    COUNSELLOR = "counsellor", _("心理咨询师")
    TALK_OFFICER = "talk_officer", _("谈心谈话责任人")
    VOLUNTEER = "volunteer", _("志愿者")
    LEADER = "leader", _("领导小组成员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
STAFF_ROLES = tuple(role for role in Role if role != Role.CADRE)
ROSTER_ROLES = (Role.LIAISON, Role.PROGRAMME_ADMIN)


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):  # type: ignore[django-manager-missing]  # django-otp is untyped
    """An account. Cadres' accounts link to their roster person; staff may have none."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(
        _("登录名（工号）"),
        max_length=64,
        unique=True,
        help_text=_("工号或系统分配的登录名"),
    )
    display_name = models.CharField(_("显示名称"), max_length=50)
    person = models.OneToOneField(
        Person,
        verbose_name=_("花名册人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    mobile = EncryptedTextField(_("手机号"), key_subject="system:accounts")
    mobile_index = BlindIndexField(source="mobile", purpose="mobile", unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        # The hash being replaced (the stored one, if set twice before saving) goes into
        # PasswordHistory when the user is saved (validators.PasswordHistoryValidator).
        self.__dict__.setdefault("_replaced_password", self.password)
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def active_roles(self) -> set[str]:
        """Role codes held now, cached on the instance for the request."""
        cached: set[str] | None = getattr(self, "_active_roles", None)
        if cached is None:
            cached = set(self.assignments.active().values_list("role", flat=True))
            if self.person_id is not None:
                cached.add(Role.CADRE)
            self._active_roles = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        if Role.CADRE in roles and self.person_id is not None:
            return True  # the cadre role is the roster link itself: no query
        return bool(self.active_roles().intersection(roles))

    @property
    def is_staff_member(self) -> bool:
        # A user loaded for a request (backends.get_user) carries whether a staff role is held,
        # read in the same query as the user; otherwise the roles are read.
        loaded: bool | None = getattr(self, "holds_staff_role", None)
        if loaded is not None and getattr(self, "_active_roles", None) is None:
            return loaded
        return self.has_role(*STAFF_ROLES)


class AssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> AssignmentQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(models.Model):
    """A role held over a unit subtree. Revoked rows stay as the history of grants."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("管理范围"), on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_grant_per_role_and_unit",
            ),
            # Separation of duties (三员分立): at most one active administrator role per account.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role__in=[r.value for r in ADMIN_ROLES], revoked_at__isnull=True),
                name="one_admin_role_per_user",
            ),
            models.CheckConstraint(condition=~Q(role="cadre"), name="cadre_is_not_granted"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class PasswordHistory(models.Model):
    """A password the user had before the current one, as its hash, so that recent ones are
    not chosen again (等保 2.0). Written by validators.PasswordHistoryValidator each time a new
    password is saved; only the SUNFLOWER_PASSWORD_HISTORY - 1 most recent are kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class LoginEvent(models.Model):
    """One entry of an account's login history, which its owner can read (登录记录)."""

    class Outcome(models.TextChoices):
        LOGIN = "login", _("密码登录成功")
        FAILED = "failed", _("密码错误")
        LOCKED = "locked", _("失败次数过多，已锁定")
        MFA_OK = "mfa_ok", _("两步验证通过")
        RECOVERY = "recovery", _("使用恢复码验证")
        MFA_FAILED = "mfa_failed", _("两步验证失败")
        LOGOUT = "logout", _("退出登录")
        TIMEOUT = "timeout", _("超时自动退出")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_events")
    occurred_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    source_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["user", "-occurred_at"], name="login_event_recent")]

    def __str__(self) -> str:
        return f"{self.user} · {self.occurred_at:%Y-%m-%d %H:%M} · {self.outcome}"

    @property
    def tone(self) -> str:
        """The badge colour on the history page: refusals stand out."""
        if self.outcome in (self.Outcome.FAILED, self.Outcome.MFA_FAILED):
            return "failed"
        if self.outcome == self.Outcome.LOCKED:
            return "denied"
        if self.outcome in (self.Outcome.LOGIN, self.Outcome.MFA_OK, self.Outcome.RECOVERY):
            return "ok"
        return ""
