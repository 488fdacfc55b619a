"""Items recommended with an assessment result, by instrument and band.

The rules (`Recommendation` rows) name, for an instrument and a band (blank: any band), either
a tag or one item. The result page asks for at most three published items: explicit items
first, then items carrying a named tag; within each, the band's own rules before the rules for
any band, then explicit items in rule order and tagged items newest first. Two queries
whatever the rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from sunflower.content.models import Item, ItemStatus, Recommendation

LIMIT = 3


def recommended_items(instrument_id: str, band_code: str, limit: int = LIMIT) -> list[Item]:
    rules = list(
        Recommendation.objects.filter(
            Q(band_code=band_code) | Q(band_code=""), instrument_id=instrument_id
        ).values_list("item_id", "tag_id", "band_code")
    )
    if not rules:
        return []
    # Rules for the exact band come before those for any band.
    rules.sort(key=lambda rule: rule[2] == "")
    item_ids = [item for item, _tag, _band in rules if item is not None]
    tag_ids = [tag for _item, tag, _band in rules if tag is not None]
    band_tags = [tag for _item, tag, band in rules if tag is not None and band]
    candidates: Iterable[Item] = (
        Item.objects.filter(Q(pk__in=item_ids) | Q(tags__in=tag_ids), status=ItemStatus.PUBLISHED)
        .annotate(
            for_band=Exists(
                Item.tags.through.objects.filter(item=OuterRef("pk"), tag_id__in=band_tags)
            )
        )
        .select_related("category")
        .distinct()
        .order_by("-published_at", "-pk")[:50]
    )
    explicit = {pk: n for n, pk in enumerate(item_ids)}

    # Explicit items in rule order (the band's first, as sorted above); then tagged items,
    # the band's own tags before any band's, each newest first (the query's order; stable).
    def rank(item: Item) -> tuple[int, bool]:
        for_band: bool = item.for_band  # type: ignore[attr-defined]  # the annotation above
        return explicit.get(item.pk, len(explicit)), not for_band

    ordered = sorted(candidates, key=rank)
    return ordered[:limit]
