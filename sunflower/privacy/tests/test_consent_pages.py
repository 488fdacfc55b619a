"""The cadre's privacy pages: status, the notice with its own consent box, withdrawal."""

from __future__ import annotations

import re

from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.privacy import actions
from sunflower.privacy.consent import has_consent
from sunflower.privacy.models import Consent, ConsentNotice


class OverviewTestCase:
    def test_it_says_consent_has_not_been_given(self, cadre: User, notice: ConsentNotice) -> None:
        body = logged_in(cadre).get(reverse("privacy:overview")).content.decode()
        assert "尚未同意" in body
        assert reverse("privacy:consent") in body
        assert reverse("privacy:export-json") in body
        assert reverse("privacy:export-pdf") in body
        assert reverse("privacy:request-deletion") in body
        assert "12356" in body

    def test_it_shows_the_consent_given(self, cadre: User, notice: ConsentNotice) -> None:
        actions.do_give_consent(cadre, notice)
        body = logged_in(cadre).get(reverse("privacy:overview")).content.decode()
        assert "已同意" in body
        assert "《心理健康服务个人信息处理告知书》（第 1 版）" in body
        assert reverse("privacy:withdraw") in body

    def test_it_is_linked_from_me(self, cadre: User) -> None:
        body = logged_in(cadre).get(reverse("web:portal-me")).content.decode()
        assert reverse("privacy:overview") in body
        assert "个人信息与授权" in body

    def test_staff_without_a_roster_person_are_forbidden(self, alice: User) -> None:
        assert logged_in(alice).get(reverse("privacy:overview")).status_code == 403


class ConsentPageTestCase:
    def test_it_shows_the_whole_notice_and_an_unticked_box(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        body = logged_in(cadre).get(reverse("privacy:consent")).content.decode()
        assert "心理健康服务个人信息处理告知书" in body
        assert "12356" in body and "撤回同意" in body
        checkbox = re.search(r'<input type="checkbox" name="agree"[^>]*>', body)
        assert checkbox is not None
        assert "checked" not in checkbox.group(0)

    def test_it_refuses_without_the_box_ticked(self, cadre: User, notice: ConsentNotice) -> None:
        response = logged_in(cadre).post(reverse("privacy:consent"), {"version": 1})
        assert response.status_code == 200
        assert "请先勾选" in response.content.decode()
        assert not Consent.objects.exists()

    def test_it_records_consent_when_the_box_is_ticked(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        response = logged_in(cadre).post(
            reverse("privacy:consent"), {"version": 1, "agree": "on"}, REMOTE_ADDR="10.0.0.7"
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("privacy:overview")
        assert has_consent(cadre.person)
        assert Consent.objects.get().source_ip == "10.0.0.7"

    def test_it_refuses_consent_to_a_version_that_was_not_shown(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        response = logged_in(cadre).post(reverse("privacy:consent"), {"version": 7, "agree": "on"})
        assert response.status_code == 302
        assert not Consent.objects.exists()


class WithdrawPageTestCase:
    def test_it_explains_the_consequence_before_withdrawing(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        actions.do_give_consent(cadre, notice)
        client = logged_in(cadre)
        body = client.get(reverse("privacy:withdraw")).content.decode()
        assert "停止对您的心理健康信息进行新的处理" in body
        assert has_consent(cadre.person)  # a GET changes nothing
        response = client.post(reverse("privacy:withdraw"))
        assert response.status_code == 302
        assert not has_consent(cadre.person)

    def test_without_consent_it_goes_back_to_the_overview(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        response = logged_in(cadre).get(reverse("privacy:withdraw"))
        assert response.status_code == 302
        assert response["Location"] == reverse("privacy:overview")
