"""Login by staff number or mobile, logout, password change, and where people land."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, logged_in
from sunflower.accounts.models import User
from sunflower.orgs.models import Person


def login(client: Client, identifier: str, password: str = PASSWORD) -> object:
    return client.post(reverse("accounts:login"), {"username": identifier, "password": password})


class LoginTestCase:
    def test_it_logs_staff_in_by_staff_number(self, alice: User) -> None:
        client = Client()
        response = login(client, "alice")
        assert response.status_code == 302  # type: ignore[attr-defined]
        # The second factor comes next (test_mfa.py); then staff land on the console.
        assert client.get(reverse("web:home"))["Location"].startswith(reverse("accounts:mfa-enrol"))
        assert logged_in(alice).get(reverse("web:home"))["Location"] == reverse("web:console")

    def test_it_logs_a_cadre_in_by_roster_mobile(self, cadre: User) -> None:
        client = Client()
        login(client, "138 0000 0001")
        assert client.get(reverse("web:home"))["Location"] == reverse("web:portal")

    def test_it_logs_staff_in_by_account_mobile(self, alice: User) -> None:
        alice.mobile = "13600001111"
        alice.save()
        client = Client()
        assert login(client, "+86 136-0000-1111").status_code == 302  # type: ignore[attr-defined]

    def test_it_refuses_a_wrong_password_with_a_clear_message(self, alice: User) -> None:
        response = login(Client(), "alice", "wrong-password")
        assert response.status_code == 200  # type: ignore[attr-defined]
        assert "账号或密码不正确" in response.content.decode()  # type: ignore[attr-defined]

    def test_it_gives_the_same_message_for_an_unknown_account(self, db: None) -> None:
        response = login(Client(), "nobody")
        assert "账号或密码不正确" in response.content.decode()  # type: ignore[attr-defined]

    def test_it_refuses_a_disabled_account(self, alice: User) -> None:
        alice.is_active = False
        alice.save()
        assert login(Client(), "alice").status_code == 200  # type: ignore[attr-defined]

    def test_it_hashes_passwords_with_argon2(self, alice: User) -> None:
        assert alice.password.startswith("argon2")

    def test_it_logs_out_on_post_only(self, alice: User) -> None:
        client = logged_in(alice)
        assert client.get(reverse("accounts:logout")).status_code == 405
        client.post(reverse("accounts:logout"))
        assert client.get(reverse("web:console")).status_code == 302


class PasswordChangeTestCase:
    def test_it_requires_three_character_classes(self, alice: User) -> None:
        response = logged_in(alice).post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": "abcdefgh1", "new_password2": "abcdefgh1"},
        )
        assert "至少三类" in response.content.decode()

    def test_it_requires_eight_characters(self, alice: User) -> None:
        response = logged_in(alice).post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": "aB3$x", "new_password2": "aB3$x"},
        )
        assert response.status_code == 200
        alice.refresh_from_db()
        assert alice.check_password(PASSWORD)

    def test_it_changes_the_password(self, alice: User) -> None:
        new = "Quiet-River-2027"
        response = logged_in(alice).post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.check_password(new)
        assert alice.password_changed_at is not None


class RoleModelTestCase:
    def test_a_cadre_is_anyone_linked_to_a_roster_person(self, cadre: User) -> None:
        assert cadre.has_role("cadre")
        assert not cadre.is_staff_member

    def test_the_database_refuses_two_admin_roles_on_one_account(
        self, city: object, make_person: Callable[..., Person]
    ) -> None:
        from django.db import IntegrityError, transaction

        from conftest import make_user
        from sunflower.accounts.models import Role, RoleAssignment

        root = city.city  # type: ignore[attr-defined]
        user = make_user("ops", (Role.SYSTEM_ADMIN, root))
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(user=user, role=Role.AUDIT_ADMIN, unit=root)
