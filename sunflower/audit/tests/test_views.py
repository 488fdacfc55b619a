"""The audit administrator's pages: search, export (re-authenticated, audited), verify."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from conftest import City, confirmed, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.audit import chain
from sunflower.audit.events import record
from sunflower.audit.models import AuditEvent


@pytest.fixture
def auditor(city: City) -> User:
    return make_user("auditor", (Role.AUDIT_ADMIN, city.city))


class EventListTestCase:
    def test_only_the_audit_admin_may_read_the_trail(self, alice: User, bob: User) -> None:
        for user in (alice, bob):
            assert logged_in(user).get(reverse("audit:event-list")).status_code == 403

    def test_it_filters_by_action_prefix_and_actor(self, auditor: User, alice: User) -> None:
        record("roster.create", actor=alice)
        record("role.grant", actor=auditor)
        client = logged_in(auditor)
        body = client.get(reverse("audit:event-list"), {"action": "roster."}).content.decode()
        assert "roster.create" in body and "role.grant" not in body
        body = client.get(reverse("audit:event-list"), {"actor": "auditor"}).content.decode()
        assert "role.grant" in body and "roster.create" not in body

    def test_it_explains_a_reversed_date_range(self, auditor: User) -> None:
        body = logged_in(auditor).get(
            reverse("audit:event-list"), {"start": "2026-05-02", "end": "2026-05-01"}
        )
        assert "起始日期不能晚于截止日期" in body.content.decode()

    def test_it_keeps_a_constant_number_of_queries(
        self, auditor: User, alice: User, django_assert_max_num_queries: object
    ) -> None:
        for _ in range(40):
            record("roster.update", actor=alice)
        chain.seal_all()
        client = logged_in(auditor)
        with django_assert_max_num_queries(10):  # type: ignore[operator]
            client.get(reverse("audit:event-list"))


class ExportTestCase:
    def test_it_requires_re_authentication(self, auditor: User) -> None:
        response = logged_in(auditor).get(reverse("audit:export-csv"))
        assert response["Location"].startswith(reverse("accounts:sudo"))

    def test_it_exports_csv_and_records_the_export(self, auditor: User, alice: User) -> None:
        record("roster.create", actor=alice)
        response = confirmed(auditor).get(reverse("audit:export-csv"), {"action": "roster."})
        text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][4] == "操作"
        assert [row[4] for row in rows[1:]] == ["roster.create"]
        export = AuditEvent.objects.get(action="audit.export")
        assert export.actor == auditor and export.changes["rows"] == 1

    def test_it_exports_xlsx(self, auditor: User, alice: User) -> None:
        record("roster.create", actor=alice)
        response = confirmed(auditor).get(reverse("audit:export-xlsx"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        actions = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert "roster.create" in actions


class VerifyViewTestCase:
    def test_it_reports_an_intact_chain(self, auditor: User) -> None:
        record("roster.create")
        response = logged_in(auditor).post(reverse("audit:verify"), follow=True)
        assert "审计链完整" in response.content.decode()
        assert AuditEvent.objects.filter(action="audit.verify", outcome="ok").exists()

    def test_it_names_a_tampered_entry(self, auditor: User) -> None:
        event = record("roster.create")
        chain.seal_all()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
        response = logged_in(auditor).post(reverse("audit:verify"), follow=True)
        body = response.content.decode()
        assert "审计链校验失败" in body and f"事件编号 {event.pk}" in body
