"""Sample content for the permission matrix and the content tests."""

from __future__ import annotations

import io
import wave
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from sunflower.content import search
from sunflower.content.models import Category, Item, ItemKind, ItemStatus, Recommendation, Tag

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def wav_bytes(seconds: float = 0.1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return buffer.getvalue()


def _stored(name: str, data: bytes) -> str:
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    return name


def content_sample_for_matrix(arg: str) -> Any:
    category, _ = Category.objects.get_or_create(name="睡眠与休息")
    if arg == "category_id":
        return category.pk
    item = Item.objects.filter(title="矩阵样本").first()
    if item is None:
        item = Item.objects.create(
            kind=ItemKind.AUDIO,
            title="矩阵样本",
            body="放松练习说明",
            category=category,
            status=ItemStatus.PUBLISHED,
            published_at=timezone.now(),
            cover=_stored("content/covers/matrix.png", PNG),
            cover_type="image/png",
            media=_stored("content/media/matrix.wav", wav_bytes()),
            media_type="audio/wav",
        )
        search.sync(item)
    return item.pk


def recommendation_sample_for_matrix() -> int:
    """A rule recommending a tag with PHQ-9's moderate band."""
    tag, _ = Tag.objects.get_or_create(name="求助")
    rule, _ = Recommendation.objects.get_or_create(
        instrument_id="phq9", band_code="moderate", tag=tag
    )
    return rule.pk
