"""Changes to knowledge content. Each runs in one transaction that also updates the full-text
index and writes its audit entry (content is T0, but who published what is of consequence)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from sunflower.accounts.models import Role, User
from sunflower.audit.events import changed_fields, record
from sunflower.content import search
from sunflower.content.models import Item, ItemStatus, Tag

EDITABLE = ("kind", "title", "summary", "body", "category_id")


def tags_from_text(text: str) -> list[Tag]:
    """Tags named in *text* (separated by commas, 、 or spaces), made when new."""
    names = [n.strip()[:20] for n in text.replace("，", ",").replace("、", ",").split(",")]
    names = [n for part in names for n in part.split() if n]
    return [Tag.objects.get_or_create(name=name)[0] for name in dict.fromkeys(names)]


def _snapshot(item: Item) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in EDITABLE}
    values["tags"] = sorted(tag.pk for tag in item.tags.all()) if item.pk else []
    values["cover"] = item.cover.name
    values["media"] = item.media.name
    return values


def _attach(item: Item, cover: tuple[UploadedFile, str] | None, media: Any) -> None:
    if cover is not None:
        upload, content_type = cover
        item.cover_type = content_type
        item.cover.save(upload.name or "cover", upload, save=False)
    if media is not None:
        upload, content_type = media
        item.media_type = content_type
        item.media.save(upload.name or "media", upload, save=False)


@transaction.atomic
def do_save_item(
    actor: User,
    item: Item | None,
    *,
    fields: dict[str, Any],
    tags: Iterable[Tag],
    cover: tuple[UploadedFile, str] | None = None,
    media: tuple[UploadedFile, str] | None = None,
    request: HttpRequest | None = None,
) -> Item:
    """Create (*item* None) or edit an item; a published item stays published."""
    creating = item is None
    if item is None:
        item = Item(created_by=actor)
        before: dict[str, Any] = {}
    else:
        item = Item.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _attach(item, cover, media)
    item.save()
    item.tags.set(list(tags))
    search.sync(item)
    after = _snapshot(item)
    record(
        "content.item_created" if creating else "content.item_updated",
        actor=actor,
        actor_role=Role.PROGRAMME_ADMIN,
        target=item,
        request=request,
        changes=changed_fields(before, after),
    )
    return item


@transaction.atomic
def do_set_published(
    actor: User, item_id: int, published: bool, request: HttpRequest | None = None
) -> Item:
    item = Item.objects.select_for_update().get(pk=item_id)
    wanted = ItemStatus.PUBLISHED if published else ItemStatus.DRAFT
    if item.status != wanted:
        item.status = wanted
        if published:
            item.published_at = timezone.now()
        item.save(update_fields=["status", "published_at", "updated_at"])
        search.sync(item)
        record(
            "content.item_published" if published else "content.item_unpublished",
            actor=actor,
            actor_role=Role.PROGRAMME_ADMIN,
            target=item,
            request=request,
        )
    return item


@transaction.atomic
def do_delete_item(actor: User, item_id: int, request: HttpRequest | None = None) -> None:
    item = Item.objects.select_for_update().get(pk=item_id)
    files = [f for f in (item.cover, item.media) if f]
    record(
        "content.item_deleted",
        actor=actor,
        actor_role=Role.PROGRAMME_ADMIN,
        target=item,
        request=request,
        changes={"title": item.title},
    )
    search.remove([item.pk])
    item.delete()
    for stored in files:
        transaction.on_commit(partial(stored.storage.delete, stored.name or ""))


def count_read(item: Item) -> None:
    """One more reading: an aggregate counter, nothing about who read."""
    Item.objects.filter(pk=item.pk).update(read_count=F("read_count") + 1)


def reindex_all() -> int:
    """Rebuild the whole index (e.g. after jieba's dictionary changed)."""
    with transaction.atomic():
        items = list(Item.objects.select_related("category").prefetch_related("tags"))
        search.remove([item.pk for item in items])
        for item in items:
            search.sync(item)
    return len(items)
