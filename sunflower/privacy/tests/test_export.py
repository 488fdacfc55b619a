"""A cadre's copy of their own data: JSON and PDF, their data only, T2 sections plugged in,
every export audited, re-authentication first."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse

from conftest import confirmed, logged_in, make_user
from sunflower.accounts.models import LoginEvent, User
from sunflower.audit.models import AuditEvent
from sunflower.keystore.tests.sensitive.models import SensitiveNote
from sunflower.orgs.models import Person
from sunflower.privacy import actions, export
from sunflower.privacy.models import ConsentNotice
from sunflower.privacy.tests.pdftext import pdf_text


@pytest.fixture
def notes_section() -> Iterator[None]:
    """A T2 section as a later app (assessments, talks) would register it."""
    export.register_section(
        export.ExportSection(
            key="test_notes",
            title="谈话记录",
            labels={"body": "内容"},
            collect=lambda person: [
                {"body": note.body} for note in SensitiveNote.objects.filter(person=person)
            ],
            sensitive=True,
        )
    )
    yield
    export.unregister_section("test_notes")


@pytest.fixture
def neighbour(make_person: Callable[..., Person], notice: ConsentNotice) -> User:
    """Another cadre of the same unit, with consent, a note and a deletion request."""
    user = make_user("neighbour", person=make_person(name="李邻居", mobile="13800000099"))
    actions.do_give_consent(user, notice)
    actions.do_request_deletion(user, "邻居的理由")
    SensitiveNote.objects.create(person=user.person, body="邻居的谈话")
    return user


def download(user: User, name: str) -> Any:
    response = confirmed(user).get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="sunflower-my-data-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    return response


def section(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(item for item in data["sections"] if item["key"] == key)


class JsonExportTestCase:
    def test_it_contains_the_cadres_own_data(
        self, cadre: User, notice: ConsentNotice, notes_section: None, neighbour: User
    ) -> None:
        actions.do_give_consent(cadre, notice)
        actions.do_request_deletion(cadre, "不想保留")
        SensitiveNote.objects.create(person=cadre.person, body="本人的谈话")
        LoginEvent.objects.create(user=cadre, outcome="login", source_ip="10.9.8.7")

        data = json.loads(download(cadre, "privacy:export-json").content)

        assert data["person_id"] == str(cadre.person.pk)
        roster = section(data, "roster")["records"]
        assert roster[0]["name"] == "王小明"
        assert roster[0]["mobile"] == "13800000001"
        assert roster[0]["id_number"] == cadre.person.id_number
        assert section(data, "account")["records"][0]["username"] == "cadre"
        consent = section(data, "consents")["records"][0]
        assert consent["notice"] == "心理健康服务个人信息处理告知书（v1）"
        assert section(data, "deletion_requests")["records"][0]["reason"] == "不想保留"
        assert section(data, "logins")["records"][0]["source_ip"] == "10.9.8.7"
        notes = section(data, "test_notes")
        assert notes["sensitive"] is True
        assert notes["records"] == [{"body": "本人的谈话"}]

    def test_it_contains_nobody_elses_data(
        self, cadre: User, notice: ConsentNotice, notes_section: None, neighbour: User
    ) -> None:
        body = download(cadre, "privacy:export-json").content.decode()
        for theirs in (
            "李邻居",
            "13800000099",
            "邻居的理由",
            "邻居的谈话",
            str(neighbour.person.pk),
        ):
            assert theirs not in body

    def test_it_is_audited_with_the_sections_exported(
        self, cadre: User, notes_section: None
    ) -> None:
        download(cadre, "privacy:export-json")
        event = AuditEvent.objects.get(action="privacy.export")
        assert (event.actor, event.object_id) == (cadre, str(cadre.person.pk))
        assert event.changes["format"] == "json"
        assert event.changes["sections"][:5] == [
            "roster",
            "account",
            "roles",
            "consents",
            "deletion_requests",
        ]
        assert "test_notes" in event.changes["sensitive_sections"]
        assert "王小明" not in json.dumps(event.changes, ensure_ascii=False)

    def test_it_needs_the_password_again(self, cadre: User) -> None:
        response = logged_in(cadre).get(reverse("privacy:export-json"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sudo"))
        assert not AuditEvent.objects.filter(action="privacy.export").exists()

    def test_staff_without_a_roster_person_cannot_export(self, alice: User) -> None:
        assert logged_in(alice).get(reverse("privacy:export-json")).status_code == 403


class PdfExportTestCase:
    def test_it_renders_the_cadres_data_in_chinese(
        self, cadre: User, notice: ConsentNotice, notes_section: None, neighbour: User
    ) -> None:
        actions.do_give_consent(cadre, notice)
        SensitiveNote.objects.create(person=cadre.person, body="本人的谈话")

        response = download(cadre, "privacy:export-pdf")

        assert response["Content-Type"] == "application/pdf"
        pdf = response.content
        assert pdf.startswith(b"%PDF-")
        assert b"STSong-Light" in pdf
        text = pdf_text(pdf)
        for words in (
            "我的个人信息副本",
            "花名册信息",
            "王小明",
            "13800000001",
            "本人的谈话",
            "同意记录",
        ):
            assert words in text, words
        assert "谈话记录（敏感个人信息）" in text
        for theirs in ("李邻居", "邻居的谈话", "邻居的理由"):
            assert theirs not in text
        assert AuditEvent.objects.get(action="privacy.export").changes["format"] == "pdf"

    def test_it_shows_empty_sections(self, cadre: User) -> None:
        text = pdf_text(download(cadre, "privacy:export-pdf").content)
        assert "无记录" in text  # no consents yet


class RegistryTestCase:
    def test_a_section_key_cannot_be_taken_twice(self) -> None:
        clash = export.ExportSection(key="roster", title="x", labels={}, collect=lambda p: [])
        with pytest.raises(Exception, match="registered twice"):
            export.register_section(clash)

    def test_login_history_has_no_secret_fields(self) -> None:
        logins = export.login_section()
        assert logins is not None
        assert "user_agent" in logins.labels and "source_ip" in logins.labels
        assert not {"id", "user", "password"} & set(logins.labels)
