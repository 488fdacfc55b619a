"""One open case per person, under concurrent requests (run on PostgreSQL by `make test`).

Two record keepers confirm two red warnings about the same person at the same moment. The
database's partial unique constraint (one_open_case_per_person) lets one case in; the other
request meets the IntegrityError, joins that case and still succeeds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.care import actions
from sunflower.care.models import CrisisCase, RiskWarning, WarningStatus
from sunflower.orgs.models import Person


def in_thread(target: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
class OneOpenCaseTestCase:
    def test_the_later_of_two_racing_confirmations_joins_the_first_case(
        self,
        keeper: User,
        city_keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        first, second = raise_warning(subject), raise_warning(subject)
        inserted = threading.Event()
        errors: list[BaseException] = []

        def slow_first() -> None:
            # Open the case and hold the transaction, uncommitted, while the second runs.
            with transaction.atomic():
                actions.do_review_warning(keeper, first.pk, "confirm")
                inserted.set()
                time.sleep(0.5)

        def second_review() -> None:
            inserted.wait(5)
            actions.do_review_warning(city_keeper, second.pk, "confirm")

        threads = [in_thread(slow_first, errors), in_thread(second_review, errors)]
        for thread in threads:
            thread.join()
        assert errors == []
        case = CrisisCase.objects.get()
        assert case.warning_id == first.pk
        assert set(RiskWarning.objects.values_list("status", flat=True)) == {
            WarningStatus.CONFIRMED
        }
        assert AuditEvent.objects.filter(action="case.open").count() == 1
        assert AuditEvent.objects.filter(action="case.warning_added").count() == 1

    def test_two_simultaneous_requests_leave_one_open_case(
        self,
        keeper: User,
        city_keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        warnings = [raise_warning(subject), raise_warning(subject)]
        clients = [logged_in(keeper), logged_in(city_keeper)]
        start = threading.Barrier(2)
        statuses: list[int] = []
        errors: list[BaseException] = []

        def post(index: int) -> Callable[[], None]:
            def run() -> None:
                url = reverse("care:warning-review", args=[warnings[index].pk])
                start.wait(5)
                statuses.append(clients[index].post(url, {"decision": "confirm"}).status_code)

            return run

        threads = [in_thread(post(0), errors), in_thread(post(1), errors)]
        for thread in threads:
            thread.join()
        assert errors == []
        assert statuses == [302, 302]
        assert CrisisCase.objects.count() == 1

    def test_the_database_refuses_a_second_open_case(
        self, keeper: User, subject: Person, open_case: Callable[..., CrisisCase]
    ) -> None:
        from django.db import IntegrityError

        case = open_case()
        with pytest.raises(IntegrityError), transaction.atomic():
            CrisisCase.objects.create(person=subject, unit=case.unit, tier="red")
