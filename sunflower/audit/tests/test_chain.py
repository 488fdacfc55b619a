"""The audit hash chain: sealing, tamper detection, the append-only trigger, retention."""

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from sunflower.audit import chain
from sunflower.audit.events import record
from sunflower.audit.models import AuditEvent, AuditSeal, ChainAnchor


def write_events(count: int) -> list[AuditEvent]:
    return [record("test.event", changes={"n": n}) for n in range(count)]


@pytest.fixture
def tampering() -> Iterator[None]:
    """Let the test change rows the way an intruder with database access would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # triggers off
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    else:
        yield


def raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class SealTestCase:
    def test_it_links_events_in_order(self, db: None) -> None:
        events = write_events(5)
        assert chain.seal_all() == 5
        seals = list(AuditSeal.objects.order_by("seq"))
        assert [s.event_id for s in seals] == [e.pk for e in events]
        assert seals[0].prev_hash == chain.GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(seals))

    def test_it_continues_the_chain_across_runs(self, db: None) -> None:
        write_events(2)
        chain.seal_all()
        write_events(3)
        chain.seal_all()
        assert list(AuditSeal.objects.order_by("seq").values_list("seq", flat=True)) == [
            1,
            2,
            3,
            4,
            5,
        ]
        assert chain.verify().ok

    def test_it_uses_sm3_with_the_national_suite(self, db: None, settings: object) -> None:
        settings.SUNFLOWER_CRYPTO_SUITE = "sm"  # type: ignore[attr-defined]
        write_events(2)
        chain.seal_all()
        assert set(AuditSeal.objects.values_list("algorithm", flat=True)) == {"sm3"}
        assert chain.verify().ok


class VerifyTestCase:
    def test_it_reports_an_intact_chain(self, db: None) -> None:
        write_events(4)
        chain.seal_all()
        verdict = chain.verify()
        assert verdict.ok and verdict.checked == 4

    def test_it_names_an_altered_entry(self, db: None, tampering: None) -> None:
        events = write_events(5)
        chain.seal_all()
        raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", events[2].pk])
        verdict = chain.verify()
        assert not verdict.ok
        assert verdict.seq == 3 and verdict.event_id == events[2].pk
        assert "altered" in verdict.problem

    def test_it_names_a_deleted_entry(self, db: None, tampering: None) -> None:
        events = write_events(5)
        chain.seal_all()
        raw("DELETE FROM audit_auditseal WHERE event_id = %s", [events[1].pk])
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
        verdict = chain.verify()
        assert not verdict.ok
        assert verdict.seq == 2
        assert "missing" in verdict.problem

    def test_it_names_a_rewritten_hash(self, db: None, tampering: None) -> None:
        write_events(3)
        chain.seal_all()
        raw("UPDATE audit_auditseal SET hash = %s WHERE seq = %s", ["f" * 64, 2])
        verdict = chain.verify()
        assert not verdict.ok and verdict.seq in (2, 3)

    def test_the_command_exits_non_zero_and_names_the_entry(
        self, db: None, tampering: None
    ) -> None:
        events = write_events(3)
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        assert "3 entries verified" in out.getvalue()
        raw("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["x", events[0].pk])
        with pytest.raises(CommandError, match=r"entry #1 \(event id"):
            call_command("audit", "verify")


class AppendOnlyTestCase:
    @pytest.fixture(autouse=True)
    def _postgres_only(self, db: None) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("the append-only trigger is PostgreSQL's; SQLite relies on verify")

    def test_postgres_refuses_update(self) -> None:
        event = record("test.event")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])

    def test_postgres_refuses_delete(self) -> None:
        event = record("test.event")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


class RetentionTestCase:
    def test_it_removes_old_entries_and_keeps_the_chain_verifiable(self, db: None) -> None:
        with time_machine.travel(dt.datetime(2022, 1, 1, tzinfo=dt.UTC), tick=False):
            old = write_events(3)
        with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
            write_events(2)
            chain.seal_all()
            assert chain.prune() == 3
        assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
        anchor = ChainAnchor.objects.get()
        assert anchor.first_seq == 4
        verdict = chain.verify()
        assert verdict.ok and verdict.checked == 2
        write_events(1)
        chain.seal_all()
        assert chain.verify().ok

    def test_it_never_keeps_less_than_six_months(self, db: None, settings: object) -> None:
        settings.SUNFLOWER_AUDIT_RETENTION_DAYS = 30  # type: ignore[attr-defined]
        assert chain.retention_days() == chain.MIN_RETENTION_DAYS


@pytest.mark.django_db(transaction=True)
class ConcurrencyTestCase:
    def test_parallel_writers_and_sealers_keep_one_unbroken_chain(self) -> None:
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                for _ in range(20):
                    record("test.concurrent")
                    chain.seal_pending()
            except BaseException as exc:  # collected and re-raised in the main thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        chain.seal_all()
        verdict = chain.verify()
        assert verdict.ok, str(verdict)
        assert verdict.checked == 80


class TaskTestCase:
    def test_the_periodic_task_seals_what_requests_appended(self, db: None) -> None:
        from sunflower.audit.tasks import seal_audit_chain

        write_events(3)
        assert seal_audit_chain.call_local() == 3
        assert AuditSeal.objects.count() == 3
