"""Chinese full-text search on the database's own index (FTS5 on SQLite, tsvector on
PostgreSQL): segmentation, ranking, highlighted and escaped snippets, and the index kept in
step with every change."""

from __future__ import annotations

from typing import Any

import pytest

from sunflower.accounts.models import User
from sunflower.content import actions, search, segment
from sunflower.content.models import Item, ItemKind


def make_item(actor: User, title: str, body: str, *, published: bool = True, **more: Any) -> Item:
    item = actions.do_save_item(
        actor,
        None,
        fields={"kind": ItemKind.ARTICLE, "title": title, "body": body, **more},
        tags=[],
    )
    if published:
        item = actions.do_set_published(actor, item.pk, True)
    return item


def found(query: str, published_only: bool = True) -> list[int]:
    return search.search_ids(search.check_query(query), published_only=published_only)


class SegmentTestCase:
    def test_it_indexes_the_short_words_inside_a_long_one(self) -> None:
        assert "焦虑" in segment.index_tokens("考试焦虑怎么办")

    def test_it_keeps_only_the_shortest_query_words(self) -> None:
        terms = segment.query_terms("中华人民共和国")
        assert "中华人民共和国" not in terms
        assert "人民" in terms

    def test_it_drops_stop_words_and_punctuation(self) -> None:
        assert segment.query_terms("的了吗？！") == []


@pytest.mark.django_db(transaction=False)
class SearchTestCase:
    def test_it_finds_a_word_inside_a_longer_text(self, bob: User) -> None:
        item = make_item(bob, "考试焦虑怎么办", "遴选考试前紧张很正常。")
        other = make_item(bob, "午休二十分钟", "短暂的午睡能提高专注力。")
        assert found("焦虑") == [item.pk]
        assert other.pk not in found("焦虑")

    def test_it_finds_a_word_in_the_body(self, bob: User) -> None:
        item = make_item(bob, "夜里醒来", "凌晨醒来后开始焦虑，越想越睡不着。")
        assert found("焦虑") == [item.pk]

    def test_it_needs_every_word_of_the_query(self, bob: User) -> None:
        both = make_item(bob, "睡眠与焦虑", "失眠的人常常焦虑。")
        make_item(bob, "只讲睡眠", "规律作息有助于睡眠。")
        assert found("焦虑 睡眠") == [both.pk]

    def test_it_ranks_a_title_match_above_a_body_match(self, bob: User) -> None:
        body_only = make_item(bob, "夜里醒来", "有时会感到焦虑，这很常见。" * 3)
        titled = make_item(bob, "焦虑是什么", "一种保护性的情绪。")
        assert found("焦虑") == [titled.pk, body_only.pk]

    def test_it_finds_latin_words_whatever_their_case(self, bob: User) -> None:
        item = make_item(bob, "PHQ-9 自测", "量表说明")
        assert found("phq") == [item.pk]

    def test_it_never_shows_unpublished_items_to_readers(self, bob: User) -> None:
        draft = make_item(bob, "焦虑草稿", "还没写完", published=False)
        assert found("焦虑") == []
        assert found("焦虑", published_only=False) == [draft.pk]

    def test_it_follows_edits(self, bob: User) -> None:
        item = make_item(bob, "关于睡眠", "规律作息。")
        actions.do_save_item(bob, item, fields={"title": "关于焦虑", "body": "规律作息。"}, tags=[])
        assert found("焦虑") == [item.pk]
        assert found("睡眠") == []

    def test_it_follows_unpublishing_and_publishing(self, bob: User) -> None:
        item = make_item(bob, "焦虑是什么", "正文")
        actions.do_set_published(bob, item.pk, False)
        assert found("焦虑") == []
        actions.do_set_published(bob, item.pk, True)
        assert found("焦虑") == [item.pk]

    def test_it_forgets_deleted_items(self, bob: User) -> None:
        item = make_item(bob, "焦虑是什么", "正文")
        actions.do_delete_item(bob, item.pk)
        assert found("焦虑", published_only=False) == []

    def test_it_finds_tags(self, bob: User) -> None:
        item = make_item(bob, "腹式呼吸", "慢慢吸气。")
        actions.do_save_item(
            bob,
            item,
            fields={"title": "腹式呼吸"},
            tags=actions.tags_from_text("放松、音乐放松"),
        )
        assert found("放松") == [item.pk]

    def test_it_refuses_a_query_of_stop_words(self) -> None:
        with pytest.raises(search.QueryError, match="关键词"):
            search.check_query("的 了 吗")

    def test_it_refuses_a_query_that_is_too_long(self) -> None:
        with pytest.raises(search.QueryError, match="太长"):
            search.check_query("焦" * 41)

    def test_it_treats_query_syntax_as_plain_words(self, bob: User) -> None:
        item = make_item(bob, "焦虑", "正文")
        # Quotes, operators and wildcards are not passed to FTS5 or to a tsquery.
        assert found('焦虑" OR "* & !(') == [item.pk]


class SnippetTestCase:
    def test_it_marks_the_words_and_escapes_everything_else(self) -> None:
        html = search.snippet("<script>alert(1)</script>考试焦虑怎么办", ["焦虑"], size=200)
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "<mark>焦虑</mark>" in html

    def test_it_escapes_a_term_that_looks_like_markup(self) -> None:
        html = search.highlight("a <b> c", ["<b>"])
        assert html == "a <mark>&lt;b&gt;</mark> c"

    def test_it_centres_on_the_first_match(self) -> None:
        html = search.snippet("前" * 200 + "焦虑" + "后" * 200, ["焦虑"], size=40)
        assert html.startswith("…") and html.endswith("…")
        assert "<mark>焦虑</mark>" in html

    def test_it_reads_the_text_of_markdown(self) -> None:
        assert search.plain_text("## 标题\n\n- **重点** [链接](https://example.cn)") == (
            "标题 重点 链接"
        )
