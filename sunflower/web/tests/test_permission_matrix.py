"""Walk every URL pattern of the site and check each role against permission_matrix.MATRIX."""

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import City, make_user, verified_login
from sunflower.accounts.models import Role, User
from sunflower.orgs.models import Person, RosterImport
from sunflower.web.tests.permission_matrix import DENY, LOGIN, MATRIX, OK, ROLES, expected


def discover(patterns: list[Any], namespace: str = "") -> dict[str, list[str]]:
    """URL name → the names of its keyword arguments, for every named pattern."""
    found: dict[str, list[str]] = {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.update(discover(entry.url_patterns, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            found[f"{namespace}{entry.name}"] = list(entry.pattern.converters)
    return found


URLS = discover(get_resolver().url_patterns)


@pytest.fixture
def cast(city: City, make_person: Any) -> dict[str, Any]:
    """One account per role, each granted over the whole city, and a person to look at."""
    users: dict[str, User | None] = {"anonymous": None}
    users["cadre"] = make_user("role-cadre", person=make_person(unit=city.town_a1))
    for role in ROLES[2:]:
        users[role] = make_user(f"role-{role}", (Role(role), city.city))
    person_user = make_user("role-subject", person=make_person(unit=city.town_a1))
    return {"users": users, "person": make_person(unit=city.town_a1), "person_user": person_user}


def url_for(name: str, user: User | None, cast: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for arg in URLS[name]:
        if name.startswith(("training:", "training-portal:")):
            from sunflower.training.tests.samples import training_sample_for_matrix

            kwargs[arg] = training_sample_for_matrix(arg, cast)
        elif name.startswith("lessons:"):
            from sunflower.training.tests.samples_lessons import lesson_sample_for_matrix

            kwargs[arg] = lesson_sample_for_matrix(arg, cast)
        elif arg == "person_id":
            kwargs[arg] = cast["person"].pk
            if name.startswith(("care:talk", "care:visit", "care:attention")):
                from sunflower.care.tests.samples_talks import assign_for_matrix

                assign_for_matrix(cast)  # the talk officer's pages need the cadre assigned
        elif arg == "user_id":
            kwargs[arg] = cast["person_user"].pk
        elif arg == "assignment_id":
            kwargs[arg] = cast["users"]["volunteer"].assignments.get().pk
        elif arg == "import_id":
            owner = user or cast["users"]["liaison"]
            kwargs[arg] = RosterImport.objects.create(
                uploaded_by=owner,
                filename="roster.csv",
                content=base64.b64encode("姓名\n".encode()).decode(),
                status=RosterImport.Status.REJECTED,
                summary={},
            ).pk
        elif arg == "request_id":
            from sunflower.privacy.models import DeletionRequest, DeletionStatus

            # The cadre's open deletion request, in every city-wide role's scope.
            kwargs[arg] = DeletionRequest.objects.get_or_create(
                person=cast["users"]["cadre"].person,
                status=DeletionStatus.REQUESTED,
                defaults={"requested_at": timezone.now()},
            )[0].pk
        elif arg == "instrument_id":
            kwargs[arg] = "phq9"
        elif arg == "rule_id":
            from sunflower.assessments.tests.rules import sample_rule

            kwargs[arg] = sample_rule().pk
        elif arg == "response_id" and name.startswith("api:"):
            kwargs[arg] = sample_submitted_response(cast["users"]["cadre"].person).pk
        elif arg == "response_id":
            kwargs[arg] = sample_response(cast["users"]["cadre"].person).pk
        elif arg == "campaign_id":
            kwargs[arg] = sample_campaign(cast["users"]["programme_admin"]).pk
        elif arg == "result_id":
            kwargs[arg] = sample_campaign_response(cast).pk
        elif arg == "export_id":
            kwargs[arg] = sample_export(cast).pk
        elif arg in ("warning_id", "case_id", "explanation_id", "shift_id"):
            from sunflower.care.tests.samples import sample_for_matrix

            kwargs[arg] = sample_for_matrix(arg, cast)
        elif arg in ("talk_id", "visit_id", "attention_id", "talk_assignment_id"):
            from sunflower.care.tests.samples_talks import talk_sample_for_matrix

            kwargs[arg] = talk_sample_for_matrix(arg, cast)
        elif arg == "message_id":
            from sunflower.notifications.api import notify

            kwargs[arg] = notify([cast["users"]["cadre"]], "care.warning", link="/m/")[0].pk
        elif arg == "page":
            kwargs[arg] = 1
        elif arg in ("item_id", "category_id"):
            from sunflower.content.tests.samples import content_sample_for_matrix

            kwargs[arg] = content_sample_for_matrix(arg)
        elif arg == "recommendation_id":
            from sunflower.content.tests.samples import recommendation_sample_for_matrix

            kwargs[arg] = recommendation_sample_for_matrix()
        else:
            raise AssertionError(f"no sample value for URL argument {arg!r} of {name}")
    return reverse(name, kwargs=kwargs)


def sample_response(person: Person) -> Any:
    """The cadre's draft of PHQ-9 (its result page sends back to the draft: a redirect)."""
    from sunflower.assessments.models import Response, ResponseStatus

    now = timezone.now()
    return Response.objects.get_or_create(
        person=person,
        instrument_id="phq9",
        status=ResponseStatus.DRAFT,
        defaults={
            "instrument_version": "1",
            "answers": "[null, null, null, null, null, null, null, null, null]",
            "started_at": now,
            "saved_at": now,
        },
    )[0]


def submitted_phq9(person: Person, answers: list[int], **fields: Any) -> Any:
    """A PHQ-9 of *person* submitted just now, scored as the submission path scores it (at
    once, so flagged too fast)."""
    from sunflower.assessments import catalogue
    from sunflower.assessments.actions import scored_result
    from sunflower.assessments.models import Response, ResponseStatus

    now = timezone.now()
    response = Response(
        person=person,
        instrument_id="phq9",
        instrument_version="1",
        status=ResponseStatus.SUBMITTED,
        started_at=now,
        saved_at=now,
        submitted_at=now,
        **fields,
    )
    response.set_answers(answers)
    response.set_result(scored_result(catalogue.instrument("phq9", "1"), answers, 0))
    response.save()
    return response


def sample_submitted_response(person: Person) -> Any:
    """A submitted PHQ-9 of the cadre (the API shows submitted results only)."""
    return submitted_phq9(person, [0] * 9)


def request_as(client: Client, name: str, method: str, url: str, user: User | None) -> Any:
    """The request of one matrix cell: the API with a bearer token (and an empty JSON body,
    which an allowed caller sees refused as malformed, 422), the pages with a session."""
    if not name.startswith("api:"):
        if user is not None:
            # Staff sessions as after a real login, second factor included.
            if user.is_staff_member:
                verified_login(client, user)
            else:
                client.force_login(user)
        return getattr(client, method)(url)
    from sunflower.api import tokens

    headers = {"Authorization": f"Bearer {tokens.issue(user).token}"} if user else {}
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(url, "{}", content_type="application/json", headers=headers)


def sample_campaign(creator: User) -> Any:
    """A draft campaign over the whole city, in every city-wide programme admin's scope."""
    from datetime import timedelta

    from sunflower.assessments.models import Campaign

    now = timezone.now()
    return Campaign.objects.get_or_create(
        name="matrix",
        defaults={
            "instruments": ["phq9"],
            "root_unit": creator.assignments.get().unit,
            "opens_at": now,
            "closes_at": now + timedelta(days=7),
            "created_by": creator,
        },
    )[0]


def sample_campaign_response(cast: dict[str, Any]) -> Any:
    """The subject's submitted response in an identified city-wide campaign: the city-wide
    record keeper reads it, nobody else (the subject is not in the cast of roles)."""
    from sunflower.assessments.models import Response, ResponseStatus

    person = cast["person_user"].person
    found = Response.objects.filter(person=person, status=ResponseStatus.SUBMITTED).first()
    if found is not None:
        return found
    campaign = sample_campaign(cast["users"]["programme_admin"])
    return submitted_phq9(person, [1, 1, 1, 1, 0, 0, 0, 0, 0], campaign=campaign)


def sample_export(cast: dict[str, Any]) -> Any:
    """An export request for the sample campaign by another record keeper."""
    from sunflower.assessments.models import ExportRequest

    campaign = sample_campaign(cast["users"]["programme_admin"])
    requester = cast.get("other_keeper") or make_user(
        "role-other-keeper", (Role.RECORD_KEEPER, campaign.root_unit)
    )
    cast["other_keeper"] = requester
    return ExportRequest.objects.get_or_create(
        campaign=campaign,
        defaults={
            "file_format": "csv",
            "reason": "年度分析",
            "requested_by": requester,
            "requested_at": timezone.now(),
        },
    )[0]


def outcome(response: Any, *, api: bool = False) -> str:
    if api and response.status_code == 401:
        return LOGIN
    if api and response.status_code == 422:
        return OK  # past authentication and permission, refused as malformed
    login_url = reverse("accounts:login")
    if response.status_code in (301, 302) and response["Location"].startswith(login_url):
        return LOGIN
    if response.status_code in (403, 404):
        return DENY
    if response.status_code < 400:
        return OK
    return f"HTTP {response.status_code}"


class PermissionMatrixTestCase:
    def test_every_url_has_a_row_in_the_table(self) -> None:
        assert sorted(set(URLS) - set(MATRIX)) == [], "add these URLs to permission_matrix.py"
        assert sorted(set(MATRIX) - set(URLS)) == [], "remove these rows: no such URL"

    @pytest.mark.parametrize("name", sorted(MATRIX))
    def test_each_role_gets_what_the_table_says(self, name: str, cast: dict[str, Any]) -> None:
        method = MATRIX[name][0]
        wrong = []
        for role in ROLES:
            user = cast["users"][role]
            url = url_for(name, user, cast)
            response = request_as(Client(), name, method, url, user)
            got = outcome(response, api=name.startswith("api:"))
            if got != expected(name, role):
                wrong.append(f"{role}: expected {expected(name, role)}, got {got}")
        assert wrong == []

    def test_it_checks_the_person_is_still_there(self, cast: dict[str, Any]) -> None:
        # The matrix's object pages are only meaningful if the sample person exists in scope.
        assert Person.objects.filter(pk=cast["person"].pk).exists()
