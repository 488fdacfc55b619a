"""Suppression of small counts in aggregates (DESIGN.md §4 rule 4).

No number derived from fewer than *k* people is shown. Among sibling cells that add up to a
shown total, hiding a single cell is not enough — it could be recovered as the total minus the
others — so the next smallest cell is hidden with it (complementary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings


def threshold(k: int | None = None) -> int:
    return settings.SUNFLOWER_MIN_CELL if k is None else k


def hidden_label(k: int | None = None) -> str:
    return f"<{threshold(k)}"


def suppress(count: int, k: int | None = None) -> int | str:
    """*count*, or "<k" when it is derived from fewer than *k* people."""
    return hidden_label(k) if count < threshold(k) else count


def suppress_cells(counts: Sequence[int], k: int | None = None) -> list[int | str]:
    """Sibling cells of one total: small ones hidden, and a lone hidden cell gets a companion."""
    limit = threshold(k)
    hidden = {i for i, count in enumerate(counts) if count < limit}
    if len(hidden) == 1:
        shown = sorted((count, i) for i, count in enumerate(counts) if i not in hidden)
        if shown:
            hidden.add(shown[0][1])
    return [hidden_label(k) if i in hidden else count for i, count in enumerate(counts)]
