"""The console's side navigation: entries by role, and which one is marked as current."""

import re
from collections.abc import Callable

from django.urls import reverse

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.orgs.models import Person


def current_entries(body: str) -> dict[str, str]:
    """Navigation links marked aria-current, as {href: value}."""
    nav = body.split('class="sidenav"', 1)[1].split("</nav>", 1)[0]
    return dict(re.findall(r'<a href="([^"]+)" aria-current="([^"]+)"', nav))


class ConsoleNavigationTestCase:
    def test_it_marks_the_page_itself_as_the_current_page(self, alice: User) -> None:
        body = logged_in(alice).get(reverse("orgs:person-list")).content.decode()
        assert current_entries(body) == {reverse("orgs:person-list"): "page"}

    def test_it_marks_the_section_of_a_page_below_it(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        body = logged_in(alice).get(reverse("orgs:person-edit", args=[person.pk])).content.decode()
        assert current_entries(body) == {reverse("orgs:person-list"): "true"}

    def test_it_shows_account_administration_only_to_account_admins(
        self, alice: User, city: City
    ) -> None:
        accounts = reverse("accounts-admin:user-list")
        security = make_user("sec", (Role.SECURITY_ADMIN, city.city))
        assert accounts in logged_in(security).get(reverse("web:console")).content.decode()
        assert accounts not in logged_in(alice).get(reverse("web:console")).content.decode()

    def test_it_shows_the_audit_trail_only_to_the_audit_admin(
        self, alice: User, city: City
    ) -> None:
        trail = reverse("audit:event-list")
        auditor = make_user("auditor", (Role.AUDIT_ADMIN, city.city))
        body = logged_in(auditor).get(reverse("web:console")).content.decode()
        assert trail in body
        assert reverse("accounts-admin:user-list") not in body
        assert trail not in logged_in(alice).get(reverse("web:console")).content.decode()
