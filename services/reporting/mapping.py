"""The one mapper from each record of the agreements service to its row of the read model.

An agreement arrives as a snapshot event (drafted, updated, submitted, imported) or, in a
rebuild, as a record of the operator export, which is the same snapshot with what later events
told; a consultation or a duty arrives as its record, which the projection makes from its
events. Both paths fill rows here, so a rebuilt read model equals the one the events built.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

from common.events.payloads import (
    AgreementRecordV1,
    AgreementSnapshotV1,
    ConsultationRecordV1,
    DutyRecordV1,
)
from common.law.calendar import local_date
from common.law.deadlines import on_time
from services.reporting.models import ReadAgreement, ReadConsultation, ReadDuty

_UNSET_MOMENT: Final = datetime.min.replace(tzinfo=UTC)


def new_agreement(agreement_id: str) -> ReadAgreement:
    """A row for fill_agreement: placeholders in the required columns until it fills them."""
    return ReadAgreement(
        id=agreement_id,
        status="DRAFT",
        province="",
        form="",
        signatory_level="",
        partner_country="",
        partner_type="",
    )


def new_consultation(task_id: str) -> ReadConsultation:
    """A row for fill_consultation: placeholders in the required columns until it fills them."""
    return ReadConsultation(
        task_id=task_id, agreement_id="", province="", body="", requested_at=_UNSET_MOMENT
    )


def fill_agreement(row: ReadAgreement, snapshot: AgreementSnapshotV1) -> None:
    """Every column the snapshot describes; an export record also sets what the events after
    drafting told one at a time (submission, import, the signed copy) and its as-of time. The
    cycles are derived from these afterwards (projection.counts.derive_cycles)."""
    party = snapshot.foreign_party
    fields = [str(f) for f in snapshot.fields]
    row.version = snapshot.version
    row.case_kind = snapshot.case_kind or "CONCLUSION"
    row.parent_id = snapshot.parent_id
    row.status = snapshot.status
    row.province = snapshot.province
    row.historical_unit = snapshot.historical_unit
    row.title = snapshot.title[:500]
    row.form = snapshot.form
    row.signatory_level = snapshot.signatory_level
    row.partner_name = party.name[:300]
    row.partner_country = party.country.upper()
    row.partner_type = party.type
    row.fields = fields
    # "|education|trade|": see ReadAgreement.fields_index.
    row.fields_index = "|" + "|".join(fields) + "|"
    row.occasion = (snapshot.occasion or "").strip() or None
    row.reference = snapshot.reference
    row.created_at = snapshot.created_at
    row.signed_on = snapshot.signed_on
    row.effective_from = snapshot.effective_from
    row.expires_on = snapshot.expires_on
    if isinstance(snapshot, AgreementRecordV1):
        row.imported = snapshot.imported
        row.submitted_at = snapshot.submitted_at
        row.copy_due_on = snapshot.copy_due_on
        row.copy_delivered_at = snapshot.copy_delivered_at
        row.copy_on_time = snapshot.copy_on_time
        row.state_at = snapshot.state_at


def fill_consultation(row: ReadConsultation, record: ConsultationRecordV1) -> None:
    """Every column of a consultation but its cycle (projection.counts.derive_consultation_cycle
    derives it from these)."""
    row.agreement_id = record.agreement_id
    row.province = record.province
    row.body = record.body
    row.round = record.round
    row.requested_at = record.requested_at
    row.due_at = record.due_at
    row.answered_at = record.answered_at
    row.on_time = record.on_time
    row.working_days_taken = record.working_days_taken
    row.outcome = record.outcome
    row.state_at = record.state_at


def new_duty(agreement_id: str, duty: str, due_on: date) -> ReadDuty:
    """A row for fill_duty, older than any record (so the first one fills it all)."""
    return ReadDuty(
        agreement_id=agreement_id, duty=duty, due_on=due_on, province="", state_at=_UNSET_MOMENT
    )


def fill_duty(row: ReadDuty, record: DutyRecordV1) -> None:
    """What the record tells of a duty, into its row (but its cycle: see
    projection.counts.derive_duty_cycle).

    Each event tells part of a duty (it is owed, delivered, received): a record newer than the
    row sets what it tells, an older one (an event arriving late) only what the row does not
    know yet, and nothing makes a delivery or a receipt unknown again. So the row ends the same
    whatever the order its events arrive in, and a replay changes nothing. An export record
    tells all of it, into a new row.
    """
    newer = record.state_at >= row.state_at
    if record.province and (newer or not row.province):
        row.province = record.province
    if record.delivered_at is not None and (newer or row.delivered_at is None):
        row.delivered_at = record.delivered_at
        row.on_time = (
            record.on_time
            if record.on_time is not None
            # As the delivery would have said: delivered by the close of its due day.
            else on_time(local_date(record.delivered_at), row.due_on)
        )
    if record.received_at is not None and (newer or row.received_at is None):
        row.received_at = record.received_at
    row.state_at = max(row.state_at, record.state_at)
