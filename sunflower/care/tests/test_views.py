"""The care pages through HTTP: login, role and scope, review, transitions, actions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.audit.models import AuditEvent
from sunflower.care import sla
from sunflower.care.models import CaseAction, CrisisCase, DutyShift, RiskWarning, WarningStatus
from sunflower.care.workflow import CaseStatus
from sunflower.orgs.models import Person


def warning_url(warning: RiskWarning) -> str:
    return reverse("care:warning-detail", args=[warning.pk])


def case_url(case: CrisisCase) -> str:
    return reverse("care:case-detail", args=[case.pk])


class WarningQueueTestCase:
    def test_it_lists_proposals_red_first(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        raise_warning(subject, "yellow")
        raise_warning(subject, "red")
        response = logged_in(keeper).get(reverse("care:warning-list"))
        assert response.status_code == 200
        rows = list(response.context["page"].object_list)
        assert [w.tier for w in rows] == ["red", "yellow"]
        assert AuditEvent.objects.filter(action="warning.list").count() == 1

    def test_it_filters_by_tier(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        raise_warning(subject, "yellow")
        raise_warning(subject, "red")
        response = logged_in(keeper).get(reverse("care:warning-list"), {"tier": "yellow"})
        assert [w.tier for w in response.context["page"].object_list] == ["yellow"]

    def test_it_shows_an_empty_state(self, keeper: User) -> None:
        response = logged_in(keeper).get(reverse("care:warning-list"))
        assert "没有符合条件的预警" in response.content.decode()

    def test_another_scope_sees_nothing(
        self, outsider: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning = raise_warning(subject)
        client = logged_in(outsider)
        assert list(client.get(reverse("care:warning-list")).context["page"].object_list) == []
        assert client.get(warning_url(warning)).status_code == 404

    @pytest.mark.parametrize("role", [Role.PROGRAMME_ADMIN, Role.LIAISON, Role.TALK_OFFICER])
    def test_other_roles_are_denied(
        self,
        role: str,
        city: City,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        warning = raise_warning(subject)
        client = logged_in(make_user(f"x-{role}", (role, city.city)))
        assert client.get(reverse("care:warning-list")).status_code == 403
        assert client.get(warning_url(warning)).status_code == 403


class WarningReviewTestCase:
    def test_the_detail_shows_the_result_summary(self, consenting: User, keeper: User) -> None:
        from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, take

        take(consenting, "phq9", PHQ9_CRITICAL)
        warning = RiskWarning.objects.get()
        response = logged_in(keeper).get(warning_url(warning))
        assert response.status_code == 200
        assert response.context["result"].critical
        assert AuditEvent.objects.filter(action="assessment.read", actor=keeper).exists()

    def test_confirming_a_red_warning_opens_the_case(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning = raise_warning(subject)
        response = logged_in(keeper).post(
            reverse("care:warning-review", args=[warning.pk]), {"decision": "confirm"}
        )
        case = CrisisCase.objects.get()
        assert response.status_code == 302
        assert response["Location"] == case_url(case)

    def test_dismissing_without_a_reason_is_refused_in_chinese(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning = raise_warning(subject)
        response = logged_in(keeper).post(
            reverse("care:warning-review", args=[warning.pk]), {"decision": "dismiss"}
        )
        assert response.status_code == 200
        assert "排除预警时请填写理由" in response.content.decode()
        warning.refresh_from_db()
        assert warning.status == WarningStatus.PROPOSED


class RaiseWarningPageTestCase:
    def test_a_talk_officer_finds_a_person_and_raises_a_warning(
        self, talk_officer: User, subject: Person
    ) -> None:
        client = logged_in(talk_officer)
        found = client.get(reverse("care:warning-raise"), {"q": "赵"})
        assert list(found.context["people"]) == [subject]
        response = client.post(
            reverse("care:warning-raise-for", args=[subject.pk]),
            {"tier": "orange", "reason": "近期遭遇重大挫折"},
        )
        assert response.status_code == 302
        assert RiskWarning.objects.get().raised_by == talk_officer

    def test_a_person_outside_scope_answers_404(
        self, talk_officer: User, make_person: Callable[..., Person], city: City
    ) -> None:
        stranger = make_person(unit=city.district_b)
        url = reverse("care:warning-raise-for", args=[stranger.pk])
        assert logged_in(talk_officer).get(url).status_code == 404


class CaseListTestCase:
    def test_breached_cases_come_first_with_a_badge(
        self,
        keeper: User,
        subject: Person,
        make_person: Callable[..., Person],
        open_case: Callable[..., CrisisCase],
    ) -> None:
        import time_machine

        calm = open_case("red")
        with time_machine.travel(timezone.now() - timezone.timedelta(days=4)):
            late = open_case("yellow", person=make_person(name="钱二"))
        sla.check_service_levels(timezone.now())
        # The red case is within its hour; the yellow one is past its 72 hours.
        response = logged_in(keeper).get(reverse("care:case-list"))
        rows = list(response.context["page"].object_list)
        assert [c.pk for c in rows] == [late.pk, calm.pk]
        assert rows[0].breached and not rows[1].breached
        assert "已超时" in response.content.decode()

    def test_it_filters_by_assignee(
        self, keeper: User, counsellor: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        client = logged_in(keeper)
        assert (
            len(
                client.get(reverse("care:case-list"), {"assignee": "me"})
                .context["page"]
                .object_list
            )
            == 1
        )
        client.post(reverse("care:case-assign", args=[case.pk]), {"assignee": counsellor.pk})
        assert (
            list(
                client.get(reverse("care:case-list"), {"assignee": "me"})
                .context["page"]
                .object_list
            )
            == []
        )

    def test_a_counsellor_sees_only_assigned_cases(
        self, keeper: User, counsellor: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        client = logged_in(counsellor)
        assert client.get(case_url(case)).status_code == 404
        logged_in(keeper).post(
            reverse("care:case-assign", args=[case.pk]), {"assignee": counsellor.pk}
        )
        assert client.get(case_url(case)).status_code == 200
        assert [
            c.pk for c in client.get(reverse("care:case-list")).context["page"].object_list
        ] == [case.pk]


class CaseDetailTestCase:
    def test_it_shows_only_the_allowed_transitions(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        response = logged_in(keeper).get(case_url(open_case()))
        assert response.context["targets"] == ["assessed"]
        html = response.content.decode()
        assert 'value="assessed"' in html
        assert 'name="target" value="closed"' not in html

    def test_a_forbidden_transition_is_refused_with_a_chinese_message(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        response = logged_in(keeper).post(
            reverse("care:case-transition", args=[case.pk]),
            {"target": "closed", "closing_reason": "x"},
        )
        assert "不能从“发现”转为“结案”" in response.content.decode()
        case.refresh_from_db()
        assert case.status == CaseStatus.DETECTED

    def test_closing_asks_for_confirmation(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        case.status = CaseStatus.FOLLOW_UP
        case.save()
        html = logged_in(keeper).get(case_url(case)).content.decode()
        assert 'data-confirm="确定结案吗' in html

    def test_it_records_an_action_on_the_timeline(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        client = logged_in(keeper)
        response = client.post(
            reverse("care:case-action", args=[case.pk]),
            {
                "kind": "family_contact",
                "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "note": "依《精神卫生法》第二十八条联系其配偶",
            },
        )
        assert response.status_code == 302
        assert CaseAction.objects.get().note.startswith("依《精神卫生法》")
        detail = client.get(case_url(case))
        # The action's time was entered to the minute: it may sort before the opening.
        assert sorted(e.kind for e in detail.context["detail"].timeline) == ["action", "transition"]
        assert "第二十八条" in detail.content.decode()

    def test_it_saves_the_safety_plan(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        logged_in(keeper).post(
            reverse("care:case-safety-plan", args=[case.pk]), {"safety_plan": "移除危险物品"}
        )
        case.refresh_from_db()
        assert case.safety_plan == "移除危险物品"

    def test_another_scope_answers_404_everywhere(
        self, outsider: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        client = logged_in(outsider)
        assert client.get(case_url(case)).status_code == 404
        url = reverse("care:case-transition", args=[case.pk])
        assert client.post(url, {"target": "assessed"}).status_code == 404
        url = reverse("care:case-safety-plan", args=[case.pk])
        assert client.post(url, {"safety_plan": "x"}).status_code == 404


class DutyTestCase:
    def test_a_record_keeper_puts_a_colleague_on_duty(self, keeper: User, city: City) -> None:
        colleague = make_user("colleague", (Role.RECORD_KEEPER, city.town_a1))
        now = timezone.localtime()
        response = logged_in(keeper).post(
            reverse("care:duty"),
            {
                "user": colleague.pk,
                "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now + timezone.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert response.status_code == 302
        assert DutyShift.objects.get().user == colleague

    def test_a_record_keeper_outside_scope_cannot_be_chosen(
        self, keeper: User, outsider: User
    ) -> None:
        now = timezone.localtime()
        logged_in(keeper).post(
            reverse("care:duty"),
            {
                "user": outsider.pk,
                "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now + timezone.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert not DutyShift.objects.exists()
