"""Chinese by default, English on request, and the display preferences that ride along.

The catalogue checks run against the files in the tree: every string is translated, nothing is
fuzzy, and the committed .mo says exactly what the .po says.
"""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.lib import i18n_compile
from sunflower.web.context import PREF_COOKIE

CATALOGUES = i18n_compile.catalogues()
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def html_classes(body: str) -> set[str]:
    match = re.search(r'<html[^>]*\sclass="([^"]*)"', body)
    assert match, "the page has no <html class>"
    return set(match.group(1).split())


def html_lang(body: str) -> str:
    match = re.search(r'<html[^>]*\slang="([^"]*)"', body)
    assert match, "the page has no <html lang>"
    return match.group(1)


def switch_language(client: Client, language: str, next_url: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302


class TranslationCatalogueTestCase:
    def test_there_is_an_english_catalogue(self) -> None:
        assert any(path.parts[-3] == "en" for path in CATALOGUES)

    @pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
    def test_it_translates_every_entry_and_nothing_is_fuzzy(self, po_path: Path) -> None:
        catalogue = polib.pofile(str(po_path))
        assert not catalogue.metadata_is_fuzzy
        assert i18n_compile.gaps(catalogue) == []

    @pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
    def test_translations_keep_every_placeholder(self, po_path: Path) -> None:
        def names(text: str) -> set[str]:
            return {a or b for a, b in PLACEHOLDER.findall(text)}

        for entry in polib.pofile(str(po_path)):
            translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
            wanted = names(entry.msgid) | names(entry.msgid_plural or "")
            for text in translations:
                assert names(text) == wanted, entry.msgid

    @pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
    def test_the_committed_mo_says_what_the_po_says(self, po_path: Path) -> None:
        with po_path.with_suffix(".mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for entry in polib.pofile(str(po_path)):
            if entry.msgid_plural:
                for count, index in ((1, 0), (2, 1), (5, 1)):
                    assert (
                        compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                        == entry.msgstr_plural[index]
                    )
            elif entry.msgctxt:
                assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
            else:
                assert compiled.gettext(entry.msgid) == entry.msgstr
        # Byte for byte what the compiler would write now, so nothing extra lingers in the .mo.
        assert i18n_compile.compile_catalogue(po_path, check=True) == []


class LanguageSwitchTestCase:
    def test_the_login_page_is_chinese_by_default(self, db: None) -> None:
        body = Client().get(reverse("accounts:login")).content.decode()
        assert html_lang(body) == "zh-hans"
        assert "登录" in body
        assert "手机号或工号" in body

    def test_the_login_page_turns_english_and_back(self, db: None) -> None:
        client = Client()
        login_url = reverse("accounts:login")
        switch_language(client, "en", login_url)
        body = client.get(login_url).content.decode()
        assert html_lang(body) == "en"
        assert "Log in" in body
        assert "Mobile or staff number" in body
        assert "手机号或工号" not in body
        switch_language(client, "zh-hans", login_url)
        assert html_lang(client.get(login_url).content.decode()) == "zh-hans"

    def test_the_cadre_portal_speaks_english_after_the_switch(self, cadre: User) -> None:
        client = logged_in(cadre)
        portal = reverse("web:portal")
        assert ">我的<" in client.get(portal).content.decode()
        switch_language(client, "en", portal)
        body = client.get(portal).content.decode()
        assert html_lang(body) == "en"
        assert ">Me<" in body
        assert "12356" in body

    def test_the_staff_console_speaks_english_after_the_switch(self, alice: User) -> None:
        client = logged_in(alice)
        switch_language(client, "en", reverse("web:console"))
        body = client.get(reverse("orgs:person-list")).content.decode()
        assert "Cadre roster" in body
        assert "干部花名册" not in body

    def test_the_switch_offers_the_other_language(self, db: None) -> None:
        client = Client()
        assert 'value="en"' in client.get(reverse("accounts:login")).content.decode()
        switch_language(client, "en", "/")
        assert 'value="zh-hans"' in client.get(reverse("accounts:login")).content.decode()


class DisplayPreferencesTestCase:
    def toggle(self, client: Client, choice: str, next_url: str) -> str:
        response = client.post(reverse("web:preferences"), {"toggle": choice, "next": next_url})
        assert response.status_code == 302
        return str(response["Location"])

    def test_large_text_sets_the_cookie_and_marks_the_page(self, cadre: User) -> None:
        client = logged_in(cadre)
        portal = reverse("web:portal")
        assert "pref-large" not in html_classes(client.get(portal).content.decode())
        assert self.toggle(client, "large", portal) == portal
        assert client.cookies[PREF_COOKIE].value == "large"
        body = client.get(portal).content.decode()
        assert "pref-large" in html_classes(body)
        assert 'value="large" class="pref-btn" aria-pressed="true"' in body

    def test_toggling_twice_turns_large_text_off(self, cadre: User) -> None:
        client = logged_in(cadre)
        portal = reverse("web:portal")
        self.toggle(client, "large", portal)
        self.toggle(client, "large", portal)
        assert client.cookies[PREF_COOKIE].value == ""
        assert "pref-large" not in html_classes(client.get(portal).content.decode())

    def test_large_text_and_high_contrast_combine(self, db: None) -> None:
        client = Client()
        login_url = reverse("accounts:login")
        self.toggle(client, "large", login_url)
        self.toggle(client, "contrast", login_url)
        classes = html_classes(client.get(login_url).content.decode())
        assert {"pref-large", "pref-contrast"} <= classes

    def test_it_works_before_login(self, db: None) -> None:
        client = Client()
        login_url = reverse("accounts:login")
        self.toggle(client, "contrast", login_url)
        assert "pref-contrast" in html_classes(client.get(login_url).content.decode())

    def test_it_ignores_unknown_preferences(self, db: None) -> None:
        client = Client()
        self.toggle(client, "sparkles", "/")
        assert client.cookies[PREF_COOKIE].value == ""

    @pytest.mark.parametrize(
        "next_url", ["https://evil.example/", "//evil.example/path", "http://testserver.evil/"]
    )
    def test_it_refuses_an_off_site_next(self, db: None, next_url: str) -> None:
        assert self.toggle(Client(), "large", next_url) == "/"

    def test_it_accepts_post_only(self, db: None) -> None:
        assert Client().get(reverse("web:preferences")).status_code == 405
