"""Payload models of every event type and version; the JSON schemas in schemas/ are made from these.

Compatibility rule (architecture.md §3): adding an optional field keeps the version; anything
else is a new version with a new model and schema file beside the old one.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from common.events.types import EventType


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


class ForeignPartyV1(BaseModel):
    name: str
    country: str = Field(
        description="ISO 3166-1 alpha-2; empty for an international organisation, which "
        "belongs to no country"
    )
    type: str


class DocumentRefV1(BaseModel):
    document_id: str
    kind: str
    language: str
    filename: str
    media_type: str
    size: int
    sha256: str = Field(pattern="^[0-9a-f]{64}$")


class AgreementSnapshotV1(_Payload):
    """The agreement as it stands after the change that raised the event."""

    agreement_id: str
    version: int
    status: str
    title: str
    form: str
    form_name: str | None = None
    category: str
    signatory_level: str
    signatory_unit: str | None = None
    province: str = Field(description="current provincial unit code")
    foreign_party: ForeignPartyV1
    fields: list[str]
    summary: str
    languages: list[str]
    procedure: str
    reduced_reason: str | None = None
    touches: list[str]
    related_bodies: list[str]
    occasion: str | None = None
    term_months: int | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    # Optional since they were added (compatible within v1).
    case_kind: str = Field(default="CONCLUSION", description="CONCLUSION or the kind of change")
    parent_id: str | None = Field(default=None, description="the agreement a change case changes")
    effective_on: date | None = Field(
        default=None, description="when a termination, withdrawal or suspension takes effect"
    )
    reference: str | None = None
    historical_unit: str | None = Field(
        default=None, description="former provincial unit (of the 63) named at signing"
    )
    signed_on: date | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    reduced_ground: str | None = Field(
        default=None, description="the ground in Art. 35 of a reduced procedure"
    )
    mandatory: bool = Field(
        default=False,
        description="a termination the law makes mandatory (Art. 34), opened by the Ministry "
        "of Foreign Affairs or the decider",
    )


class AgreementDraftedV1(AgreementSnapshotV1):
    pass


class AgreementUpdatedV1(AgreementSnapshotV1):
    changed: list[str] = Field(description="names of the fields this update changed")
    updated_by: str


class AgreementDeletedV1(_Payload):
    agreement_id: str
    version: int
    province: str
    deleted_by: str
    deleted_at: datetime


class DocumentAttachedV1(_Payload):
    agreement_id: str
    province: str
    document: DocumentRefV1
    attached_by: str
    attached_at: datetime


class AgreementSubmittedV1(AgreementSnapshotV1):
    submitted_by: str
    submitted_at: datetime
    documents: list[DocumentRefV1]
    round: int = Field(default=1, description="1, then 2, 3... for each resubmission")


class AgreementImportedV1(AgreementSnapshotV1):
    """A record signed before the system existed, loaded from the historical register."""

    imported_by: str
    imported_at: datetime


# --- the procedure after submission -------------------------------------------------------


class AgreementRefV1(BaseModel):
    """What consumers need to say which agreement an event is about, without calling back."""

    title: str
    signatory_level: str
    partner_name: str
    partner_country: str
    case_kind: str = "CONCLUSION"
    parent_id: str | None = None


class _Step(_Payload):
    agreement_id: str
    province: str = Field(description="current provincial unit code")
    agreement: AgreementRefV1


class ConsultationRequestedV1(_Step):
    task_id: str
    body: str = Field(description="consulted body code, e.g. mofa or ha-noi.police")
    round: int
    procedure: str
    requested_at: datetime
    due_at: datetime
    reminder_at: datetime
    working_days: int
    text_sha256: list[str] = Field(
        default_factory=list, description="the draft text (its files' hashes) asked about"
    )


class ConsultationReminderV1(_Step):
    task_id: str
    body: str
    due_at: datetime
    reminded_at: datetime
    working_days_left: int


class ConsultationOverdueV1(_Step):
    task_id: str
    body: str
    due_at: datetime
    at: datetime
    working_days_overdue: int
    escalation: int = Field(description="1 on the first working day overdue, then 2, 3...")


class ConsultationAnsweredV1(_Step):
    task_id: str
    body: str
    round: int
    outcome: str = Field(description="AGREE, AGREE_WITH_COMMENTS, DISAGREE, REQUEST_SUPPLEMENT")
    comment: str
    document_ids: list[str]
    answered_by: str
    requested_at: datetime
    answered_at: datetime
    due_at: datetime
    on_time: bool
    working_days_taken: int
    text_sha256: list[str] = Field(
        default_factory=list, description="the draft text (its files' hashes) the opinion is on"
    )


class AgreementReturnedV1(_Step):
    task_id: str
    body: str = Field(description="the body that asked for a supplement")
    comment: str
    requested_by: str
    returned_at: datetime
    round: int
    bodies_pending: list[str] = Field(description="bodies still owing an opinion")


class PmOpinionRequestedV1(_Step):
    task_id: str
    requested_at: datetime
    due_at: datetime
    disagreeing_bodies: list[str]


class PmOpinionGivenV1(_Step):
    task_id: str
    outcome: str = Field(description="CONSENT or REFUSE")
    comment: str
    answered_by: str
    answered_at: datetime
    due_at: datetime
    on_time: bool


class PmOpinionOverdueV1(_Step):
    task_id: str
    due_at: datetime
    at: datetime
    working_days_overdue: int
    escalation: int


class DecisionRequestedV1(_Step):
    task_id: str
    requested_at: datetime
    opinions: dict[str, str] = Field(description="body code -> outcome of its last opinion")
    pm_outcome: str | None = None
    decider_role: str | None = Field(
        default=None,
        description="who decides: provincial_leader (absent: the same) or council_chair",
    )


class AgreementApprovedV1(_Step):
    task_id: str
    decided_by: str
    decided_at: datetime
    comment: str
    approved_text_sha256: list[str] = Field(description="the DRAFT_TEXT files approved")


class AgreementRejectedV1(_Step):
    task_id: str
    decided_by: str
    decided_at: datetime
    comment: str
    reason: str = Field(description="LEADER_REJECTED or PM_REFUSED")


class SignatoryV1(BaseModel):
    side: str = Field(description="VIETNAMESE or FOREIGN")
    name: str
    title: str
    authorised_by: str | None = None


class AgreementSignedV1(_Step):
    signed_on: date
    place: str
    signatories: list[SignatoryV1]
    effective_from: date
    expires_on: date | None
    signed_text_sha256: str
    recorded_by: str
    recorded_at: datetime
    copy_due_on: date
    copy_recipient: str = Field(description="mofa-registry, or <province>.foreign-affairs")
    report_due_on: date | None = Field(
        default=None, description="provincial level: when the report to the Prime Minister is due"
    )
    text_matches: dict[str, str] = Field(
        default_factory=dict,
        description="language -> IDENTICAL, or SAME_TEXT when the signed file differs from the "
        "approved one but says the same",
    )


class AgreementTextChangedV1(_Step):
    approved_text_sha256: list[str]
    signed_text_sha256: str
    acknowledged_by: str
    at: datetime
    round: int


class _Duty(_Step):
    duty: str = Field(
        description="COPY (the signed copy), NOTICE (of an end or suspension), REPORT (to the "
        "Prime Minister) or PLAN (the yearly implementation plan)"
    )
    due_on: date
    recipient: str


class AgreementCopyReminderV1(_Duty):
    at: datetime
    days_left: int


class AgreementCopyDeliveredV1(_Duty):
    task_id: str = Field(description="the COPY_RECEIPT task of the recipient")
    delivered_by: str
    delivered_at: datetime
    on_time: bool
    note: str = ""


class AgreementCopyReceivedV1(_Duty):
    task_id: str
    received_by: str
    received_at: datetime


class AgreementCopyOverdueV1(_Duty):
    at: datetime
    days_overdue: int


class AgreementInForceV1(_Step):
    effective_from: date
    expires_on: date | None
    at: datetime


class AgreementPlanDueV1(_Step):
    year: int = Field(description="the year the implementation plan is for")
    due_on: date
    at: datetime
    task_id: str | None = Field(
        default=None, description="the province's task of delivering the plan, if it is a duty"
    )


class AgreementExpiringV1(_Step):
    expires_on: date
    days_left: int
    at: datetime


class AgreementExpiredV1(_Step):
    expires_on: date
    at: datetime


class AgreementAmendedV1(_Step):
    """On the changed agreement, when a change case (amendment, supplement, extension) was
    signed."""

    case_id: str
    case_kind: str
    signed_on: date
    expires_on: date | None
    at: datetime


class AgreementTerminatedV1(_Step):
    """On the changed agreement, when a termination, withdrawal or suspension takes effect."""

    case_id: str
    case_kind: str
    status: str = Field(description="TERMINATED, WITHDRAWN or SUSPENDED")
    effective_on: date
    notice_due_on: date
    at: datetime


# --- records of the operator export (not events) ------------------------------------------
# `/v1/export/agreements`, `/consultations` and `/duties` of the agreements service answer with
# these; a consumer rebuilding its read model after the broker lost its data reads them with the
# same models its events use.


class AgreementRecordV1(AgreementSnapshotV1):
    """An agreement as a snapshot event carries it, plus what later events told of it one at a
    time (submission, import, the signed copy) and the time of its newest event."""

    id: str = Field(description="the agreement's id (as agreement_id): the export's page key")
    imported: bool = False
    submitted_at: datetime | None = None
    copy_due_on: date | None = None
    copy_delivered_at: datetime | None = None
    copy_on_time: bool | None = Field(
        default=None, description="the signed copy was delivered by its due day"
    )
    state_at: datetime = Field(description="the time of its newest event: what the record reflects")


class ConsultationRecordV1(_Payload):
    """A consultation task (a body asked for its written opinion) and its answer, if any."""

    task_id: str
    agreement_id: str
    province: str = Field(description="current provincial unit code of the agreement")
    body: str = Field(description="consulted body code")
    round: int
    status: str = Field(description="OPEN, PAUSED, DONE or CANCELLED")
    requested_at: datetime
    due_at: datetime | None = None
    answered_at: datetime | None = None
    on_time: bool | None = None
    working_days_taken: int | None = None
    outcome: str | None = None
    state_at: datetime = Field(description="the time of the agreement's newest event")


class DutyRecordV1(_Payload):
    """A duty a province owes after a decision took effect (copy, notice, report, plan), as
    the province's delivery task and the recipient's receipt tell it; `/v1/export/duties`."""

    task_id: str | None = Field(
        default=None,
        description="the province's delivery task: the export's page key (events that open a "
        "copy or a notice do not name it)",
    )
    agreement_id: str = Field(description="the agreement or change case that owes the duty")
    province: str = Field(description="current provincial unit code")
    duty: str = Field(description="COPY, NOTICE, REPORT or PLAN")
    due_on: date
    delivered_at: datetime | None = None
    on_time: bool | None = Field(default=None, description="delivered by its due day")
    received_at: datetime | None = Field(default=None, description="the recipient's receipt")
    state_at: datetime = Field(description="the time of the newest event the record reflects")


class AgreementResumedV1(_Step):
    """On the suspended agreement, when a resumption case takes effect: in force again."""

    case_id: str
    effective_on: date
    notice_due_on: date
    at: datetime


PAYLOADS: dict[tuple[str, int], type[BaseModel]] = {
    (EventType.AGREEMENT_DRAFTED, 1): AgreementDraftedV1,
    (EventType.AGREEMENT_UPDATED, 1): AgreementUpdatedV1,
    (EventType.AGREEMENT_DELETED, 1): AgreementDeletedV1,
    (EventType.DOCUMENT_ATTACHED, 1): DocumentAttachedV1,
    (EventType.AGREEMENT_SUBMITTED, 1): AgreementSubmittedV1,
    (EventType.AGREEMENT_IMPORTED, 1): AgreementImportedV1,
    (EventType.CONSULTATION_REQUESTED, 1): ConsultationRequestedV1,
    (EventType.CONSULTATION_REMINDER, 1): ConsultationReminderV1,
    (EventType.CONSULTATION_OVERDUE, 1): ConsultationOverdueV1,
    (EventType.CONSULTATION_ANSWERED, 1): ConsultationAnsweredV1,
    (EventType.AGREEMENT_RETURNED, 1): AgreementReturnedV1,
    (EventType.PM_OPINION_REQUESTED, 1): PmOpinionRequestedV1,
    (EventType.PM_OPINION_GIVEN, 1): PmOpinionGivenV1,
    (EventType.PM_OPINION_OVERDUE, 1): PmOpinionOverdueV1,
    (EventType.DECISION_REQUESTED, 1): DecisionRequestedV1,
    (EventType.AGREEMENT_APPROVED, 1): AgreementApprovedV1,
    (EventType.AGREEMENT_REJECTED, 1): AgreementRejectedV1,
    (EventType.AGREEMENT_SIGNED, 1): AgreementSignedV1,
    (EventType.AGREEMENT_TEXT_CHANGED, 1): AgreementTextChangedV1,
    (EventType.AGREEMENT_COPY_REMINDER, 1): AgreementCopyReminderV1,
    (EventType.AGREEMENT_COPY_DELIVERED, 1): AgreementCopyDeliveredV1,
    (EventType.AGREEMENT_COPY_RECEIVED, 1): AgreementCopyReceivedV1,
    (EventType.AGREEMENT_COPY_OVERDUE, 1): AgreementCopyOverdueV1,
    (EventType.AGREEMENT_IN_FORCE, 1): AgreementInForceV1,
    (EventType.AGREEMENT_PLAN_DUE, 1): AgreementPlanDueV1,
    (EventType.AGREEMENT_EXPIRING, 1): AgreementExpiringV1,
    (EventType.AGREEMENT_EXPIRED, 1): AgreementExpiredV1,
    (EventType.AGREEMENT_AMENDED, 1): AgreementAmendedV1,
    (EventType.AGREEMENT_TERMINATED, 1): AgreementTerminatedV1,
    (EventType.AGREEMENT_RESUMED, 1): AgreementResumedV1,
}

# Each payload model names its event: producers pass the model, never the type's string.
EVENT_OF: dict[type[BaseModel], tuple[str, int]] = {
    model: key for key, model in PAYLOADS.items() if model is not AgreementSnapshotV1
}


def event_of(payload: BaseModel) -> tuple[str, int]:
    """(event type, version) of a payload model instance."""
    try:
        return EVENT_OF[type(payload)]
    except KeyError:
        raise TypeError(f"{type(payload).__name__} is not the payload of any event") from None
