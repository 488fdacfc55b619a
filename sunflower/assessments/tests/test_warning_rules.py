"""Warning tier rules in the console: the seeded defaults, changes by a city-wide programme
admin in sudo mode (audited with the reason), validation, who may read and change, and the
submission path's per-process copy of the rules."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import City, confirmed, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments import warnings
from sunflower.assessments.models import WarningRule
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, PHQ9_MODERATE, take
from sunflower.assessments.warnings import proposed_tier
from sunflower.audit.models import AuditEvent
from sunflower.care.models import RiskWarning

PHQ9_SEVERE = [3, 3, 3, 3, 3, 3, 2, 0, 0]  # total 20, item 9 not endorsed


def phq9(total: int, *flags: str) -> dict[str, Any]:
    return {"total": total, "band": {"code": "moderate"}, "flags": list(flags)}


def rule(instrument_id: str, tier: str) -> WarningRule:
    return WarningRule.objects.get(instrument_id=instrument_id, tier=tier)


def edit_data(**fields: Any) -> dict[str, Any]:
    """The edit form of PHQ-9's yellow rule as seeded, with *fields* changed."""
    data = {
        "tier": "yellow",
        "kind": "at_least",
        "score": "total",
        "threshold": "10",
        "band": "",
        "reason": "专家组建议提高三级预警阈值",
    }
    data.update(fields)
    return data


@pytest.fixture
def district_admin(city: City) -> User:
    return make_user("dora", (Role.PROGRAMME_ADMIN, city.district_a))


@pytest.fixture
def record_keeper(city: City) -> User:
    return make_user("kim", (Role.RECORD_KEEPER, city.city))


class SeededRulesTestCase:
    def test_it_seeds_exactly_the_former_rules(self, db: None) -> None:
        seeded = {
            (r.instrument_id, r.tier, r.kind, r.score, r.threshold, r.band, r.active)
            for r in WarningRule.objects.all()
        }
        assert seeded == {
            ("phq9", "orange", "at_least", "total", 20, "", True),
            ("phq9", "yellow", "at_least", "total", 10, "", True),
            ("gad7", "orange", "at_least", "total", 15, "", True),
            ("gad7", "yellow", "at_least", "total", 10, "", True),
            ("scl90", "orange", "any_subscale_at_least", "", 3, "", True),
            ("scl90", "yellow", "band", "", None, "positive", True),
            ("sds", "orange", "band", "", None, "severe", True),
            ("sds", "yellow", "at_least", "indices.index", 53, "", True),
            ("sas", "orange", "band", "", None, "severe", True),
            ("sas", "yellow", "at_least", "indices.index", 50, "", True),
            ("k10", "orange", "band", "", None, "very_high", True),
            ("k10", "yellow", "at_least", "total", 22, "", True),
        }

    def test_it_proposes_as_the_former_rules_did(self, db: None) -> None:
        assert proposed_tier("phq9", phq9(9)) is None
        assert proposed_tier("phq9", phq9(10)) == "yellow"
        assert proposed_tier("phq9", phq9(20)) == "orange"
        assert proposed_tier("phq9", phq9(0, "critical_item")) == "red"
        assert proposed_tier("scl90", {"subscales": {"a": 2, "b": "3.00"}}) == "orange"
        assert proposed_tier("scl90", {"subscales": {"a": 2}, "band": {"code": "positive"}}) == (
            "yellow"
        )
        assert proposed_tier("sds", {"indices": {"index": 53}}) == "yellow"
        assert proposed_tier("sds", {"indices": {"index": 52}}) is None
        assert proposed_tier("k10", {"total": 35, "band": {"code": "very_high"}}) == "orange"
        assert proposed_tier("who5", {"total": 0}) is None  # no rules for this instrument

    def test_a_submission_proposes_from_the_rules(self, consenting: User) -> None:
        take(consenting, "phq9", PHQ9_MODERATE)
        take(consenting, "phq9", PHQ9_SEVERE)
        tiers = sorted(RiskWarning.objects.values_list("proposed_tier", flat=True))
        assert tiers == ["orange", "yellow"]

    def test_a_critical_item_is_red_whatever_the_rules(self, consenting: User) -> None:
        WarningRule.objects.update(active=False)
        warnings.forget_rules()
        assert proposed_tier("phq9", phq9(20)) is None
        take(consenting, "phq9", PHQ9_CRITICAL)
        assert RiskWarning.objects.get().proposed_tier == "red"


class WarningRuleListTestCase:
    def test_the_record_keeper_reads_the_rules(self, record_keeper: User) -> None:
        response = logged_in(record_keeper).get(reverse("warning-rules:list"))
        body = response.content.decode()
        assert response.status_code == 200
        assert "总分（total）≥ 20" in body
        assert "第 9 题选项 ≥ 1" in body and "危急条目，不可修改" in body
        assert reverse("warning-rules:edit", args=[rule("phq9", "yellow").pk]) not in body
        assert reverse("warning-rules:list") in body  # the console navigation's entry

    def test_the_city_wide_admin_sees_the_edit_links(self, bob: User) -> None:
        body = logged_in(bob).get(reverse("warning-rules:list")).content.decode()
        assert reverse("warning-rules:edit", args=[rule("phq9", "yellow").pk]) in body
        assert reverse("warning-rules:create") in body

    def test_it_shows_a_rule_switched_off_as_such(self, bob: User) -> None:
        WarningRule.objects.filter(instrument_id="gad7", tier="orange").update(active=False)
        body = logged_in(bob).get(reverse("warning-rules:list")).content.decode()
        assert "is-inactive" in body and "已停用" in body
        assert reverse("warning-rules:activate", args=[rule("gad7", "orange").pk]) in body


class WarningRuleEditTestCase:
    def test_raising_the_threshold_changes_what_is_proposed(self, bob: User) -> None:
        yellow = rule("phq9", "yellow")
        url = reverse("warning-rules:edit", args=[yellow.pk])
        assert proposed_tier("phq9", phq9(10)) == "yellow"

        response = confirmed(bob).post(url, edit_data(threshold="12"))

        assert response.status_code == 302
        assert response["Location"] == reverse("warning-rules:list")
        # Applies at once in this process; other processes reload within RELOAD_SECONDS (60 s).
        assert proposed_tier("phq9", phq9(10)) is None
        assert proposed_tier("phq9", phq9(12)) == "yellow"
        yellow.refresh_from_db()
        assert (yellow.threshold, yellow.updated_by) == (12, bob)
        event = AuditEvent.objects.get(action="warning_rule.update")
        assert (event.actor, event.actor_role, event.object_id) == (
            bob,
            "programme_admin",
            str(yellow.pk),
        )
        assert event.changes["before"]["threshold"] == "10"
        assert event.changes["after"]["threshold"] == "12"
        assert event.changes["reason"] == "专家组建议提高三级预警阈值"

    def test_deactivating_asks_for_confirmation_and_stops_the_rule(self, bob: User) -> None:
        yellow = rule("phq9", "yellow")
        url = reverse("warning-rules:deactivate", args=[yellow.pk])
        client = confirmed(bob)
        assert "确认停用" in client.get(url).content.decode()

        unconfirmed = client.post(url, {"reason": "试点期间暂停三级预警"})
        assert "请勾选确认后再停用" in unconfirmed.content.decode()
        assert rule("phq9", "yellow").active

        response = client.post(url, {"reason": "试点期间暂停三级预警", "confirm": "on"})
        assert response.status_code == 302
        assert proposed_tier("phq9", phq9(10)) is None
        event = AuditEvent.objects.get(action="warning_rule.update")
        assert (event.changes["before"]["active"], event.changes["after"]["active"]) == (
            True,
            False,
        )

        client.post(
            reverse("warning-rules:activate", args=[yellow.pk]), {"reason": "试点结束，恢复"}
        )
        assert proposed_tier("phq9", phq9(10)) == "yellow"

    def test_creating_a_rule_adds_it(self, bob: User) -> None:
        response = confirmed(bob).post(
            reverse("warning-rules:create"),
            {
                "instrument_id": "phq15",
                "tier": "yellow",
                "kind": "band",
                "band": "high",
                "reason": "躯体症状量表纳入三级预警",
            },
        )
        assert response.status_code == 302
        created = WarningRule.objects.get(instrument_id="phq15")
        assert (created.kind, created.band, created.threshold) == ("band", "high", None)
        assert proposed_tier("phq15", {"total": 16, "band": {"code": "high"}}) == "yellow"
        event = AuditEvent.objects.get(action="warning_rule.create")
        assert event.changes["after"]["band"] == "high" and event.changes["before"] is None

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"threshold": "30"}, "阈值应在该分数可能的范围 0–27 之内。"),
            ({"threshold": "0"}, "阈值等于该分数最低可能的值 0，每一份结果都会提出预警提示。"),
            ({"threshold": "21"}, "现为橙色 20、黄色 21。"),  # yellow above orange's 20
            ({"score": "indices.index"}, "这份量表没有分数“indices.index”"),
            ({"kind": "band", "band": "extreme"}, "这份量表没有分级“extreme”"),
            ({"reason": ""}, "请写明修改原因。"),
            ({"threshold": ""}, "请填写阈值。"),
            ({"kind": "any_subscale_at_least"}, None),  # PHQ-9 has a subscale (PHQ-2): valid
        ],
    )
    def test_it_refuses_a_rule_that_does_not_hold(
        self, bob: User, fields: dict[str, str], message: str | None
    ) -> None:
        if message is None:
            fields["threshold"] = "7"  # outside PHQ-2's 0–6
            message = "阈值应在该分数可能的范围 0–6 之内。"
        yellow = rule("phq9", "yellow")
        before = (yellow.kind, yellow.score, yellow.threshold, yellow.band, yellow.updated_at)

        response = confirmed(bob).post(
            reverse("warning-rules:edit", args=[yellow.pk]), edit_data(**fields)
        )

        body = response.content.decode()
        assert response.status_code == 200
        assert message in body
        assert "专家组建议提高三级预警阈值" in body or fields.get("reason") == ""  # kept
        yellow.refresh_from_db()
        assert (yellow.kind, yellow.score, yellow.threshold, yellow.band, yellow.updated_at) == (
            before
        )
        assert not AuditEvent.objects.filter(action__startswith="warning_rule.").exists()

    def test_it_names_every_problem_at_once_and_keeps_the_input(self, bob: User) -> None:
        url = reverse("warning-rules:edit", args=[rule("phq9", "yellow").pk])
        response = confirmed(bob).post(url, edit_data(threshold="30", reason=""))
        body = response.content.decode()
        assert "阈值应在该分数可能的范围 0–27 之内。" in body and "请写明修改原因。" in body
        assert 'value="30"' in body
        assert rule("phq9", "yellow").threshold == 10

    def test_an_unknown_instrument_is_refused(self, bob: User) -> None:
        response = confirmed(bob).post(
            reverse("warning-rules:create"),
            {"instrument_id": "nope", "tier": "orange", "kind": "band", "band": "x", "reason": "r"},
        )
        assert response.status_code == 200
        assert not WarningRule.objects.filter(instrument_id="nope").exists()

    def test_it_sends_to_reauthenticate_without_sudo(self, bob: User) -> None:
        url = reverse("warning-rules:edit", args=[rule("phq9", "yellow").pk])
        response = logged_in(bob).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sudo"))

    def test_a_district_admin_may_not_edit(self, district_admin: User) -> None:
        url = reverse("warning-rules:edit", args=[rule("phq9", "yellow").pk])
        client = confirmed(district_admin)
        assert client.get(url).status_code == 403
        assert client.post(url, edit_data(threshold="12")).status_code == 403
        assert client.get(reverse("warning-rules:list")).status_code == 200
        assert rule("phq9", "yellow").threshold == 10

    def test_a_record_keeper_reads_but_may_not_edit(self, record_keeper: User) -> None:
        url = reverse("warning-rules:edit", args=[rule("phq9", "yellow").pk])
        client = confirmed(record_keeper)
        assert client.post(url, edit_data(threshold="12")).status_code == 403
        assert client.get(reverse("warning-rules:create")).status_code == 403
        assert client.get(reverse("warning-rules:list")).status_code == 200
        assert rule("phq9", "yellow").threshold == 10

    def test_an_unknown_rule_is_404(self, bob: User) -> None:
        assert confirmed(bob).get(reverse("warning-rules:edit", args=[99999])).status_code == 404


class RuleCacheTestCase:
    def test_submissions_read_the_rules_once_per_process(self, db: None) -> None:
        proposed_tier("phq9", phq9(10))
        with CaptureQueriesContext(connection) as queries:
            for total in (5, 10, 20):
                proposed_tier("phq9", phq9(total))
        assert len(queries) == 0

    def test_another_process_change_applies_after_the_reload_time(self, db: None) -> None:
        assert proposed_tier("phq9", phq9(10)) == "yellow"
        # As another process would: the row changes, this process's copy does not know.
        WarningRule.objects.filter(instrument_id="phq9", tier="yellow").update(threshold=12)
        assert proposed_tier("phq9", phq9(10)) == "yellow"
        later = warnings.time.monotonic() + warnings.RELOAD_SECONDS + 1
        with mock.patch.object(warnings.time, "monotonic", return_value=later):
            assert proposed_tier("phq9", phq9(10)) is None
