"""Sample talk rows for the site's permission matrix (web/tests/test_permission_matrix.py).

The cast's city-wide talk officer is assigned to the cast's sample person, so that the talk
officer's pages about that person answer; the sample talk, visit and key-attention entry are
that officer's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from sunflower.care.models_talks import (
    AttentionReasons,
    KeyAttention,
    MeetingStatus,
    Talk,
    TalkAssignment,
    TalkDetails,
    Visit,
    VisitDetails,
)

ARGS = ("talk_id", "visit_id", "attention_id", "talk_assignment_id")
PREFIXES = ("care:talk", "care:visit", "care:attention")


def assign_for_matrix(cast: dict[str, Any]) -> TalkAssignment:
    officer, person = cast["users"]["talk_officer"], cast["person"]
    found = TalkAssignment.objects.filter(talk_officer=officer, person=person).first()
    return found or TalkAssignment.objects.create(
        talk_officer=officer, person=person, since=timezone.localdate() - timedelta(days=30)
    )


def talk_sample_for_matrix(arg: str, cast: dict[str, Any]) -> Any:
    assignment = assign_for_matrix(cast)
    officer, person = assignment.talk_officer, assignment.person
    now = timezone.now()
    if arg == "talk_assignment_id":
        return assignment.pk
    if arg == "talk_id":
        talk = Talk.objects.filter(person=person).first()
        if talk is None:
            talk = Talk(
                person=person,
                unit=person.unit,
                officer=officer,
                status=MeetingStatus.DONE,
                held_at=now,
            )
            talk.set_details(TalkDetails(areas=["work"], pressure=2, notes="matrix"))
            talk.save()
        return talk.pk
    if arg == "visit_id":
        visit = Visit.objects.filter(person=person).first()
        if visit is None:
            visit = Visit(
                person=person,
                unit=person.unit,
                officer=officer,
                status=MeetingStatus.DONE,
                held_at=now,
            )
            visit.set_details(VisitDetails(place="matrix"))
            visit.save()
        return visit.pk
    if arg == "attention_id":
        entry = KeyAttention.objects.filter(person=person).first()
        if entry is None:
            entry = KeyAttention(
                person=person,
                unit=person.unit,
                responsible=cast["users"]["record_keeper"],
                review_on=timezone.localdate() + timedelta(days=60),
            )
            entry.set_reasons(AttentionReasons(codes=["heavy_burden"], note="matrix"))
            entry.save()
        return entry.pk
    raise AssertionError(arg)
