"""The full-text index of knowledge content, in the database's own full-text engine.

SQLite: an FTS5 table `content_search` (rowid = item id; columns title, summary, body) holding
jieba-segmented text joined by spaces, ranked by bm25() with the title weighted highest.
PostgreSQL: a table `content_search` (item_id, document tsvector, GIN index) whose document is
built from the segmented words directly (`array_to_tsvector`, weights A/B/C for title,
summary/tags, body) and searched with a tsquery of the segmented query, ranked by ts_rank.
Building tsvectors from words (not with to_tsvector) keeps Chinese words intact whatever the
server's locale. ADR 15 explains the choices.

Every change to an item calls `sync(item)` inside the transaction of the change, so the index
never disagrees with what was committed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sunflower.content import segment
from sunflower.content.models import Item, ItemStatus
from sunflower.lib.markdown import render_markdown, sanitise_html

MAX_RESULTS = 500
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
SNIPPET_CHARS = 90


class QueryError(ValueError):
    """A query that cannot be searched; str() is a message for the person searching."""


def _fields(item: Item) -> tuple[list[str], list[str], list[str]]:
    tags = " ".join(tag.name for tag in item.tags.all()) if item.pk else ""
    category = item.category.name if item.category_id and item.category else ""
    return (
        segment.index_tokens(item.title),
        segment.index_tokens(f"{item.summary} {tags} {category}"),
        segment.index_tokens(plain_text(item.body)),
    )


def sync(item: Item) -> None:
    """Write *item*'s row of the index (replacing the old one). Call inside the transaction
    that changed the item; the caller has saved the item and its tags."""
    title, summary, body = _fields(item)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO content_search (item_id, document) VALUES (%s, "
                "setweight(array_to_tsvector(%s::text[]), 'A') || "
                "setweight(array_to_tsvector(%s::text[]), 'B') || "
                "setweight(array_to_tsvector(%s::text[]), 'C')) "
                "ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                [item.pk, title, summary, body],
            )
        else:
            cursor.execute("DELETE FROM content_search WHERE rowid = %s", [item.pk])
            cursor.execute(
                "INSERT INTO content_search (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                [item.pk, " ".join(title), " ".join(summary), " ".join(body)],
            )


def remove(item_ids: Iterable[int]) -> None:
    """Drop the index rows of deleted items (in the transaction that deletes them)."""
    ids = list(item_ids)
    if not ids:
        return
    column = "item_id" if connection.vendor == "postgresql" else "rowid"
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM content_search WHERE {column} IN ({marks})", ids)  # noqa: S608


def check_query(query: str) -> list[str]:
    """The words to search for, or QueryError with a clear message."""
    from django.utils.translation import gettext as _

    query = query.strip()
    if len(query) > segment.MAX_QUERY_CHARS:
        raise QueryError(
            _("搜索内容太长了，请少于 %(n)s 个字，用几个关键词试试。")
            % {"n": segment.MAX_QUERY_CHARS}
        )
    terms = segment.query_terms(query)
    if not terms:
        raise QueryError(
            _("请输入要查找的关键词，例如“失眠”“焦虑”“压力”。常用虚词和标点无法单独搜索。")
        )
    return terms


def _fts5_query(terms: list[str]) -> str:
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _tsquery(terms: list[str]) -> str:
    return " & ".join("'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms)


def search_ids(
    terms: list[str], *, published_only: bool, kind: str = "", category_id: int | None = None
) -> list[int]:
    """Ids of the items matching every word of *terms*, best first."""
    where: list[str] = []
    params: list[str] = []
    if published_only:
        where.append("i.status = %s")
        params.append(ItemStatus.PUBLISHED.value)
    if kind:
        where.append("i.kind = %s")
        params.append(kind)
    if category_id is not None:
        where.append("i.category_id = %s")
        params.append(str(category_id))
    extra = "".join(f" AND {clause}" for clause in where)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT i.id FROM content_search s JOIN content_item i ON i.id = s.item_id "  # noqa: S608
            f"WHERE s.document @@ %s::tsquery{extra} "
            "ORDER BY ts_rank(s.document, %s::tsquery) DESC, i.published_at DESC NULLS LAST, "
            "i.id DESC LIMIT %s"
        )
        tsquery = _tsquery(terms)
        args: list[str | int] = [tsquery, *params, tsquery, MAX_RESULTS]
    else:
        sql = (
            "SELECT i.id FROM content_search s JOIN content_item i ON i.id = s.rowid "  # noqa: S608
            f"WHERE content_search MATCH %s{extra} "
            f"ORDER BY bm25(content_search, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {BODY_WEIGHT}), "
            "i.published_at DESC, i.id DESC LIMIT %s"
        )
        args = [_fts5_query(terms), *params, MAX_RESULTS]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [row[0] for row in cursor.fetchall()]


# Snippets ------------------------------------------------------------------------------


def plain_text(markdown: str) -> str:
    """The readable text of a Markdown body: rendered, stripped of every tag, unescaped."""
    text = sanitise_html(str(render_markdown(markdown)))
    text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """*text* escaped, with each occurrence of a term wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece is escaped above)


def snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> SafeString:
    """About *size* characters of *text* around its first matching term, highlighted."""
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = 0 if match is None else max(0, match.start() - size // 4)
    piece = text[start : start + size]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + size < len(text) else ""
    return mark_safe(f"{prefix}{highlight(piece, terms)}{suffix}")  # noqa: S308 (escaped)


@dataclass
class Hit:
    item: Item
    title: SafeString
    snippet: SafeString


def hits(items: Iterable[Item], query: str) -> list[Hit]:
    terms = segment.highlight_terms(query)
    return [
        Hit(
            item=item,
            title=highlight(item.title, terms),
            snippet=snippet(f"{item.summary} {plain_text(item.body)}".strip(), terms),
        )
        for item in items
    ]
