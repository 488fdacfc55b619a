"""Instruments a licensed deployment uploads (MBI, CD-RISC, GHQ-12 … are not shipped).

A programme admin whose scope is a whole city uploads an instrument file in sudo mode. The
file is checked exactly as `sunflower scales validate` checks it (JSON Schema, then the
cross-field rules), with the first problem named by field; then stored in the database so
that every process of a cluster loads it (catalogue.py). Versions are immutable: the same
bytes again change nothing, different bytes under a known id and version are refused, and a
shipped instrument's id cannot be taken over by an upload.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import scope_roots
from sunflower.assessments import catalogue
from sunflower.assessments.models import InstalledInstrument
from sunflower.audit.events import record
from sunflower.scales import Instrument, InstrumentError
from sunflower.scales.loader import parse_instrument, shipped_instruments

MAX_BYTES = 512 * 1024  # the largest shipped file (SCL-90) is about a tenth of this


class InstrumentUploadError(Exception):
    """An upload the rules refuse; str() names the problem for the admin."""


def may_install(actor: User) -> bool:
    """Uploading changes what every cadre of the deployment may be asked: city-wide admins."""
    return any(root.parent_id is None for root in scope_roots(actor, (Role.PROGRAMME_ADMIN,)))


def do_install_instrument(
    actor: User,
    raw: bytes,
    *,
    filename: str,
    purpose: str,
    minutes: int,
    self_assessment: bool,
    licence_note: str,
    request: HttpRequest | None = None,
) -> tuple[Instrument, bool]:
    """Check and store one instrument file; (the instrument, whether it was new)."""
    if not may_install(actor):
        raise InstrumentUploadError(_("只有全市范围的组织部门管理员可以上传量表。"))
    if len(raw) > MAX_BYTES:
        raise InstrumentUploadError(_("文件太大，量表文件不应超过 512 KB。"))
    try:
        instrument = parse_instrument(raw, filename or "upload.yaml")
    except InstrumentError as exc:
        raise InstrumentUploadError(_("量表文件有误：%(problem)s") % {"problem": str(exc)}) from exc
    if any(shipped.id == instrument.id for shipped in shipped_instruments()):
        raise InstrumentUploadError(
            _("“%(id)s”是平台自带的量表，不能用上传的文件替换。请换一个编号。")
            % {"id": instrument.id}
        )
    source = raw.decode("utf-8")
    with transaction.atomic():
        known = (
            InstalledInstrument.objects.select_for_update()
            .filter(instrument_id=instrument.id, version=instrument.version)
            .first()
        )
        if known is not None:
            if known.source != source:
                raise InstrumentUploadError(
                    _("%(ref)s 已经存在且内容不同。量表版本一经发布不能修改，请使用新的版本号。")
                    % {"ref": instrument.ref}
                )
            return instrument, False
        InstalledInstrument.objects.create(
            instrument_id=instrument.id,
            version=instrument.version,
            source=source,
            purpose=purpose.strip(),
            minutes=minutes,
            self_assessment=self_assessment,
            licence_note=licence_note.strip(),
            uploaded_by=actor,
        )
        record(
            "instrument.install",
            actor=actor,
            actor_role=Role.PROGRAMME_ADMIN,
            request=request,
            changes={
                "instrument": instrument.ref,
                "digest": instrument.digest,
                "self_assessment": self_assessment,
            },
        )
        transaction.on_commit(catalogue.forget)
    return instrument, True
