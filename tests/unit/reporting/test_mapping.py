"""Events and the operator export reach the read model through one mapper: the same agreement
or consultation gives the same row either way."""

from __future__ import annotations

from datetime import UTC, date, datetime

from common.events.payloads import (
    AgreementRecordV1,
    AgreementSnapshotV1,
    AgreementSubmittedV1,
    ConsultationAnsweredV1,
    ConsultationRecordV1,
    ConsultationRequestedV1,
)
from services.reporting.mapping import (
    fill_agreement,
    fill_consultation,
    new_agreement,
    new_consultation,
)
from services.reporting.models import row_dict
from services.reporting.projection.consultations import consultation_record
from tests.unit.notifications.samples import AT, payload

STATE_AT = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)


def test_a_snapshot_event_and_the_export_record_of_it_fill_the_same_row() -> None:
    data = payload("agreement.submitted", agreement_id="a-1", province="hue")
    data |= {
        "signed_on": "2026-03-04",
        "occasion": "  Visit  ",
        "historical_unit": "thua-thien-hue",
    }
    data["foreign_party"] = {"name": "Seoul", "country": "kr", "type": "LOCAL_GOVERNMENT"}
    event = AgreementSubmittedV1.model_validate(data)
    record = AgreementRecordV1.model_validate(
        {k: v for k, v in data.items() if k in AgreementSnapshotV1.model_fields}
        | {"id": "a-1", "submitted_at": AT.isoformat(), "state_at": STATE_AT.isoformat()}
    )
    from_event, from_export = new_agreement("a-1"), new_agreement("a-1")
    fill_agreement(from_event, event)
    fill_agreement(from_export, record)

    lifecycle = {"imported", "submitted_at", "copy_due_on", "copy_delivered_at", "copy_on_time"}
    snapshot_columns = set(row_dict(from_event)) - lifecycle - {"state_at"}
    event_row, export_row = row_dict(from_event), row_dict(from_export)
    assert {c: event_row[c] for c in snapshot_columns} == {
        c: export_row[c] for c in snapshot_columns
    }
    assert export_row["partner_country"] == "KR" and export_row["occasion"] == "Visit"
    assert export_row["fields_index"] == "|education|"
    assert export_row["signed_on"] == date(2026, 3, 4)
    # The facts later events tell one by one come with the record.
    assert export_row["submitted_at"] == AT and export_row["state_at"] == STATE_AT


def test_a_consultation_event_and_the_export_record_of_it_fill_the_same_row() -> None:
    answered = ConsultationAnsweredV1.model_validate(
        payload("consultation.answered", agreement_id="a-1", province="hue", body="mps")
    )
    exported = ConsultationRecordV1(
        task_id=answered.task_id,
        agreement_id="a-1",
        province="hue",
        body="mps",
        round=1,
        status="DONE",
        requested_at=answered.requested_at,
        due_at=answered.due_at,
        answered_at=answered.answered_at,
        on_time=True,
        working_days_taken=3,
        outcome="AGREE_WITH_COMMENTS",
        state_at=STATE_AT,
    )
    from_event, from_export = new_consultation(answered.task_id), new_consultation(answered.task_id)
    fill_consultation(from_event, consultation_record(answered, STATE_AT))
    fill_consultation(from_export, exported)
    assert row_dict(from_event) == row_dict(from_export)


def test_a_new_request_clears_the_answer_of_an_earlier_round() -> None:
    answered = ConsultationAnsweredV1.model_validate(
        payload("consultation.answered", agreement_id="a-1")
    )
    requested = ConsultationRequestedV1.model_validate(
        payload("consultation.requested", agreement_id="a-1") | {"task_id": answered.task_id}
    )
    row = new_consultation(answered.task_id)
    fill_consultation(row, consultation_record(answered, AT))
    fill_consultation(row, consultation_record(requested, STATE_AT))
    assert (row.answered_at, row.on_time, row.working_days_taken, row.outcome) == (None,) * 4
    assert row.state_at == STATE_AT
