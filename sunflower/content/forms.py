"""Input for the knowledge pages: the search box, the console's filters, the item form and the
rules that recommend items with results. Uploaded files are recognised by their first bytes,
never by name or claimed type."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from sunflower.content.models import Category, Item, ItemKind, ItemStatus, Recommendation, Tag
from sunflower.content.recommendations import InstrumentOption
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


class ItemChoiceField(forms.ModelChoiceField):
    """Items by title, a draft marked: it is skipped on result pages until published."""

    def label_from_instance(self, obj: Any) -> str:
        if obj.status == ItemStatus.PUBLISHED:
            return str(obj.title)
        return _("%(title)s（未发布）") % {"title": obj.title}


class RecommendationFilterForm(forms.Form):
    instrument = forms.ChoiceField(label=_l("量表"), required=False)

    def __init__(self, *args: Any, options: list[InstrumentOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
        field.choices = [("", _("全部量表"))] + [(o.instrument_id, o.name) for o in options]


class RecommendationForm(forms.Form):
    """A rule: an instrument and one band of its default band set or any band, then a tag or
    one item (exactly one), and a position. The instrument and band are one choice, written
    "instrument:band" ("phq9:" for any band), so that no script is needed to match them."""

    target = forms.CharField(
        label=_l("量表与结果分级"),
        max_length=90,
        widget=forms.Select,
        help_text=_l("选“所有分级”时，这个量表的任何结果都按这条规则推荐。"),
        error_messages={"required": _l("请选择量表和结果分级。")},
    )
    tag = forms.ModelChoiceField(
        label=_l("标签"),
        queryset=Tag.objects.all(),
        required=False,
        empty_label="—",
        help_text=_l("推荐带这个标签的已发布内容，最新的在前。"),
        error_messages={"invalid_choice": _l("这个标签已不存在，请重新选择。")},
    )
    item = ItemChoiceField(
        label=_l("或指定一条内容"),
        queryset=Item.objects.order_by("title", "pk"),
        required=False,
        empty_label="—",
        help_text=_l("标签和指定内容只选一项。未发布的内容在发布前不会出现在结果页上。"),
        error_messages={"invalid_choice": _l("这条内容已不存在，请重新选择。")},
    )
    position = forms.IntegerField(
        label=_l("顺序"),
        min_value=0,
        max_value=32767,
        initial=0,
        help_text=_l("指定内容之间按此数字从小到大排列；带标签的内容按发布时间排列。"),
        error_messages={"required": _l("请填写顺序，例如 0。")},
    )

    def __init__(self, *args: Any, options: list[InstrumentOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {option.instrument_id: option for option in options}
        any_band = _("所有分级")
        choices: list[Any] = [("", "—")]
        for option in options:
            pairs = [(f"{option.instrument_id}:", f"{option.short} · {any_band}")]
            pairs += [
                (f"{option.instrument_id}:{band.code}", f"{option.short} · {band.label}")
                for band in option.bands
            ]
            choices.append((option.name, pairs))
        self.fields["target"].widget.choices = choices
        self.instrument_id = ""
        self.band_code = ""

    def clean_target(self) -> str:
        value: str = self.cleaned_data["target"]
        instrument_id, _colon, band_code = value.partition(":")
        option = self.options.get(instrument_id)
        if option is None:
            raise forms.ValidationError(_("请从列表中选择量表。"))
        if band_code and option.band(band_code) is None:
            raise forms.ValidationError(
                _("%(instrument)s 没有“%(code)s”这一结果分级，请从列表中选择。")
                % {"instrument": option.short, "code": band_code}
            )
        self.instrument_id, self.band_code = instrument_id, band_code
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tag, item = cleaned.get("tag"), cleaned.get("item")
        if "tag" in self.errors or "item" in self.errors:
            return cleaned
        if tag is not None and item is not None:
            raise forms.ValidationError(_("标签和指定内容只能选一项：请清空其中一项。"))
        if tag is None and item is None:
            raise forms.ValidationError(_("请选择一个标签，或指定一条内容。"))
        if self.instrument_id and (
            Recommendation.objects.filter(
                instrument_id=self.instrument_id, band_code=self.band_code, tag=tag, item=item
            ).exists()
        ):
            raise forms.ValidationError(_("这条推荐规则已经有了，不必重复添加。"))
        return cleaned
