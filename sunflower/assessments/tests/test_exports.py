"""A campaign's data export: request, a second record keeper's decision, download in sudo."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import City, confirmed, verified_login
from sunflower.accounts.models import User
from sunflower.assessments import bulk_exports
from sunflower.assessments.models import (
    Campaign,
    CampaignMode,
    ExportRequest,
    ExportStatus,
)
from sunflower.assessments.reports import cell_safe
from sunflower.assessments.tests.helpers import PHQ9_MODERATE
from sunflower.assessments.tests.records import anonymous_response, keeper, open_campaign, take
from sunflower.audit.models import AuditEvent, Outcome
from sunflower.orgs.models import Person


@pytest.fixture
def campaign(bob: User, city: City, consenting: User, other_cadre: User) -> Campaign:
    return open_campaign(bob, city.district_a, instruments=["phq9"])


@pytest.fixture
def requester(city: City) -> User:
    return keeper("keeper-one", city.district_a)


@pytest.fixture
def approver(city: City) -> User:
    return keeper("keeper-two", city.city)


def request_export(user: User, campaign: Campaign, file_format: str = "csv") -> ExportRequest:
    return bulk_exports.do_request_export(
        user, campaign_id=campaign.pk, file_format=file_format, reason="年度心理普查结果分析"
    )


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


class ExportWorkflowTestCase:
    def test_request_approval_by_another_and_download_in_sudo(
        self,
        campaign: Campaign,
        consenting: User,
        other_cadre: User,
        requester: User,
        approver: User,
    ) -> None:
        take(consenting, "phq9", PHQ9_MODERATE)
        take(other_cadre, "phq9", [0] * 9)

        # The request, through the page: sudo first, then the form.
        client = verified_login(Client(), requester)
        reply = client.get(reverse("results:export-create"))
        assert reply["Location"].startswith(reverse("accounts:sudo"))
        client = confirmed(requester)
        reply = client.post(
            reverse("results:export-create"),
            {"campaign": campaign.pk, "file_format": "csv", "reason": "年度心理普查结果分析"},
        )
        export = ExportRequest.objects.get()
        assert reply["Location"] == reverse("results:export-detail", args=[export.pk])

        # The requester may not approve their own request.
        reply = client.post(
            reverse("results:export-decide", args=[export.pk]), {"decision": "approve"}
        )
        assert reply.status_code == 302
        export.refresh_from_db()
        assert export.status == ExportStatus.REQUESTED
        denied = AuditEvent.objects.get(action="assessment.export.approve", actor=requester)
        assert denied.outcome == Outcome.DENIED
        assert client.get(reverse("results:export-download", args=[export.pk])).status_code == 302
        assert export.downloads == 0

        # Another record keeper over the campaign approves.
        second = confirmed(approver)
        second.post(reverse("results:export-decide", args=[export.pk]), {"decision": "approve"})
        export.refresh_from_db()
        assert (export.status, export.decided_by) == (ExportStatus.APPROVED, approver)

        # Only the requester downloads, in sudo mode.
        assert second.get(reverse("results:export-download", args=[export.pk])).status_code == 404
        fresh = verified_login(Client(), requester)
        reply = fresh.get(reverse("results:export-download", args=[export.pk]))
        assert reply["Location"].startswith(reverse("accounts:sudo"))
        reply = client.get(reverse("results:export-download", args=[export.pk]))
        assert reply.status_code == 200
        assert reply["Content-Type"] == "text/csv; charset=utf-8"
        assert "no-store" in reply["Cache-Control"]
        assert reply["Content-Disposition"].startswith('attachment; filename="responses-')
        header, *rows = csv_rows(reply.content)
        assert header[:4] == ["测评活动", "姓名", "单位", "量表"]
        assert "第9题" in header
        assert sorted(row[1] for row in rows) == ["李四", "王小明"]
        by_name = {row[1]: row for row in rows}
        assert by_name["王小明"][header.index("总分")] == "10"
        assert by_name["王小明"][header.index("结果分级")] == "中度抑郁症状"
        export.refresh_from_db()
        assert export.downloads == 1

        actions = list(
            AuditEvent.objects.filter(action__startswith="assessment.export")
            .order_by("pk")
            .values_list("action", "actor__username", "outcome")
        )
        assert actions == [
            ("assessment.export.request", "keeper-one", "ok"),
            ("assessment.export.approve", "keeper-one", "denied"),
            ("assessment.export.approve", "keeper-two", "ok"),
            ("assessment.export.download", "keeper-one", "ok"),
        ]
        download = AuditEvent.objects.get(action="assessment.export.download")
        assert download.changes["responses"] == 2

    def test_a_refusal_needs_a_reason(
        self, campaign: Campaign, requester: User, approver: User
    ) -> None:
        export = request_export(requester, campaign)
        with pytest.raises(bulk_exports.ExportError, match="写明理由"):
            bulk_exports.do_decide_export(approver, export.pk, approve=False, note=" ")
        bulk_exports.do_decide_export(approver, export.pk, approve=False, note="用途不明确")
        export.refresh_from_db()
        assert export.status == ExportStatus.REFUSED
        client = confirmed(requester)
        reply = client.get(reverse("results:export-download", args=[export.pk]))
        assert reply["Location"] == reverse("results:export-detail", args=[export.pk])

    def test_a_record_keeper_outside_the_campaign_cannot_decide(
        self, campaign: Campaign, requester: User, city: City
    ) -> None:
        export = request_export(requester, campaign)
        outsider = keeper("keeper-b", city.district_b)
        client = confirmed(outsider)
        url = reverse("results:export-decide", args=[export.pk])
        assert client.post(url, {"decision": "approve"}).status_code == 404
        assert client.get(reverse("results:export-detail", args=[export.pk])).status_code == 404

    def test_the_download_expires_after_24_hours(
        self, campaign: Campaign, requester: User, approver: User
    ) -> None:
        export = request_export(requester, campaign, "xlsx")
        bulk_exports.do_decide_export(approver, export.pk, approve=True, note="")
        client = confirmed(requester)
        with time_machine.travel(timezone.now() + timedelta(hours=25)):
            client = confirmed(requester)
            reply = client.get(reverse("results:export-download", args=[export.pk]), follow=True)
        assert "超过 24 小时的下载期限" in reply.content.decode()
        assert not AuditEvent.objects.filter(action="assessment.export.download").exists()

    def test_the_database_refuses_a_self_approval(
        self, campaign: Campaign, requester: User
    ) -> None:
        export = request_export(requester, campaign)
        export.status = ExportStatus.APPROVED
        export.decided_by = requester
        export.decided_at = timezone.now()
        with pytest.raises(IntegrityError), transaction.atomic():
            export.save()

    def test_it_refuses_a_campaign_outside_scope_and_a_missing_reason(
        self, bob: User, city: City, requester: User
    ) -> None:
        elsewhere = open_campaign(bob, city.district_b, instruments=["phq9"])
        with pytest.raises(bulk_exports.ExportError, match="不在您的管理范围内"):
            request_export(requester, elsewhere)
        here = open_campaign(bob, city.district_a, instruments=["phq9"], name="另一次")
        with pytest.raises(bulk_exports.ExportError, match="用途"):
            bulk_exports.do_request_export(
                requester, campaign_id=here.pk, file_format="csv", reason="  "
            )
        client = confirmed(requester)
        reply = client.post(
            reverse("results:export-create"),
            {"campaign": elsewhere.pk, "file_format": "csv", "reason": "x"},
        )
        assert reply.status_code == 200
        assert reply.context["form"].errors
        assert not ExportRequest.objects.exists()

    def test_the_pages_list_and_show_requests(
        self, campaign: Campaign, requester: User, approver: User
    ) -> None:
        export = request_export(requester, campaign)
        client = verified_login(Client(), approver)
        page = client.get(reverse("results:exports")).content.decode()
        assert "有 1 份申请等待您审批" in page
        page = client.get(reverse("results:export-detail", args=[export.pk])).content.decode()
        assert "年度心理普查结果分析" in page
        assert "批准" in page
        own = verified_login(Client(), requester)
        page = own.get(reverse("results:export-detail", args=[export.pk])).content.decode()
        assert "须由另一位档案管理员审批" in page


class ExportContentTestCase:
    def test_xlsx_holds_the_rows_and_guards_formulas(
        self,
        campaign: Campaign,
        consenting: User,
        requester: User,
        approver: User,
    ) -> None:
        Person.objects.filter(user=consenting).update(name="=HYPERLINK(1)")
        take(consenting, "phq9", PHQ9_MODERATE)
        export = request_export(requester, campaign, "xlsx")
        bulk_exports.do_decide_export(approver, export.pk, approve=True, note="")
        reply = confirmed(requester).get(reverse("results:export-download", args=[export.pk]))
        book = load_workbook(io.BytesIO(reply.content))
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][1] == "'=HYPERLINK(1)"
        assert rows[1][rows[0].index("总分")] == 10

    def test_csv_cells_cannot_start_a_formula(self) -> None:
        for risky in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx"):
            assert cell_safe(risky) == "'" + risky
        assert cell_safe("王小明") == "王小明"
        assert cell_safe(-3) == -3

    def test_an_anonymous_campaign_exports_without_identity(
        self, bob: User, city: City, requester: User, approver: User, settings: Any
    ) -> None:
        settings.SUNFLOWER_MIN_CELL = 3
        anonymous = open_campaign(
            bob, city.district_a, mode=CampaignMode.ANONYMOUS, instruments=["phq9"]
        )
        Campaign.objects.filter(pk=anonymous.pk).update(status="open")
        for _ in range(3):
            anonymous_response(anonymous, [1, 1, 1, 0, 0, 0, 0, 0, 0], 3)
        export = request_export(requester, anonymous)
        bulk_exports.do_decide_export(approver, export.pk, approve=True, note="")
        reply = confirmed(requester).get(reverse("results:export-download", args=[export.pk]))
        header, *rows = csv_rows(reply.content)
        assert "姓名" not in header
        assert "单位" not in header
        assert len(rows) == 3

    def test_a_small_anonymous_campaign_is_not_exported(
        self, bob: User, city: City, requester: User, approver: User
    ) -> None:
        anonymous = open_campaign(
            bob, city.district_a, mode=CampaignMode.ANONYMOUS, instruments=["phq9"]
        )
        Campaign.objects.filter(pk=anonymous.pk).update(status="open")
        anonymous_response(anonymous, [0] * 9, 0)
        export = request_export(requester, anonymous)
        bulk_exports.do_decide_export(approver, export.pk, approve=True, note="")
        client = confirmed(requester)
        reply = client.get(reverse("results:export-download", args=[export.pk]), follow=True)
        assert "为保护个人隐私不能导出" in reply.content.decode()
