"""No encrypted field's plaintext reaches the database: the SQLite file and a pg_dump are
searched for marker strings planted, through the real code paths, in every encrypted field.

Encrypted fields are discovered from the model registry, so a new one fails this test until a
marker is planted in it (add a planter to PLANTERS).
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, connections
from django_otp.oath import totp

from conftest import City, make_user
from sunflower.accounts import mfa
from sunflower.accounts.models import Role, User
from sunflower.bench import writes
from sunflower.keystore.fields import EncryptedTextField
from sunflower.keystore.tests.sensitive.models import SensitiveNote
from sunflower.lib.validators import id_check_code
from sunflower.orgs import importer
from sunflower.orgs.actions import do_create_person
from sunflower.orgs.models import Person, Unit
from sunflower.privacy import actions as privacy_actions

Planted = dict[str, list[str]]  # "app_label.Model.field" -> the markers written into it


def text_marker(label: str) -> str:
    return f"向阳花标记-{label}-{secrets.token_hex(8)}"


def id_number_marker() -> str:
    """A valid ID number whose 18 digits are random, so that they occur nowhere by chance."""
    year = 1960 + secrets.randbelow(40)
    first17 = (
        f"37{secrets.randbelow(10_000):04d}{year}{1 + secrets.randbelow(12):02d}"
        f"{1 + secrets.randbelow(28):02d}{secrets.randbelow(1000):03d}"
    )
    return first17 + id_check_code(first17)


def mobile_marker() -> str:
    return f"1{secrets.choice('3456789')}{secrets.randbelow(10**9):09d}"


def needles(marker: str) -> Iterator[bytes]:
    """The marker as bytes, as hex (bytea in a dump) and as base64 at each of the three byte
    alignments it could have inside a longer base64 text, standard and URL-safe."""
    raw = marker.encode()
    yield raw
    yield raw.hex().encode()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw)
        start = -(-offset * 4 // 3)  # the first character made of marker bits only
        end = (offset + len(raw)) * 8 // 6  # the last such character, exclusive
        core = encoded[start:end]
        yield core
        yield core.translate(bytes.maketrans(b"+/", b"-_"))


def encrypted_fields() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    }


# Planters: each writes markers through the code path the application uses -----------------


def plant_roster(city: City, staff: User, planted: Planted) -> Person:
    id_number, mobile = id_number_marker(), mobile_marker()
    person = do_create_person(
        staff,
        {
            "name": text_marker("name"),  # plaintext on purpose: the search's positive control
            "gender": "M" if int(id_number[16]) % 2 else "F",
            "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
            "id_number": id_number,
            "mobile": mobile,
            "unit": city.town_a1,
        },
    )
    planted["orgs.Person.id_number"] = [id_number]
    planted["orgs.Person.mobile"] = [mobile]
    return person


def plant_account(planted: Planted) -> None:
    mobile = mobile_marker()
    User.objects.create_user("marker", "Marker-Pass-2026", display_name="标记", mobile=mobile)
    planted["accounts.User.mobile"] = [mobile]


def plant_authenticator(staff: User, planted: Planted) -> None:
    """The TOTP key as enrolment generates it, then saved again by a verified code."""
    device = mfa.pending_totp(staff)
    assert device.verify_token(totp(device.bin_key, device.step, device.t0, device.digits))
    planted["accounts.AuthenticatorDevice.key"] = [device.key]


def plant_staged_import(city: City, staff: User, planted: Planted) -> None:
    id_number, mobile, post = id_number_marker(), mobile_marker(), text_marker("post")
    header = ",".join(importer.REQUIRED_COLUMNS)
    row = f"导入标记,{id_number},{mobile},{city.town_a1.code},{post},科员及以下,在职,"
    data = f"{header}\n{row}\n".encode("utf-8-sig")
    scope = importer.ImportScope.of(Unit.objects.subtree_of(city.district_a))
    staged = importer.do_stage_import(staff, "roster.csv", data, scope)
    assert staged.content, staged.summary  # kept, encrypted, until applied
    planted["orgs.RosterImport.content"] = [id_number, mobile, post]


def plant_bench(planted: Planted) -> None:
    marker = text_marker("bench")
    writes.audited_write(marker)
    planted["bench.BenchSecret.body"] = [marker]


def plant_sensitive_note(person: Person, planted: Planted) -> None:
    marker = text_marker("note")
    SensitiveNote.objects.create(person=person, body=marker)
    planted["keystore_sensitive_test.SensitiveNote.body"] = [marker]


def plant_deletion_request(person: Person, city: City, planted: Planted) -> None:
    reason, note = text_marker("reason"), text_marker("decision")
    cadre = make_user("marker-cadre", person=person)
    keeper = make_user("marker-keeper", (Role.RECORD_KEEPER, city.city))
    deletion = privacy_actions.do_request_deletion(cadre, reason=reason)
    privacy_actions.do_decide_deletion(keeper, deletion, approve=False, note=note)
    planted["privacy.DeletionRequest.reason"] = [reason]
    planted["privacy.DeletionRequest.decision_note"] = [note]


def plant_assessment(person: Person, planted: Planted) -> None:
    """An SCL-90 answered at random and submitted through the actions: 90 codes make the
    answers' JSON a marker of its own; the result's JSON and its band fragment are markers."""
    from django.utils import timezone

    from sunflower.assessments import actions as assessment_actions
    from sunflower.assessments.models import Response
    from sunflower.privacy.models import ConsentNotice

    user = User.objects.get(person=person)
    notice, _ = ConsentNotice.objects.get_or_create(
        version=1, defaults={"title": "告知书", "body": "正文", "published_at": timezone.now()}
    )
    privacy_actions.do_give_consent(user, notice)
    answers = [1 + secrets.randbelow(5) for _ in range(90)]
    draft = assessment_actions.do_start(user, "scl90")
    assessment_actions.do_save_draft(user, draft.pk, dict(enumerate(answers)))
    response = assessment_actions.do_submit(user, draft.pk, assessment_actions.new_token())
    stored = Response.objects.get(pk=response.pk)
    assert stored.answer_list() == answers
    band = stored.result_data()["band"]["code"]
    planted["assessments.Response.answers"] = [stored.answers]
    planted["assessments.Response.result"] = [stored.result, f'"band": {{"code": "{band}"']


def plant_care(person: Person, city: City, planted: Planted) -> None:
    """A warning raised by hand, changed in review, its case walked to closure with notes,
    and the cadre's explanation request answered: every care note is a marker."""
    from django.utils import timezone

    from sunflower.assessments.models import Response
    from sunflower.care import actions as care
    from sunflower.care.models import CaseActionKind, CaseStatus

    counsellor = make_user("plant-counsellor", (Role.COUNSELLOR, city.city))
    keeper = make_user("plant-keeper", (Role.RECORD_KEEPER, city.city))
    marks = {name: text_marker(name) for name in ("reason", "review", "t1", "action", "plan")}
    marks |= {name: text_marker(name) for name in ("referral", "closing", "ask", "answer")}
    warning = care.do_raise_warning(counsellor, person.pk, "red", marks["reason"])
    _warning, case = care.do_review_warning(
        keeper, warning.pk, "change", tier="orange", note=marks["review"]
    )
    assert case is not None
    care.do_transition(keeper, case.pk, CaseStatus.ASSESSED, note=marks["t1"])
    care.do_add_action(keeper, case.pk, CaseActionKind.CALL, timezone.now(), marks["action"])
    care.do_update_safety_plan(keeper, case.pk, marks["plan"])
    care.do_transition(keeper, case.pk, CaseStatus.REFERRED, referral_destination=marks["referral"])
    care.do_transition(keeper, case.pk, CaseStatus.FOLLOW_UP)
    care.do_transition(keeper, case.pk, CaseStatus.CLOSED, closing_reason=marks["closing"])
    cadre = User.objects.get(person=person)
    response = Response.objects.filter(person=person).first()
    assert response is not None
    explanation = care.do_request_explanation(cadre, response, marks["ask"])
    care.do_answer_explanation(keeper, explanation.pk, marks["answer"])
    planted["care.RiskWarning.reason"] = [marks["reason"]]
    planted["care.RiskWarning.review_note"] = [marks["review"]]
    planted["care.CaseTransition.note"] = [marks["t1"]]
    planted["care.CaseAction.note"] = [marks["action"]]
    planted["care.CrisisCase.safety_plan"] = [marks["plan"]]
    planted["care.CrisisCase.referral_destination"] = [marks["referral"]]
    planted["care.CrisisCase.closing_reason"] = [marks["closing"]]
    planted["care.ExplanationRequest.question"] = [marks["ask"]]
    planted["care.ExplanationRequest.answer"] = [marks["answer"]]


def plant_talks(person: Person, city: City, planted: Planted) -> None:
    """A talk and a visit recorded by an assigned talk officer, and a key-attention entry put
    on the list and exited: every note and reason is a marker."""
    from datetime import timedelta

    from django.utils import timezone

    from sunflower.care import talks

    keeper = make_user("plant-talk-keeper", (Role.RECORD_KEEPER, city.district_a))
    officer = make_user("plant-talk-officer", (Role.TALK_OFFICER, city.district_a))
    marks = {name: text_marker(name) for name in ("talk", "visit", "attention", "exit")}
    talks.do_assign(keeper, person.pk, officer.pk)
    now = timezone.now()
    details = talks.talk_details("targeted", ["work"], 4, notes=marks["talk"])
    talks.do_record_talk(officer, person.pk, now, details)
    talks.do_record_visit(officer, person.pk, now, talks.visit_details("home", marks["visit"]))
    entry = talks.do_create_attention(
        keeper,
        person.pk,
        codes=["major_setback"],
        note=marks["attention"],
        talk_every_days=14,
        responsible_id=officer.pk,
        review_on=timezone.localdate() + timedelta(days=30),
    )
    talks.do_exit_attention(keeper, entry.pk, marks["exit"])
    planted["care.Talk.details"] = [marks["talk"]]
    planted["care.Visit.details"] = [marks["visit"]]
    planted["care.KeyAttention.reasons"] = [marks["attention"]]
    planted["care.KeyAttention.exit_reason"] = [marks["exit"]]


def plant_break_glass(person: Person, city: City, planted: Planted) -> None:
    """A record keeper of another district breaks glass on the person with a written reason."""
    from sunflower.care import record

    outsider = make_user("plant-outsider", (Role.RECORD_KEEPER, city.district_b))
    reason = text_marker("break-glass")
    _person, grant = record.do_break_glass(outsider, person.id_number or "", reason)
    assert grant is not None
    planted["care.BreakGlassGrant.reason"] = [reason]


def plant_channel_preference(staff: User, planted: Planted) -> None:
    from sunflower.notifications.models import ChannelPreference

    address = f"{secrets.token_hex(6)}@example.gov.cn"
    ChannelPreference.objects.create(user=staff, email=address)
    planted["notifications.ChannelPreference.email"] = [address]


def plant_everything(city: City, staff: User) -> Planted:
    planted: Planted = {}
    person = plant_roster(city, staff, planted)
    plant_account(planted)
    plant_authenticator(staff, planted)
    plant_staged_import(city, staff, planted)
    plant_bench(planted)
    plant_sensitive_note(person, planted)
    plant_deletion_request(person, city, planted)
    plant_assessment(person, planted)
    plant_care(person, city, planted)
    plant_break_glass(person, city, planted)
    plant_talks(person, city, planted)
    plant_channel_preference(staff, planted)
    return planted


# The search -------------------------------------------------------------------------------


def hits(haystack: bytes, planted: Planted) -> list[str]:
    return [
        f"{field}: {marker}"
        for field, markers in planted.items()
        for marker in markers
        if any(needle in haystack for needle in needles(marker))
    ]


def sqlite_bytes() -> bytes:
    path = Path(connection.settings_dict["NAME"])
    connections.close_all()  # checkpoints the WAL into the file
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-journal")
        if Path(f"{path}{suffix}").exists()
    )


def pg_dump_bytes() -> bytes:
    if shutil.which("pg_dump") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pg_dump is required in CI to search the PostgreSQL database")
        pytest.skip("pg_dump is not installed: the PostgreSQL database was not searched")
    conf = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--dbname", conf["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            command += [option, str(conf[key])]
    env = {**os.environ, "PGPASSWORD": conf.get("PASSWORD") or ""}
    return subprocess.run(command, env=env, capture_output=True, check=True).stdout


class PlaintextTestCase:
    @pytest.fixture
    def planted(self, transactional_db: None, city: City, alice: User) -> Planted:
        return plant_everything(city, alice)

    def test_a_marker_is_planted_in_every_encrypted_field(self, planted: Planted) -> None:
        missing = encrypted_fields() - set(planted)
        assert not missing, f"plant a marker in these encrypted fields: {sorted(missing)}"

    def test_the_markers_read_back_through_the_fields(self, planted: Planted) -> None:
        person = Person.objects.get(created_by__isnull=False)
        assert [person.id_number] == planted["orgs.Person.id_number"]
        note = SensitiveNote.objects.get()
        assert [note.body] == planted["keystore_sensitive_test.SensitiveNote.body"]

    def test_no_plaintext_reaches_the_database(self, planted: Planted) -> None:
        if connection.vendor == "sqlite":
            stored = sqlite_bytes()
        elif connection.vendor == "postgresql":
            stored = pg_dump_bytes()
        else:
            pytest.skip(f"no way to read a {connection.vendor} database as bytes")
        person_name = Person.objects.get(created_by__isnull=False).name
        # The positive control: a plaintext column is found, so the search sees the data.
        assert any(needle in stored for needle in needles(person_name))
        assert hits(stored, planted) == []


class SearchTestCase:
    def test_it_finds_a_marker_inside_base64_at_any_alignment(self) -> None:
        marker = text_marker("alignment")
        for prefix in (b"", b"a", b"ab", b"abc,"):
            encoded = base64.b64encode(prefix + marker.encode() + b"\n")
            assert hits(encoded, {"field": [marker]}) == ["field: " + marker]
            urlsafe = base64.urlsafe_b64encode(prefix + marker.encode())
            assert hits(urlsafe, {"field": [marker]}) == ["field: " + marker]
        assert hits(b"nothing here", {"field": [marker]}) == []
