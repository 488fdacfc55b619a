"""Granting and revoking roles: only the security admin, in scope, re-authenticated, audited."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from conftest import City, confirmed, logged_in, make_user, reauthenticate
from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.audit.models import AuditEvent


@pytest.fixture
def secadmin(city: City) -> User:
    return make_user("secadmin", (Role.SECURITY_ADMIN, city.city))


@pytest.fixture
def sysadmin(city: City) -> User:
    return make_user("sysadmin", (Role.SYSTEM_ADMIN, city.city))


@pytest.fixture
def newcomer(db: None) -> User:
    return make_user("newcomer")


def grant(client: Client, user: User, role: str, unit: Any) -> Any:
    url = reverse("accounts-admin:role-grant", args=[user.pk])
    return client.post(url, {"role": role, "unit": unit.pk, "next": "/back/"})


class GrantTestCase:
    def test_it_requires_re_authentication(
        self, city: City, secadmin: User, newcomer: User
    ) -> None:
        response = grant(logged_in(secadmin), newcomer, Role.LIAISON, city.district_a)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:sudo") + "?next=%2Fback%2F"
        assert not RoleAssignment.objects.filter(user=newcomer).exists()

    def test_it_grants_and_audits(self, city: City, secadmin: User, newcomer: User) -> None:
        grant(confirmed(secadmin), newcomer, Role.LIAISON, city.district_a)
        assignment = RoleAssignment.objects.get(user=newcomer)
        assert (assignment.role, assignment.unit, assignment.granted_by) == (
            Role.LIAISON,
            city.district_a,
            secadmin,
        )
        event = AuditEvent.objects.get(action="role.grant")
        assert event.actor == secadmin and event.object_id == str(newcomer.pk)
        assert event.changes == {"role": "liaison", "unit": city.district_a.pk}

    def test_it_keeps_the_three_administrators_apart(
        self, city: City, secadmin: User, newcomer: User
    ) -> None:
        client = confirmed(secadmin)
        grant(client, newcomer, Role.AUDIT_ADMIN, city.city)
        grant(client, newcomer, Role.SYSTEM_ADMIN, city.city)
        roles = set(
            RoleAssignment.objects.active().filter(user=newcomer).values_list("role", flat=True)
        )
        assert roles == {Role.AUDIT_ADMIN}
        assert AuditEvent.objects.filter(action="role.grant").count() == 1

    def test_it_explains_why_a_second_admin_role_is_refused(
        self, city: City, secadmin: User, newcomer: User
    ) -> None:
        client = confirmed(secadmin)
        grant(client, newcomer, Role.AUDIT_ADMIN, city.city)
        grant(client, newcomer, Role.SECURITY_ADMIN, city.city)
        page = client.get(reverse("accounts-admin:user-roles", args=[newcomer.pk]))
        assert "三员分立" in page.content.decode()

    def test_it_refuses_granting_to_oneself(self, city: City, secadmin: User) -> None:
        grant(confirmed(secadmin), secadmin, Role.LIAISON, city.city)
        assert not RoleAssignment.objects.filter(user=secadmin, role=Role.LIAISON).exists()

    def test_a_district_security_admin_cannot_grant_outside_the_district(
        self, city: City, newcomer: User
    ) -> None:
        local = make_user("local-sec", (Role.SECURITY_ADMIN, city.district_a))
        grant(confirmed(local), newcomer, Role.LIAISON, city.district_b)
        assert not RoleAssignment.objects.filter(user=newcomer).exists()

    def test_the_system_admin_may_look_but_not_grant(
        self, city: City, sysadmin: User, newcomer: User
    ) -> None:
        client = confirmed(sysadmin)
        page = client.get(reverse("accounts-admin:user-roles", args=[newcomer.pk]))
        assert page.status_code == 200
        assert "授予角色" not in page.content.decode()
        assert grant(client, newcomer, Role.LIAISON, city.city).status_code == 403

    def test_a_liaison_cannot_open_account_administration(self, alice: User) -> None:
        assert logged_in(alice).get(reverse("accounts-admin:user-list")).status_code == 403


class RevokeTestCase:
    def test_it_revokes_and_keeps_the_history(
        self, city: City, secadmin: User, alice: User
    ) -> None:
        assignment = alice.assignments.get()
        url = reverse("accounts-admin:role-revoke", args=[assignment.pk])
        confirmed(secadmin).post(url, {"next": "/"})
        assignment.refresh_from_db()
        assert assignment.revoked_at is not None and assignment.revoked_by == secadmin
        assert AuditEvent.objects.filter(action="role.revoke").count() == 1
        assert not User.objects.get(pk=alice.pk).has_role(Role.LIAISON)

    def test_an_assignment_outside_scope_is_not_found(self, city: City, charlie: User) -> None:
        local = make_user("local-sec", (Role.SECURITY_ADMIN, city.district_a))
        assignment = charlie.assignments.get()
        url = reverse("accounts-admin:role-revoke", args=[assignment.pk])
        assert confirmed(local).post(url, {"next": "/"}).status_code == 404


class SudoTestCase:
    def test_a_wrong_password_is_refused_and_audited(self, secadmin: User) -> None:
        client = logged_in(secadmin)
        response = client.post(reverse("accounts:sudo"), {"password": "nope", "next": "/"})
        assert response.status_code == 200
        assert "密码不正确" in response.content.decode()
        assert AuditEvent.objects.get(action="auth.sudo").outcome == "denied"

    def test_it_lasts_five_minutes(self, city: City, secadmin: User, newcomer: User) -> None:
        start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False) as clock:
            client = confirmed(secadmin)
            clock.shift(dt.timedelta(minutes=4))
            grant(client, newcomer, Role.LIAISON, city.district_a)
            assert RoleAssignment.objects.filter(user=newcomer).count() == 1
            clock.shift(dt.timedelta(minutes=2))
            response = grant(client, newcomer, Role.VOLUNTEER, city.district_a)
            assert response["Location"].startswith(reverse("accounts:sudo"))

    def test_it_refuses_an_off_site_next(self, secadmin: User) -> None:
        response = reauthenticate(logged_in(secadmin), secadmin, "https://evil.example/")
        assert response["Location"] == "/"


class UserListTestCase:
    def test_it_searches_by_mobile(self, secadmin: User, cadre: User) -> None:
        body = logged_in(secadmin).get(reverse("accounts-admin:user-list"), {"q": "13800000001"})
        assert "cadre" in body.content.decode()

    def test_it_filters_by_role(self, secadmin: User, alice: User, cadre: User) -> None:
        body = logged_in(secadmin).get(reverse("accounts-admin:user-list"), {"role": "liaison"})
        text = body.content.decode()
        assert "alice" in text and ">cadre<" not in text
