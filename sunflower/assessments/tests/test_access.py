"""Reading responses: only the cadre's own, every read audited, 404 for the rest."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from sunflower.accounts.models import User
from sunflower.assessments.access import access_own_responses, access_response
from sunflower.assessments.tests.helpers import PHQ9_MODERATE, take
from sunflower.audit.models import AuditEvent


class AccessResponseTestCase:
    def test_the_cadre_reads_their_own_response_and_it_is_audited(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        assert access_response(consenting, response.pk) == response
        event = AuditEvent.objects.get(action="assessment.read", object_id=str(response.pk))
        assert (event.actor, event.actor_role) == (consenting, "cadre")
        assert "total" not in str(event.changes)

    def test_another_cadre_gets_404(self, consenting: User, other_cadre: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        with pytest.raises(Http404):
            access_response(other_cadre, response.pk)

    @pytest.mark.parametrize("who", ["alice", "bob"])
    def test_staff_get_404(
        self, who: str, consenting: User, request: pytest.FixtureRequest
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        with pytest.raises(Http404):
            access_response(request.getfixturevalue(who), response.pk)

    def test_missing_and_malformed_ids_get_404(self, consenting: User) -> None:
        for value in (uuid.uuid4(), "not-a-uuid"):
            with pytest.raises(Http404):
                access_response(consenting, value)


class AccessOwnResponsesTestCase:
    def test_it_lists_only_the_actors_submitted_responses(
        self, consenting: User, other_cadre: User
    ) -> None:
        mine = take(consenting, "phq9", PHQ9_MODERATE)
        take(other_cadre, "phq9", PHQ9_MODERATE)
        assert access_own_responses(consenting, "phq9") == [mine]
        assert access_own_responses(consenting, "gad7") == []
        event = AuditEvent.objects.filter(action="assessment.read", actor=consenting).last()
        assert event is not None and event.changes["responses"] == [str(mine.pk)]

    def test_staff_without_a_person_get_nothing(self, alice: User) -> None:
        assert access_own_responses(alice) == []
