"""The audit hash chain: sealing appended events in order, verifying, and retention.

Requests only INSERT events. `seal_pending` (run by the background worker every few seconds,
and before every verification) takes the chain head under a lock that only sealers contend
for, and links unsealed events in id order: hash_n = H(hash_{n-1} ‖ canonical(event_n)).
`verify` recomputes the chain and names the first missing or altered entry. `prune` removes
the oldest sealed entries past the retention period and records an anchor, so the rest of the
chain still verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sunflower.audit.models import AuditEvent, AuditSeal, ChainAnchor

GENESIS = "0" * 64
SEAL_BATCH = 2000
MIN_RETENTION_DAYS = 183  # Cybersecurity Law Art. 21: at least six months


def canonical(event: AuditEvent) -> bytes:
    """The bytes of an event that the chain protects: every field, in a fixed form."""
    return json.dumps(
        {
            "id": event.pk,
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
            "actor": str(event.actor_id) if event.actor_id else None,
            "actor_role": event.actor_role,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "scope_unit_id": event.scope_unit_id,
            "source_ip": event.source_ip,
            "outcome": event.outcome,
            "changes": event.changes,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def digest(algorithm: str, prev_hash: str, event: AuditEvent) -> str:
    payload = prev_hash.encode() + b"\n" + canonical(event)
    if algorithm == "sm3":
        hasher = hashes.Hash(hashes.SM3())
        hasher.update(payload)
        return hasher.finalize().hex()
    return hashlib.sha256(payload).hexdigest()


def current_algorithm() -> str:
    return "sm3" if settings.SUNFLOWER_CRYPTO_SUITE == "sm" else "sha256"


def seal_pending(limit: int = SEAL_BATCH) -> int:
    """Link up to *limit* unsealed events into the chain; returns how many were sealed."""
    algorithm = current_algorithm()
    try:
        with transaction.atomic():
            head = AuditSeal.objects.select_for_update().order_by("-seq").first()
            if head is None:
                anchor = ChainAnchor.objects.order_by("-first_seq").first()
                seq, prev = (anchor.first_seq, anchor.prev_hash) if anchor else (1, GENESIS)
            else:
                seq, prev = head.seq + 1, head.hash
            pending = list(AuditEvent.objects.filter(seal__isnull=True).order_by("id")[:limit])
            now = timezone.now()
            seals = []
            for event in pending:
                value = digest(algorithm, prev, event)
                seals.append(
                    AuditSeal(
                        seq=seq,
                        event=event,
                        algorithm=algorithm,
                        prev_hash=prev,
                        hash=value,
                        sealed_at=now,
                    )
                )
                seq, prev = seq + 1, value
            AuditSeal.objects.bulk_create(seals)
            return len(seals)
    except IntegrityError:
        # Another sealer took the same sequence numbers first; its work stands.
        return 0


def seal_all() -> int:
    total = 0
    while sealed := seal_pending():
        total += sealed
    return total


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None
    event_id: int | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} entries verified"
        return f"audit chain broken at entry #{self.seq} (event id {self.event_id}): {self.problem}"


def _sealed_in_order() -> Iterator[AuditSeal]:
    return AuditSeal.objects.select_related("event").order_by("seq").iterator(chunk_size=2000)


def verify() -> Verdict:
    """Recompute the whole chain; name the first entry that is missing or altered."""
    anchor = ChainAnchor.objects.order_by("-first_seq").first()
    expected_seq, prev = (anchor.first_seq, anchor.prev_hash) if anchor else (1, GENESIS)
    checked = 0
    for seal in _sealed_in_order():
        if seal.seq < expected_seq:
            continue  # removed by retention but not yet deleted; the anchor stands
        if seal.seq != expected_seq:
            return Verdict(False, checked, f"entry #{expected_seq} is missing", expected_seq, None)
        if seal.prev_hash != prev:
            problem = "link to the previous entry was changed"
            return Verdict(False, checked, problem, seal.seq, seal.event_id)
        if digest(seal.algorithm, prev, seal.event) != seal.hash:
            return Verdict(False, checked, "entry content was altered", seal.seq, seal.event_id)
        prev = seal.hash
        expected_seq += 1
        checked += 1
    return Verdict(True, checked)


def retention_days() -> int:
    return max(settings.SUNFLOWER_AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)


@transaction.atomic
def prune(now: dt.datetime | None = None) -> int:
    """Remove sealed entries older than the retention period, oldest first, keeping an anchor."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    old = list(
        AuditSeal.objects.select_for_update()
        .filter(event__occurred_at__lt=cutoff)
        .order_by("seq")
        .values_list("seq", "hash", "event_id")
    )
    if not old:
        return 0
    # Only a contiguous run from the start may go, or the chain would have a hole.
    first = AuditSeal.objects.order_by("seq").values_list("seq", flat=True).first()
    run = []
    for expected, row in enumerate(old, start=first or 0):
        if row[0] != expected:
            break
        run.append(row)
    if not run:
        return 0
    last_seq, last_hash, _ = run[-1]
    ChainAnchor.objects.create(
        first_seq=last_seq + 1, prev_hash=last_hash, removed=len(run), cutoff=cutoff
    )
    with allow_retention_deletes():
        AuditSeal.objects.filter(seq__lte=last_seq).delete()
        AuditEvent.objects.filter(id__in=[row[2] for row in run]).delete()
    return len(run)


class allow_retention_deletes:  # noqa: N801 (used as a context manager, reads as a statement)
    """Lift the append-only trigger for this transaction only (PostgreSQL)."""

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL sunflower.audit_retention = 'on'")

    def __exit__(self, *exc: object) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL sunflower.audit_retention = 'off'")
