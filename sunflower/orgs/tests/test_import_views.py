import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from conftest import City, logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.keystore import keyring
from sunflower.orgs import importer
from sunflower.orgs.models import Person, RosterImport
from sunflower.orgs.tests.rosterfiles import cadre, csv_bytes, id_number, xlsx

UPLOAD_URL = reverse("orgs:import")


def upload(client: Client, data: bytes, name: str = "roster.xlsx") -> Any:
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, data)})


def review_url(staged: RosterImport) -> str:
    return reverse("orgs:import-review", args=[staged.pk])


def raw_content(staged: RosterImport) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM orgs_rosterimport WHERE id = %s", [staged.pk.hex])
        row = cursor.fetchone()
    return row[0]


def latest() -> RosterImport:
    return RosterImport.objects.latest("created_at")


class ImportUploadTestCase:
    def test_it_requires_login(self, city: City) -> None:
        response = Client().get(UPLOAD_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_it_requires_a_roster_role(self, cadre: User) -> None:
        assert logged_in(cadre).get(UPLOAD_URL).status_code == 403

    def test_it_shows_the_form_and_the_template_link(self, alice: User) -> None:
        response = logged_in(alice).get(UPLOAD_URL)
        assert response.status_code == 200
        assert reverse("orgs:import-template") in response.content.decode()

    def test_it_checks_and_stages_a_valid_file_without_applying_it(self, alice: User) -> None:
        response = upload(logged_in(alice), xlsx([cadre(1), cadre(2)]))
        staged = latest()
        assert response.status_code == 302
        assert response["Location"] == review_url(staged)
        assert staged.uploaded_by == alice
        assert staged.status == RosterImport.Status.CHECKED
        assert staged.summary["created"] == 2
        stored = raw_content(staged)
        assert stored is not None and stored.startswith("sf1.")  # encrypted at rest
        assert Person.objects.count() == 0

    def test_it_does_not_keep_a_file_with_errors(self, alice: User) -> None:
        upload(logged_in(alice), xlsx([cadre(1, 手机号="")]))
        staged = latest()
        assert staged.status == RosterImport.Status.REJECTED
        assert raw_content(staged) is None

    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("roster.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", "只能上传 .xlsx 或 .csv 文件"),
            ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版 Excel"),
            ("roster.csv", b"\xff\xfe\0\0binary", "只能上传 .xlsx 或 .csv 文件"),
        ],
    )
    def test_it_refuses_a_file_that_is_not_a_table_by_its_content(
        self, alice: User, name: str, data: bytes, message: str
    ) -> None:
        response = upload(logged_in(alice), data, name)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not RosterImport.objects.exists()

    def test_it_refuses_an_empty_upload(self, alice: User) -> None:
        response = upload(logged_in(alice), b"")
        assert response.status_code == 200
        assert "field-error" in response.content.decode()
        assert not RosterImport.objects.exists()

    def test_it_refuses_a_file_over_the_size_limit(self, alice: User, settings: Any) -> None:
        settings.SUNFLOWER_MAX_IMPORT_BYTES = 1024
        response = upload(logged_in(alice), csv_bytes([cadre(n) for n in range(1, 40)]), "a.csv")
        assert response.status_code == 200
        assert "文件太大" in response.content.decode()
        assert not RosterImport.objects.exists()

    def test_it_accepts_a_gb18030_csv(self, alice: User) -> None:
        upload(logged_in(alice), csv_bytes([cadre(1)], encoding="gb18030"), "花名册.csv")
        staged = latest()
        assert staged.status == RosterImport.Status.CHECKED
        assert staged.filename == "花名册.csv"

    def test_it_shows_a_file_with_wrong_headers_on_the_review_page(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1)], header=["姓名", "电话"]))
        page = client.get(review_url(latest())).content.decode()
        assert "缺少必需的列" in page
        assert "无法识别的列：电话" in page


class ImportReviewTestCase:
    def test_it_lists_every_error_by_row_and_column(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1), cadre(2, 手机号="123"), cadre(3, 单位代码="370200")]))
        response = client.get(review_url(latest()))
        page = response.content.decode()
        assert response.status_code == 200
        assert '<td class="num">3</td><td>手机号</td><td>手机号应为11位，当前为3位</td>' in page
        assert "单位代码“370200”不存在或不在您的管理范围内" in page
        assert "确认导入" not in page

    def test_it_lists_what_would_change_and_offers_to_apply_it(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(id_number=id_number(2))
        client = logged_in(alice)
        upload(client, xlsx([cadre(1, 姓名="新同志"), cadre(2, 姓名=person.name)]))
        page = client.get(review_url(latest())).content.decode()
        assert "新同志" in page
        assert "新增" in page and "更新" in page
        assert "确认导入" in page

    def test_it_applies_the_file_on_confirmation_and_erases_it(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1), cadre(2)]))
        staged = latest()
        response = client.post(review_url(staged), {"confirm": "1"})
        assert response.status_code == 302
        assert Person.objects.count() == 2
        staged.refresh_from_db()
        assert staged.status == RosterImport.Status.APPLIED
        assert staged.applied_at is not None
        assert raw_content(staged) is None
        event = AuditEvent.objects.get(action="roster.import")
        assert event.actor == alice
        assert event.object_id == str(staged.pk)
        assert event.changes["created"] == 2
        page = client.get(review_url(staged)).content.decode()
        assert "导入完成" in page
        assert "确认导入" not in page

    def test_it_applies_a_file_only_once(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1)]))
        staged = latest()
        client.post(review_url(staged), {"confirm": "1"})
        response = client.post(review_url(staged), {"confirm": "1"}, follow=True)
        assert "已经导入、已放弃或已过期" in response.content.decode()
        assert AuditEvent.objects.filter(action="roster.import").count() == 1

    def test_it_checks_again_at_confirmation(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1), cadre(2)]))
        staged = latest()
        # Meanwhile someone registers the second person in district B.
        make_person(unit=city.district_b, id_number=id_number(2))
        response = client.post(review_url(staged), {"confirm": "1"}, follow=True)
        page = response.content.decode()
        assert "未导入任何数据" in page
        assert "范围以外" in page
        assert Person.objects.count() == 1
        staged.refresh_from_db()
        assert staged.status == RosterImport.Status.REJECTED
        assert raw_content(staged) is None

    def test_it_discards_a_staged_file(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1)]))
        staged = latest()
        response = client.post(review_url(staged), {"discard": "1"})
        assert response.status_code == 302
        assert raw_content(staged) is None
        client.post(review_url(staged), {"confirm": "1"})
        assert Person.objects.count() == 0

    def test_it_shows_an_import_only_to_its_uploader(
        self, alice: User, bob: User, charlie: User
    ) -> None:
        upload(logged_in(alice), xlsx([cadre(1)]))
        staged = latest()
        for other in (charlie, bob):  # not even the city admin
            client = logged_in(other)
            assert client.get(review_url(staged)).status_code == 404
            assert client.post(review_url(staged), {"confirm": "1"}).status_code == 404
        assert Person.objects.count() == 0

    def test_it_answers_404_for_an_unknown_import(self, alice: User) -> None:
        url = reverse("orgs:import-review", args=["00000000-0000-0000-0000-000000000000"])
        assert logged_in(alice).get(url).status_code == 404

    def test_it_pages_through_many_errors(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, csv_bytes([cadre(n, 手机号="1") for n in range(1, 151)]), "a.csv")
        url = review_url(latest())
        first = client.get(url).content.decode()
        second = client.get(url, {"page": 2}).content.decode()
        assert '<td class="num">101</td>' in first
        assert '<td class="num">102</td>' not in first
        assert '<td class="num">151</td>' in second

    def test_it_speaks_english_when_the_ui_is_english(self, alice: User) -> None:
        client = logged_in(alice)
        client.cookies["django_language"] = "en"
        upload(client, xlsx([cadre(1, 手机号="")]))
        message = latest().summary["errors"][0]["message"]
        assert message == _english("请填写手机号")
        assert message != "请填写手机号"
        page = client.get(review_url(latest()))
        assert page.status_code == 200
        assert message in page.content.decode()


def _english(message: str) -> str:
    with translation.override("en"):
        return translation.gettext(message)


class ImportTemplateTestCase:
    def test_it_downloads_the_template(self, alice: User) -> None:
        response = logged_in(alice).get(reverse("orgs:import-template"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        assert book.sheetnames == ["花名册", "填写说明"]

    def test_it_requires_a_roster_role(self, cadre: User) -> None:
        assert logged_in(cadre).get(reverse("orgs:import-template")).status_code == 403


def exported(response: Any) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(row) for row in book["花名册"].iter_rows(values_only=True)]
    book.close()
    return rows


class ExportTestCase:
    def test_it_exports_only_the_people_in_scope(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        mine = make_person(unit=city.town_a1, name="甲", mobile="13900000001")
        make_person(unit=city.district_b, name="乙")
        response = logged_in(alice).get(reverse("orgs:export"))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        header, *rows = exported(response)
        assert header == list(importer.COLUMNS)
        assert [row[:4] for row in rows] == [["甲", mine.id_number, "13900000001", "370101"]]
        event = AuditEvent.objects.get(action="roster.export")
        assert (event.actor, event.changes["rows"]) == (alice, 1)

    def test_it_exports_the_filtered_roster(
        self, city: City, bob: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(unit=city.town_a1, name="甲")
        make_person(unit=city.district_b, name="乙")
        response = logged_in(bob).get(reverse("orgs:export"), {"q": "乙"})
        assert [row[0] for row in exported(response)[1:]] == ["乙"]

    def test_an_export_reimports_with_nothing_to_change(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(unit=city.town_a1)
        make_person(unit=city.district_a)
        client = logged_in(alice)
        upload(client, client.get(reverse("orgs:export")).content)
        assert latest().summary["unchanged"] == 2
        assert latest().summary["error_count"] == 0

    def test_it_requires_a_roster_role(self, cadre: User) -> None:
        assert logged_in(cadre).get(reverse("orgs:export")).status_code == 403

    def test_it_finds_people_by_blind_index_after_an_import(self, alice: User) -> None:
        client = logged_in(alice)
        upload(client, xlsx([cadre(1)]))
        client.post(review_url(latest()), {"confirm": "1"})
        digest = keyring.blind_index("id_number", id_number(1))
        assert Person.objects.filter(id_number_index=digest).exists()
