"""The knowledge base: articles in Markdown, audio and video items, categories, tags, and the
recommendations shown with assessment results. All of it is T0 (public to signed-in users);
only the read count is kept about reading, as one aggregate number per item."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

COVER_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
MEDIA_SUFFIXES = {
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "audio/mp4": ".m4a",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
}


class Category(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("栏目")
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("content:category", kwargs={"category_id": self.pk})


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("标签")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    ARTICLE = "article", _("文章")
    AUDIO = "audio", _("音频")
    VIDEO = "video", _("视频")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("未发布")
    PUBLISHED = "published", _("已发布")


def cover_path(instance: Item, filename: str) -> str:
    """A random name: the uploader's file name is neither kept nor trusted."""
    return f"content/covers/{uuid.uuid4().hex}{COVER_SUFFIXES.get(instance.cover_type, '.bin')}"


def media_path(instance: Item, filename: str) -> str:
    return f"content/media/{uuid.uuid4().hex}{MEDIA_SUFFIXES.get(instance.media_type, '.bin')}"


class Item(models.Model):
    """One piece of knowledge content: an article (Markdown body), or an audio or video item
    (an uploaded file with the body as its notes). Relaxation tracks are audio items."""

    kind = models.CharField(_("类型"), max_length=8, choices=ItemKind.choices)
    title = models.CharField(_("标题"), max_length=80)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("栏目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="items")
    cover = models.FileField(_("封面图"), upload_to=cover_path, blank=True, max_length=200)
    cover_type = models.CharField(max_length=20, blank=True)
    media = models.FileField(_("媒体文件"), upload_to=media_path, blank=True, max_length=200)
    media_type = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    read_count = models.PositiveIntegerField(_("阅读次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("知识内容")
        ordering = ("-published_at", "-pk")
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="content_item_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("content:item", kwargs={"item_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED


class Recommendation(models.Model):
    """Shown with an assessment result: for an instrument and band (blank: any band), the
    published items carrying a tag, or one explicit item."""

    instrument_id = models.CharField(_("量表"), max_length=40)
    band_code = models.CharField(_("结果分级"), max_length=40, blank=True)
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("测评结果推荐")
        ordering = ("position", "pk")
        indexes = [models.Index(fields=["instrument_id", "band_code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=True, item__isnull=False)
                | Q(tag__isnull=False, item__isnull=True),
                name="content_recommendation_tag_or_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}/{self.band_code or '*'}"
