"""What each POST of a PHQ-9 submission costs the database, pinned so that it cannot creep back
(docs/performance.md, "bench submit"). Counted as the production server runs them: no test
transaction around the request, so commits are real ones.

Per request: the session and the user (the user's query also answers whether a staff role is
held and whether an authenticator is confirmed: no role or device query for a cadre), then the
person with the consent to the notice in force (one query). Each page POST is one transaction:
the read's audit entry commits with the save or the submit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.assessments.tests.helpers import take
from sunflower.audit.models import AuditEvent

CONTROL = re.compile(r"^\s*(BEGIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT)\b", re.IGNORECASE)

# (statements other than transaction control, commits) per request.
START = (7, 1)
PAGE_1 = (7, 1)
PAGE_2 = (9, 1)


@contextmanager
def counting() -> Iterator[Callable[[], tuple[int, int]]]:
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch.object(connection, "commit", wraps=connection.commit) as commit,
    ):

        def counts() -> tuple[int, int]:
            statements = [q["sql"] for q in queries.captured_queries]
            return sum(not CONTROL.match(sql) for sql in statements), commit.call_count

        yield counts


def post(client: Any, url: str, data: dict[str, str] | None = None) -> tuple[Any, tuple[int, int]]:
    with counting() as counts:
        answer = client.post(url, data or {})
    assert answer.status_code == 302, answer
    return answer, counts()


@pytest.mark.django_db(transaction=True)
def test_the_three_posts_of_a_phq9_submission(consenting: User) -> None:
    take(consenting, "phq9", [0] * 9)  # a person who has answered before: their data key exists
    client = logged_in(consenting)

    started, start_cost = post(client, reverse("assessments:intro", args=["phq9"]))
    found = re.search(r"/r/([0-9a-f-]+)/1/$", started["Location"])
    assert found is not None
    response_id = found.group(1)
    answers = {f"q{n}": "0" for n in range(1, 10)}
    _, page_1_cost = post(
        client,
        reverse("assessments:page", args=[response_id, 1]),
        {**{k: answers[k] for k in ("q1", "q2", "q3", "q4", "q5")}, "go": "next"},
    )
    done, page_2_cost = post(
        client,
        reverse("assessments:page", args=[response_id, 2]),
        {
            **{k: answers[k] for k in ("q6", "q7", "q8", "q9")},
            "go": "submit",
            "token": "ab" * 16,
        },
    )

    assert done["Location"] == reverse("assessments:result", args=[response_id])
    assert Response.objects.get(pk=response_id).status == ResponseStatus.SUBMITTED
    assert (start_cost, page_1_cost, page_2_cost) == (START, PAGE_1, PAGE_2)
    # Both page POSTs still audit their read (besides the start and the submit entries).
    reads = AuditEvent.objects.filter(action="assessment.read", object_id=response_id)
    assert reads.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_refused_submit_keeps_the_audit_of_its_read(consenting: User) -> None:
    """The read and the action share a transaction; a submit the rules refuse (answers
    missing) rolls back alone and the read stays audited."""
    client = logged_in(consenting)
    started = client.post(reverse("assessments:intro", args=["phq9"]))
    response_id = started["Location"].split("/r/")[1].split("/")[0]
    answer = client.post(
        reverse("assessments:page", args=[response_id, 2]),
        {"q6": "0", "q7": "0", "q8": "0", "q9": "0", "go": "submit", "token": "cd" * 16},
    )
    assert answer.status_code == 302  # to page 1, where the gaps are
    assert Response.objects.get(pk=response_id).status == ResponseStatus.DRAFT
    reads = AuditEvent.objects.filter(action="assessment.read", object_id=response_id)
    assert reads.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_page_out_of_range_is_404_and_its_read_is_audited(consenting: User) -> None:
    client = logged_in(consenting)
    started = client.post(reverse("assessments:intro", args=["phq9"]))
    response_id = started["Location"].split("/r/")[1].split("/")[0]
    answer = client.post(reverse("assessments:page", args=[response_id, 9]), {"go": "next"})
    assert answer.status_code == 404
    reads = AuditEvent.objects.filter(action="assessment.read", object_id=response_id)
    assert reads.count() == 1
