"""Uploading a licensed instrument: checks, immutability, who may, and using it in a campaign."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import City, confirmed, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments import actions, campaigns, catalogue, instruments
from sunflower.assessments.models import CampaignMode, InstalledInstrument, ResponseStatus
from sunflower.audit.models import AuditEvent

DEMO = Path(__file__).resolve().parents[2] / "scales" / "tests" / "fixtures" / "demo.v1.yaml"


@pytest.fixture(autouse=True)
def _fresh_catalogue() -> Iterator[None]:
    catalogue.forget()
    yield
    catalogue.forget()


def install(actor: User, raw: bytes | None = None, **fields: object) -> tuple[object, bool]:
    values: dict[str, object] = {
        "filename": "demo.v1.yaml",
        "purpose": "演示用途",
        "minutes": 2,
        "self_assessment": False,
        "licence_note": "已取得书面授权",
    }
    values.update(fields)
    return instruments.do_install_instrument(actor, raw or DEMO.read_bytes(), **values)  # type: ignore[arg-type]


class InstallTestCase:
    def test_it_stores_an_upload_every_process_can_load(self, bob: User) -> None:
        _instrument, new = install(bob)
        assert new
        row = InstalledInstrument.objects.get()
        assert (row.instrument_id, row.version) == ("demo", "1")
        assert row.source == DEMO.read_text(encoding="utf-8")
        assert catalogue.instrument("demo").ref == "demo@1"
        assert AuditEvent.objects.filter(action="instrument.install").count() == 1

    def test_the_same_file_again_changes_nothing(self, bob: User) -> None:
        install(bob)
        _instrument, new = install(bob)
        assert not new
        assert InstalledInstrument.objects.count() == 1

    def test_a_changed_file_under_the_same_version_is_refused(self, bob: User) -> None:
        install(bob)
        changed = DEMO.read_text(encoding="utf-8").replace("测试条目一", "另一个").encode()
        with pytest.raises(instruments.InstrumentUploadError, match="版本号"):
            install(bob, changed)
        assert "另一个" not in InstalledInstrument.objects.get().source

    def test_a_broken_file_names_the_field_and_stores_nothing(self, bob: User) -> None:
        broken = DEMO.read_text(encoding="utf-8").replace('version: "1"', "version: [1]").encode()
        with pytest.raises(instruments.InstrumentUploadError, match="version"):
            install(bob, broken)
        assert not InstalledInstrument.objects.exists()

    def test_a_shipped_id_cannot_be_taken_over(self, bob: User) -> None:
        text = DEMO.read_text(encoding="utf-8").replace("id: demo", "id: phq9")
        with pytest.raises(instruments.InstrumentUploadError, match="平台自带"):
            install(bob, text.encode())

    def test_only_a_city_wide_programme_admin_may_upload(self, city: City) -> None:
        district_admin = make_user("district-admin", (Role.PROGRAMME_ADMIN, city.district_a))
        with pytest.raises(instruments.InstrumentUploadError, match="全市"):
            install(district_admin)
        assert not InstalledInstrument.objects.exists()

    def test_another_process_finds_an_upload_it_had_not_loaded(self, bob: User) -> None:
        catalogue.library()  # this process loaded the library before the upload ...
        InstalledInstrument.objects.create(  # ... which another process then made
            instrument_id="demo",
            version="1",
            source=DEMO.read_text(encoding="utf-8"),
            purpose="演示",
            minutes=2,
            licence_note="授权",
        )
        assert catalogue.instrument("demo", "1").ref == "demo@1"
        assert catalogue.entry("demo") is not None


class UploadPageTestCase:
    def test_the_form_shows_the_problem_and_keeps_nothing(self, bob: User) -> None:
        client = confirmed(bob)
        upload = SimpleUploadedFile("demo.v1.yaml", b"id: [not, valid", "application/x-yaml")
        page = client.post(
            reverse("instruments:upload"),
            {"file": upload, "purpose": "演示", "minutes": 2, "licence_note": "授权"},
        )
        assert page.status_code == 200
        assert "量表文件有误" in page.content.decode()
        assert not InstalledInstrument.objects.exists()

    def test_the_form_installs_and_lists_it(self, bob: User) -> None:
        client = confirmed(bob)
        upload = SimpleUploadedFile("demo.v1.yaml", DEMO.read_bytes(), "application/x-yaml")
        reply = client.post(
            reverse("instruments:upload"),
            {"file": upload, "purpose": "演示", "minutes": 2, "licence_note": "书面授权"},
        )
        assert reply["Location"] == reverse("instruments:list")
        page = client.get(reverse("instruments:list")).content.decode()
        assert "演示量表（测试用）" in page
        assert "书面授权" in page

    def test_the_upload_asks_to_re_authenticate_first(self, bob: User) -> None:
        from conftest import logged_in

        reply = logged_in(bob).get(reverse("instruments:upload"))
        assert reply.status_code == 302
        assert reply["Location"].startswith(reverse("accounts:sudo"))


class CampaignWithUploadTestCase:
    def test_a_campaign_assigns_an_uploaded_instrument_the_catalogue_does_not_offer(
        self, bob: User, city: City, consenting: User
    ) -> None:
        install(bob)
        client = Client()
        client.force_login(consenting)
        assert client.get(reverse("assessments:intro", args=["demo"])).status_code == 404
        now = timezone.now()
        campaign = campaigns.do_create_campaign(
            bob,
            name="授权量表普查",
            instruments=["demo"],
            root_unit=city.city,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=3),
            mode=CampaignMode.CONFIDENTIAL,
        )
        campaigns.do_open_campaign(bob, campaign.pk)
        assert client.get(reverse("assessments:intro", args=["demo"])).status_code == 200
        draft = actions.do_start(consenting, "demo")
        done = actions.do_submit(
            consenting, draft.pk, actions.new_token(), {0: 1, 1: 2, 2: 0, 3: 2}
        )
        assert done.status == ResponseStatus.SUBMITTED
        assert done.instrument_version == "1"
        assert done.result_data()["complete"] is True
