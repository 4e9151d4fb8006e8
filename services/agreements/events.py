"""How the agreements service describes its records in events: the one mapper from a stored
agreement (and document) to the payload models of common/events/payloads.py. Every producer
(drafting, import, the procedure's steps) builds its event from these."""

from __future__ import annotations

from typing import Any

from common.events.payloads import (
    AgreementRefV1,
    AgreementSnapshotV1,
    DocumentRefV1,
    ForeignPartyV1,
)
from services.agreements.models import Agreement, Document

_SNAPSHOT_FIELDS = tuple(
    name
    for name in AgreementSnapshotV1.model_fields
    if name not in ("agreement_id", "foreign_party")
)


def snapshot_fields(a: Agreement) -> dict[str, Any]:
    """The agreement as every snapshot event carries it (AgreementSnapshotV1's fields); a
    snapshot event adds its own fields and validates the whole."""
    return {
        "agreement_id": a.id,
        "foreign_party": foreign_party(a),
        **{name: getattr(a, name) for name in _SNAPSHOT_FIELDS},
    }


def snapshot(a: Agreement) -> AgreementSnapshotV1:
    return AgreementSnapshotV1(**snapshot_fields(a))


def foreign_party(a: Agreement) -> ForeignPartyV1:
    return ForeignPartyV1(name=a.partner_name, country=a.partner_country, type=a.partner_type)


def agreement_ref(a: Agreement) -> AgreementRefV1:
    """What a step of the procedure says about the agreement it concerns."""
    return AgreementRefV1(
        title=a.title,
        signatory_level=a.signatory_level,
        partner_name=a.partner_name,
        partner_country=a.partner_country,
        case_kind=a.case_kind,
        parent_id=a.parent_id,
    )


def document_ref(d: Document) -> DocumentRefV1:
    return DocumentRefV1(
        document_id=d.id,
        kind=d.kind,
        language=d.language,
        filename=d.filename,
        media_type=d.media_type,
        size=d.size,
        sha256=d.sha256,
    )
