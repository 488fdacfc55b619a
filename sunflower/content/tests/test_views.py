"""The knowledge pages through HTTP: the portal (reading, search, read counts), the console
(edit, preview, uploads checked by their bytes, publish and unpublish, audit) and the
recommendations on a result page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.assessments.tests.conftest import consenting, notice  # noqa: F401 (fixtures)
from sunflower.assessments.tests.helpers import PHQ9_MODERATE, take
from sunflower.audit.models import AuditEvent
from sunflower.content import actions
from sunflower.content.models import Item, ItemKind, ItemStatus, Recommendation
from sunflower.content.recommend import recommended_items
from sunflower.content.tests.samples import PNG, wav_bytes
from sunflower.content.tests.test_search import make_item


def form_data(**more: Any) -> dict[str, Any]:
    return {"kind": "article", "title": "腹式呼吸", "summary": "", "body": "慢慢吸气。", **more}


class PortalTestCase:
    def test_it_shows_published_items_on_the_knowledge_home(self, bob: User, cadre: User) -> None:
        make_item(bob, "焦虑是什么", "正文")
        make_item(bob, "焦虑草稿", "正文", published=False)
        page = logged_in(cadre).get(reverse("content:home")).content.decode()
        assert "焦虑是什么" in page
        assert "焦虑草稿" not in page

    def test_it_answers_404_for_a_draft_to_a_cadre(self, bob: User, cadre: User) -> None:
        draft = make_item(bob, "焦虑草稿", "正文", published=False)
        assert logged_in(cadre).get(reverse("content:item", args=[draft.pk])).status_code == 404

    def test_it_counts_reads_without_recording_who(self, bob: User, cadre: User) -> None:
        item = make_item(bob, "焦虑是什么", "正文")
        client = logged_in(cadre)
        client.get(reverse("content:item", args=[item.pk]))
        client.get(reverse("content:item", args=[item.pk]))
        item.refresh_from_db()
        assert item.read_count == 2
        assert not AuditEvent.objects.filter(action__startswith="content.read").exists()

    def test_it_renders_markdown_sanitised(self, bob: User, cadre: User) -> None:
        item = make_item(bob, "说明", "**重点**<script>alert(1)</script>")
        page = logged_in(cadre).get(reverse("content:item", args=[item.pk])).content.decode()
        assert "<strong>重点</strong>" in page
        assert "<script>alert(1)" not in page

    def test_search_highlights_and_escapes(self, bob: User, cadre: User) -> None:
        make_item(bob, "考试焦虑怎么办", "焦虑时<script>alert(1)</script>深呼吸。")
        page = logged_in(cadre).get(reverse("content:search"), {"q": "焦虑"}).content.decode()
        assert "考试<mark>焦虑</mark>怎么办" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert(1)" not in page

    def test_search_says_when_nothing_is_found(self, cadre: User) -> None:
        page = logged_in(cadre).get(reverse("content:search"), {"q": "失眠"}).content.decode()
        assert "没有找到" in page

    def test_search_explains_a_query_of_stop_words(self, cadre: User) -> None:
        page = logged_in(cadre).get(reverse("content:search"), {"q": "的了吗"}).content.decode()
        assert "请输入要查找的关键词" in page

    def test_search_explains_a_query_that_is_too_long(self, cadre: User) -> None:
        page = logged_in(cadre).get(reverse("content:search"), {"q": "压力" * 30})
        assert "太长" in page.content.decode()

    def test_search_pages_through_results(self, bob: User, cadre: User) -> None:
        for n in range(12):
            make_item(bob, f"焦虑第{n}篇", "正文")
        client = logged_in(cadre)
        first = client.get(reverse("content:search"), {"q": "焦虑"}).content.decode()
        second = client.get(reverse("content:search"), {"q": "焦虑", "page": 2}).content.decode()
        assert "第 1 / 2 页" in first
        assert second.count("<mark>焦虑</mark>第") == 2

    def test_the_learn_tab_has_the_search_box(self, cadre: User) -> None:
        page = logged_in(cadre).get(reverse("web:portal-learn")).content.decode()
        assert reverse("content:search") in page

    def test_it_streams_a_published_audio_item(self, bob: User, cadre: User) -> None:
        item = actions.do_save_item(
            bob,
            None,
            fields={"kind": ItemKind.AUDIO, "title": "音乐放松"},
            tags=[],
            media=(SimpleUploadedFile("a.wav", wav_bytes()), "audio/wav"),
        )
        actions.do_set_published(bob, item.pk, True)
        response = logged_in(cadre).get(reverse("content:media", args=[item.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "audio/wav"
        assert b"".join(response.streaming_content).startswith(b"RIFF")


class ConsoleTestCase:
    def test_it_creates_an_article_as_a_draft_and_audits_it(self, bob: User) -> None:
        response = logged_in(bob).post(
            reverse("content-admin:create"), form_data(tag_names="放松、呼吸")
        )
        item = Item.objects.get()
        assert response.status_code == 302
        assert item.status == ItemStatus.DRAFT
        assert {t.name for t in item.tags.all()} == {"放松", "呼吸"}
        assert AuditEvent.objects.filter(action="content.item_created").count() == 1

    def test_it_previews_without_saving(self, bob: User) -> None:
        page = logged_in(bob).post(
            reverse("content-admin:create"), form_data(action="preview", body="**粗体**")
        )
        assert "<strong>粗体</strong>" in page.content.decode()
        assert not Item.objects.exists()

    def test_it_accepts_a_png_cover(self, bob: User) -> None:
        cover = SimpleUploadedFile("c.png", PNG, content_type="image/png")
        logged_in(bob).post(reverse("content-admin:create"), form_data(cover_upload=cover))
        assert Item.objects.get().cover_type == "image/png"

    def test_it_refuses_a_cover_whose_bytes_are_not_an_image(self, bob: User) -> None:
        fake = SimpleUploadedFile("c.png", b"<svg onload=alert(1)>", content_type="image/png")
        page = logged_in(bob).post(reverse("content-admin:create"), form_data(cover_upload=fake))
        assert "PNG、JPEG 或 WebP" in page.content.decode()
        assert not Item.objects.exists()

    def test_it_refuses_audio_whose_bytes_are_not_audio(self, bob: User) -> None:
        fake = SimpleUploadedFile("a.mp3", b"PK\x03\x04 not audio", content_type="audio/mpeg")
        page = logged_in(bob).post(
            reverse("content-admin:create"),
            form_data(kind="audio", media_upload=fake, body=""),
        )
        assert "音频只接受" in page.content.decode()
        assert not Item.objects.exists()

    def test_it_publishes_and_unpublishes(self, bob: User) -> None:
        item = make_item(bob, "焦虑是什么", "正文", published=False)
        client = logged_in(bob)
        client.post(reverse("content-admin:publish", args=[item.pk]))
        item.refresh_from_db()
        assert item.status == ItemStatus.PUBLISHED
        client.post(reverse("content-admin:unpublish", args=[item.pk]))
        item.refresh_from_db()
        assert item.status == ItemStatus.DRAFT
        actions_done = AuditEvent.objects.values_list("action", flat=True)
        assert "content.item_published" in actions_done
        assert "content.item_unpublished" in actions_done

    def test_it_searches_drafts_and_filters_by_status(self, bob: User) -> None:
        make_item(bob, "焦虑草稿", "正文", published=False)
        make_item(bob, "焦虑发布", "正文")
        client = logged_in(bob)
        page = client.get(reverse("content-admin:list"), {"q": "焦虑", "status": "draft"})
        text = page.content.decode()
        assert "焦虑草稿" in text and "焦虑发布" not in text

    def test_the_list_uses_a_fixed_number_of_queries(self, bob: User) -> None:
        for n in range(5):
            make_item(bob, f"文章{n}", "正文")
        client = logged_in(bob)
        client.get(reverse("content-admin:list"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("content-admin:list"))
        for n in range(5, 15):
            make_item(bob, f"文章{n}", "正文")
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("content-admin:list"))
        assert len(many) == len(few)

    def test_a_cadre_cannot_edit(self, bob: User, cadre: User) -> None:
        item = make_item(bob, "焦虑是什么", "正文")
        client = logged_in(cadre)
        assert client.post(reverse("content-admin:unpublish", args=[item.pk])).status_code == 403


@pytest.mark.django_db
class RecommendationTestCase:
    def test_the_result_page_shows_up_to_three_recommended_items(
        self,
        bob: User,
        consenting: User,  # noqa: F811 (the imported fixture)
    ) -> None:
        tag = actions.tags_from_text("求助")[0]
        for n in range(4):
            item = make_item(bob, f"求助指南{n}", "正文")
            actions.do_save_item(bob, item, fields={}, tags=[tag])
        hidden = make_item(bob, "未发布的求助", "正文", published=False)
        actions.do_save_item(bob, hidden, fields={}, tags=[tag])
        Recommendation.objects.create(instrument_id="phq9", band_code="moderate", tag=tag)
        response = take(consenting, "phq9", PHQ9_MODERATE)
        page = logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        text = page.content.decode()
        assert "推荐阅读" in text
        assert text.count("求助指南") == 3
        assert "未发布的求助" not in text

    def test_the_bands_own_tags_come_before_any_bands_tags(self, bob: User) -> None:
        own, general = actions.tags_from_text("中度 放松")
        older = make_item(bob, "中度时怎么办", "正文")
        actions.do_save_item(bob, older, fields={}, tags=[own])
        newer = make_item(bob, "放松练习", "正文")
        actions.do_save_item(bob, newer, fields={}, tags=[general])
        Item.objects.filter(pk=older.pk).update(published_at=timezone.now() - timedelta(days=30))
        Recommendation.objects.create(instrument_id="phq9", band_code="", tag=general)
        Recommendation.objects.create(instrument_id="phq9", band_code="moderate", tag=own)
        shown = [item.title for item in recommended_items("phq9", "moderate")]
        assert shown == ["中度时怎么办", "放松练习"]
        assert [item.title for item in recommended_items("phq9", "mild")] == ["放松练习"]

    def test_no_rule_shows_nothing(
        self,
        consenting: User,  # noqa: F811
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        page = logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        assert "推荐阅读" not in page.content.decode()
