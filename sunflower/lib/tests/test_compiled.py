"""CompiledQuery answers exactly what its queryset answers, runs on every call, and refuses what
it cannot reproduce (docs/performance.md, "bench submit")."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.accounts.sessions import SessionStore
from sunflower.lib.compiled import CompiledQuery
from sunflower.orgs.models import Person, Unit

USER_ID = User._meta.get_field("id")
PERSON_ID = Person._meta.get_field("id")


def fields(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


class CompiledQueryTestCase:
    def test_it_returns_the_same_instances_as_the_queryset(
        self, make_person: Callable[..., Person], alice: User
    ) -> None:
        person = make_person(name="张三", mobile="13800138000")
        cadre = User.objects.create(username="zhangsan", display_name="张三", person=person)

        def build(user_id: Any) -> Any:
            return User.objects.annotate(
                holds_staff_role=Exists(RoleAssignment.objects.active().filter(user=OuterRef("pk")))
            ).filter(pk=user_id)

        compiled = CompiledQuery(build, user_id=USER_ID)
        for user in (cadre, alice):
            (found,) = compiled.fetch(user_id=user.pk)
            expected = build(user.pk).get()
            assert fields(found) == fields(expected)
            assert found._state.adding is False and found._state.db == "default"
        assert compiled.fetch(user_id=uuid.uuid4()) == []

    def test_it_fills_select_related_and_decrypts(self, make_person: Callable[..., Person]) -> None:
        person = make_person(name="李四", mobile="13900139000")
        compiled = CompiledQuery(
            lambda person_id: Person.objects.select_related("unit").filter(pk=person_id),
            person_id=PERSON_ID,
        )
        found = compiled.first(person_id=str(person.pk))  # a string is prepared like the ORM does
        assert found is not None
        assert found.mobile == "13900139000"
        with CaptureQueriesContext(connection) as queries:
            assert found.unit.name == person.unit.name  # loaded with it: no query
        assert not queries.captured_queries
        assert fields(found.unit) == fields(Unit.objects.get(pk=person.unit_id))

    def test_it_reads_afresh_on_every_call(self, make_person: Callable[..., Person]) -> None:
        person = make_person()
        compiled = CompiledQuery(
            lambda person_id: Person.objects.filter(pk=person_id), person_id=PERSON_ID
        )
        assert compiled.first(person_id=person.pk).post == ""  # type: ignore[union-attr]
        Person.objects.filter(pk=person.pk).update(post="科长")
        with CaptureQueriesContext(connection) as queries:
            assert compiled.first(person_id=person.pk).post == "科长"  # type: ignore[union-attr]
        assert len(queries.captured_queries) == 1

    def test_a_parameter_used_twice_and_a_datetime(self, city: Any, alice: User) -> None:
        now = timezone.now()
        RoleAssignment.objects.filter(user=alice).update(granted_at=now - timedelta(days=1))
        compiled = CompiledQuery(
            lambda at: (
                RoleAssignment.objects.filter(granted_at__lte=at)
                .exclude(revoked_at__gt=at)
                .order_by("pk")
            ),
            at=RoleAssignment._meta.get_field("granted_at"),
        )
        assert [a.pk for a in compiled.fetch(at=now)] == list(
            RoleAssignment.objects.filter(granted_at__lte=now)
            .exclude(revoked_at__gt=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        assert compiled.fetch(at=now - timedelta(days=2)) == []
        assert compiled.fetch(at=now)[0].role == Role.LIAISON

    def test_select_for_update_needs_a_transaction(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        compiled = CompiledQuery(
            lambda person_id: Person.objects.select_for_update().filter(pk=person_id),
            person_id=PERSON_ID,
        )
        with transaction.atomic():
            assert compiled.first(person_id=person.pk) == person

    @pytest.mark.django_db(transaction=True)
    def test_select_for_update_outside_a_transaction_is_refused(self) -> None:
        compiled = CompiledQuery(
            lambda person_id: Person.objects.select_for_update().filter(pk=person_id),
            person_id=PERSON_ID,
        )
        with pytest.raises(TransactionManagementError):
            compiled.first(person_id=uuid.uuid4())

    def test_it_refuses_what_it_cannot_reproduce(self, db: None) -> None:
        with pytest.raises(TypeError, match="plain model querysets"):
            CompiledQuery(
                lambda person_id: Person.objects.filter(pk=person_id).values("pk"),
                person_id=PERSON_ID,
            ).fetch(person_id=uuid.uuid4())
        with pytest.raises(TypeError, match="not found"):
            CompiledQuery(lambda person_id: Person.objects.all(), person_id=PERSON_ID).fetch(
                person_id=uuid.uuid4()
            )


class SessionStoreTestCase:
    def test_it_reads_what_djangos_store_reads_and_honours_expiry(self, db: None) -> None:
        django_store = DjangoSessionStore()
        django_store["seen"] = 42
        django_store.save()
        key = django_store.session_key
        assert SessionStore(key).load() == {"seen": 42}
        store = SessionStore(key)
        store["seen"] = 43
        store.save()
        assert DjangoSessionStore(key).load() == {"seen": 43}
        django_store.model.objects.filter(session_key=key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
        expired = SessionStore(key)
        assert expired.load() == {}
        assert expired.session_key is None  # as Django's: a new key is made on save
        assert SessionStore("no-such-session-key").load() == {}
        assert SessionStore(None).load() == {}


class CompiledInsertTestCase:
    def test_it_writes_what_save_writes(self, alice: User) -> None:
        from sunflower.audit.models import AuditEvent
        from sunflower.lib.compiled import CompiledInsert

        def entry() -> AuditEvent:
            return AuditEvent(
                occurred_at=timezone.now(),
                actor=alice,
                actor_role=Role.LIAISON,
                action="test.insert",
                source_ip="127.0.0.1",
                changes={"n": 1, "名": "值"},
            )

        inserted = CompiledInsert(AuditEvent).save(entry())
        saved = entry()
        saved.save()
        assert inserted.pk is not None and inserted.pk != saved.pk
        assert inserted._state.adding is False and inserted._state.db == "default"
        written = fields(AuditEvent.objects.get(pk=inserted.pk))
        expected = fields(AuditEvent.objects.get(pk=saved.pk))
        for row in (written, expected):
            del row["id"], row["occurred_at"]
        assert written == expected

    def test_a_receiver_gets_its_signal(self, alice: User) -> None:
        from django.db.models.signals import post_save

        from sunflower.audit.models import AuditEvent
        from sunflower.lib.compiled import CompiledInsert

        heard = []

        def receiver(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
            heard.append((instance.action, created))

        post_save.connect(receiver, sender=AuditEvent)
        try:
            CompiledInsert(AuditEvent).save(
                AuditEvent(occurred_at=timezone.now(), action="test.signal")
            )
        finally:
            post_save.disconnect(receiver, sender=AuditEvent)
        assert heard == [("test.signal", True)]

    def test_it_refuses_models_without_an_auto_key(self) -> None:
        from sunflower.lib.compiled import CompiledInsert

        with pytest.raises(TypeError, match="auto primary key"):
            CompiledInsert(Person)


class PreparedStatementsTestCase:
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
    def test_a_statement_run_repeatedly_is_prepared_once(self, db: None) -> None:
        # settings: SUNFLOWER_DB_PREPARE_THRESHOLD (5) runs, then PostgreSQL plans it once.
        for _ in range(7):
            User.objects.filter(username="prepared-statement-probe").first()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%prepared-statement-probe%"],
            )
            (prepared,) = cursor.fetchone()
        assert prepared == 0  # bound by the server: the value is not part of the statement
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE 'SELECT %%accounts_user%%username%% = $1%%'"
            )
            (prepared,) = cursor.fetchone()
        assert prepared >= 1
