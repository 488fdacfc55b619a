from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sunflower.keystore.fields import BlindIndexField, EncryptedTextField

T1_KEY = "system:roster"


PATH_DIGITS = 8  # 31 levels fit in the 255-character path


class UnitType(models.TextChoices):
    PARTY_GOVERNMENT = "party_gov", _("党政机关")
    PUBLIC_INSTITUTION = "institution", _("事业单位")
    STATE_ENTERPRISE = "enterprise", _("国有企业")
    TOWN_STREET = "town", _("乡镇（街道）")
    MASS_ORGANISATION = "mass_org", _("群团组织")
    OTHER = "other", _("其他")


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, root: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=root.path)


class Unit(models.Model):
    """A node of the organisation tree: the city, a county/district or department, a sub-unit.

    `path` is the materialised path of zero-padded ids ("/00000001/00000007/"), so that a
    subtree is one indexed prefix query and sorting by path lists the tree parent-first; it is
    maintained by save().
    """

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=120)
    unit_type = models.CharField(_("单位类型"), max_length=16, choices=UnitType.choices)
    level = models.PositiveSmallIntegerField(_("层级"), editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_key_department = models.BooleanField(_("重点部门"), default=False)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=1) | Q(parent__isnull=False, level__gt=1),
                name="unit_level_matches_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.level = self.parent.level + 1 if self.parent else 1
        prefix = self.parent.path if self.parent else "/"
        if self.pk is not None:
            self.path = f"{prefix}{self.pk:0{PATH_DIGITS}d}/"
            super().save(*args, **kwargs)
            return
        # A new row's path holds its own id, known only after the insert.
        self.path = ""
        super().save(*args, **kwargs)
        self.path = f"{prefix}{self.pk:0{PATH_DIGITS}d}/"
        super().save(update_fields=["path"])

    def is_within(self, root: Unit) -> bool:
        return self.path.startswith(root.path)

    def ancestors(self) -> UnitQuerySet:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Unit.objects.filter(id__in=ids).order_by("level")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    SECONDED = "seconded", _("借调")
    LEFT = "left", _("已离开")
    RETIRED = "retired", _("退休")


class Rank(models.TextChoices):
    """职级, simplified to the ladder a city roster uses."""

    DEPARTMENT = "dept", _("厅局级")
    DIVISION_CHIEF = "div_chief", _("县处级正职")
    DIVISION_DEPUTY = "div_deputy", _("县处级副职")
    SECTION_CHIEF = "sec_chief", _("乡科级正职")
    SECTION_DEPUTY = "sec_deputy", _("乡科级副职")
    STAFF = "staff", _("科员及以下")
    OTHER = "other", _("其他")


class AttentionTag(models.TextChoices):
    """The programme's criteria for key attention (重点关注), kept on the roster as tags."""

    URGENT_TASKS = "urgent_tasks", _("经常承担急难险重任务")
    HARD_CONDITIONS = "hard_conditions", _("工作条件艰苦")
    MAJOR_SETBACK = "major_setback", _("遭遇重大挫折")
    HEAVY_BURDEN = "heavy_burden", _("心理负担较重")


class PersonQuerySet(models.QuerySet["Person"]):
    def in_subtree(self, root: Unit) -> PersonQuerySet:
        return self.filter(unit__path__startswith=root.path)

    def with_tag(self, tag: str) -> PersonQuerySet:
        return self.filter(tags__contains=f",{tag},")

    def current(self) -> PersonQuerySet:
        return self.exclude(status__in=[EmploymentStatus.LEFT, EmploymentStatus.RETIRED])


class Person(models.Model):
    """A cadre on the roster. ID number and mobile are encrypted, found by their blind index."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("身份证号"), key_subject=T1_KEY)
    id_number_index = BlindIndexField(source="id_number", purpose="id_number", unique=True)
    mobile = EncryptedTextField(_("手机号"), key_subject=T1_KEY)
    mobile_index = BlindIndexField(source="mobile", purpose="mobile", db_index=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("职务"), max_length=80, blank=True)
    rank = models.CharField(_("职级"), max_length=16, choices=Rank.choices, default=Rank.STAFF)
    status = models.CharField(
        _("在职状态"),
        max_length=16,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.ACTIVE,
        db_index=True,
    )
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    left_reason = models.CharField(_("离开原因"), max_length=200, blank=True)
    # Tag codes as ",code,code," so that one tag is a portable `contains` filter.
    tags = models.CharField(_("关注标签"), max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部花名册")
        ordering = ["unit__path", "name"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:person-edit", args=[self.pk])

    @property
    def has_left(self) -> bool:
        return self.status in (EmploymentStatus.LEFT, EmploymentStatus.RETIRED)

    @property
    def tag_codes(self) -> list[str]:
        return [code for code in self.tags.split(",") if code]

    @tag_codes.setter
    def tag_codes(self, codes: list[str]) -> None:
        ordered = [tag.value for tag in AttentionTag if tag.value in set(codes)]
        self.tags = f",{','.join(ordered)}," if ordered else ""

    def tag_labels(self) -> list[str]:
        labels = dict(AttentionTag.choices)
        return [str(labels[code]) for code in self.tag_codes if code in labels]


class RosterImport(models.Model):
    """An uploaded roster file between its check and its application.

    The file is kept encrypted (it holds ID numbers) and erased once applied or abandoned.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("已校验")
        APPLIED = "applied", _("已导入")
        REJECTED = "rejected", _("有错误")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content = EncryptedTextField(key_subject=T1_KEY)
    status = models.CharField(max_length=16, choices=Status.choices)
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")

    def __str__(self) -> str:
        return self.filename
