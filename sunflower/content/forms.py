"""Input for the knowledge pages: the search box, the console's filters and the item form.
Uploaded files are recognised by their first bytes, never by name or claimed type."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from sunflower.content.models import Category, Item, ItemKind, ItemStatus
from sunflower.training.media import AUDIO_TYPES, VIDEO_TYPES, sniff

MAX_COVER_BYTES = 2 * 1024 * 1024
MAX_AUDIO_BYTES = 50 * 1024 * 1024
MAX_VIDEO_BYTES = 500 * 1024 * 1024


def sniff_image(head: bytes) -> str | None:
    """PNG, JPEG or WebP by their signatures, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    return head


def _megabytes(size: int) -> int:
    return size // (1024 * 1024)


def check_cover(upload: UploadedFile) -> str:
    if (upload.size or 0) > MAX_COVER_BYTES:
        raise forms.ValidationError(
            _("封面图不能超过 %(mb)s MB。") % {"mb": _megabytes(MAX_COVER_BYTES)}
        )
    content_type = sniff_image(_head(upload))
    if content_type is None:
        raise forms.ValidationError(_("封面图只接受 PNG、JPEG 或 WebP 图片。"))
    return content_type


def check_media(upload: UploadedFile, kind: str) -> str:
    content_type = sniff(_head(upload))
    allowed = AUDIO_TYPES if kind == ItemKind.AUDIO else VIDEO_TYPES
    if content_type not in allowed:
        if kind == ItemKind.AUDIO:
            raise forms.ValidationError(_("音频只接受 MP3、M4A、OGG 或 WAV 文件。"))
        raise forms.ValidationError(_("视频只接受 MP4 或 WebM 文件。"))
    limit = MAX_AUDIO_BYTES if kind == ItemKind.AUDIO else MAX_VIDEO_BYTES
    if (upload.size or 0) > limit:
        raise forms.ValidationError(_("文件不能超过 %(mb)s MB。") % {"mb": _megabytes(limit)})
    return content_type


class SearchForm(forms.Form):
    q = forms.CharField(label=_l("搜索"), required=False, max_length=200, strip=True)


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_l("关键词"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_l("栏目"), queryset=Category.objects.all(), required=False, empty_label=_l("全部")
    )
    status = forms.ChoiceField(
        label=_l("状态"), required=False, choices=[("", _l("全部")), *ItemStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_l("类型"), required=False, choices=[("", _l("全部")), *ItemKind.choices]
    )


class ItemForm(forms.ModelForm):
    tag_names = forms.CharField(
        label=_l("标签"),
        required=False,
        max_length=200,
        help_text=_l("用逗号或顿号分隔，例如：睡眠、放松"),
    )
    cover_upload = forms.FileField(
        label=_l("封面图"), required=False, help_text=_l("PNG、JPEG 或 WebP，不超过 2 MB")
    )
    media_upload = forms.FileField(
        label=_l("音频或视频文件"),
        required=False,
        help_text=_l("音频：MP3、M4A、OGG、WAV（50 MB 以内）；视频：MP4、WebM（500 MB 以内）"),
    )

    class Meta:
        model = Item
        fields = ("kind", "title", "summary", "category", "body")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16, "class": "markdown-input"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        if isinstance(category, forms.ModelChoiceField):
            category.empty_label = _("不分栏目")
        if self.instance.pk:
            self.fields["kind"].disabled = True  # an article does not become a video
            self.initial.setdefault(
                "tag_names", "、".join(tag.name for tag in self.instance.tags.all())
            )
        self.cover_type = ""
        self.media_type = ""

    def clean_cover_upload(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("cover_upload")
        if upload:
            self.cover_type = check_cover(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind") or self.instance.kind
        upload = cleaned.get("media_upload")
        if kind in (ItemKind.AUDIO, ItemKind.VIDEO):
            if upload:
                try:
                    self.media_type = check_media(upload, kind)
                except forms.ValidationError as error:
                    self.add_error("media_upload", error)
            elif not self.instance.media:
                self.add_error("media_upload", _("请上传音频或视频文件。"))
        elif upload:
            self.add_error("media_upload", _("文章不需要上传音频或视频；请把类型改为音频或视频。"))
        elif kind == ItemKind.ARTICLE and not (cleaned.get("body") or "").strip():
            self.add_error("body", _("请填写正文。"))
        return cleaned
