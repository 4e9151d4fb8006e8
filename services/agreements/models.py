"""Storage tables and API shapes of the agreements service (SQLModel families per entity)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow
from common.fields import Field as CooperationField
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    CaseKind,
    Category,
    DocumentKind,
    Outcome,
    PartnerType,
    Procedure,
    SignatoryLevel,
    TaskKind,
    TaskStatus,
    Touch,
)


def new_id() -> str:
    return str(uuid.uuid4())


def _enum(enum: type[StrEnum]) -> sa.Enum:
    """Stored as VARCHAR, not a PostgreSQL enum type: a new member needs no migration."""
    return sa.Enum(
        enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
    )


# --- Agreement -----------------------------------------------------------------------------


class ForeignParty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. KR")
    type: PartnerType

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class AgreementCreate(BaseModel):
    """A new draft. Field rules of the law are checked on top of these shapes."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=500)
    form: AgreementForm
    form_name: str | None = Field(default=None, max_length=200)
    category: Category = Category.INTERNATIONAL_AGREEMENT
    signatory_level: SignatoryLevel
    signatory_unit: str | None = Field(
        default=None,
        max_length=300,
        description="the signing unit as named at signing, e.g. a department or commune",
    )
    province: str = Field(min_length=2, max_length=64, description="current unit code, e.g. ha-noi")
    foreign_party: ForeignParty
    fields: list[CooperationField] = Field(min_length=1, max_length=12)
    summary: str = Field(default="", max_length=10000)
    languages: list[str] = Field(min_length=1, max_length=10, description="ISO 639-1 codes")
    procedure: Procedure = Procedure.STANDARD
    reduced_reason: str | None = Field(default=None, max_length=2000)
    touches: list[Touch] = Field(default_factory=list, max_length=5)
    related_bodies: list[str] = Field(default_factory=list, max_length=40)
    occasion: str | None = Field(default=None, max_length=300)
    term_months: int | None = Field(default=None, ge=1, le=1200)

    @field_validator("languages")
    @classmethod
    def _lower_unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(x.strip().lower() for x in v))

    @field_validator("fields", "touches", "related_bodies")
    @classmethod
    def _unique(cls, v: list[Any]) -> list[Any]:
        return list(dict.fromkeys(v))

    @field_validator("title", "form_name", "reduced_reason", "occasion", "signatory_unit")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return v.strip() if isinstance(v, str) else v


class AgreementUpdate(BaseModel):
    """A partial change of a draft: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    form: AgreementForm | None = None
    form_name: str | None = None
    category: Category | None = None
    signatory_level: SignatoryLevel | None = None
    signatory_unit: str | None = None
    province: str | None = None
    foreign_party: ForeignParty | None = None
    fields: list[CooperationField] | None = None
    summary: str | None = None
    languages: list[str] | None = None
    procedure: Procedure | None = None
    reduced_reason: str | None = None
    touches: list[Touch] | None = None
    related_bodies: list[str] | None = None
    occasion: str | None = None
    term_months: int | None = None


class Agreement(TableModel, table=True):
    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("reference", name="uq_agreements_reference"),
        Index("ix_agreements_province_status", "province", "status"),
        Index("ix_agreements_created_at", "created_at"),
    )

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    version: int = 1
    status: AgreementStatus = SQLField(
        default=AgreementStatus.DRAFT, sa_type=_enum(AgreementStatus), index=True
    )
    title: str = SQLField(max_length=500)
    form: AgreementForm = SQLField(sa_type=_enum(AgreementForm))
    form_name: str | None = SQLField(default=None, max_length=200)
    category: Category = SQLField(default=Category.INTERNATIONAL_AGREEMENT, sa_type=_enum(Category))
    signatory_level: SignatoryLevel = SQLField(sa_type=_enum(SignatoryLevel))
    signatory_unit: str | None = SQLField(default=None, max_length=300)
    province: str = SQLField(max_length=64)
    partner_name: str = SQLField(max_length=300)
    partner_country: str = SQLField(max_length=2, index=True)
    partner_type: PartnerType = SQLField(sa_type=_enum(PartnerType))
    fields: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    # "|education|trade|": lets one portable LIKE filter by field on SQLite and PostgreSQL.
    fields_index: str = SQLField(default="", max_length=600)
    summary: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    procedure: Procedure = SQLField(default=Procedure.STANDARD, sa_type=_enum(Procedure))
    reduced_reason: str | None = SQLField(default=None, max_length=2000)
    touches: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    related_bodies: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    occasion: str | None = SQLField(default=None, max_length=300)
    term_months: int | None = None
    # Folded (lower case, no diacritics) title + summary + partner, for text search.
    search_text: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    created_by: str = SQLField(max_length=200)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by: str | None = SQLField(default=None, max_length=200)
    submitted_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # Submissions so far: 1 at the first, +1 at each resubmission of a returned dossier.
    round: int = 0

    # A change case (amendment ... suspension) is an agreement of its own kind, linked to the
    # agreement it changes; it runs the same procedure.
    case_kind: CaseKind = SQLField(default=CaseKind.CONCLUSION, sa_type=_enum(CaseKind))
    parent_id: str | None = SQLField(default=None, max_length=36, index=True)
    # Ending cases: the day the termination, withdrawal or suspension takes effect.
    effective_on: date | None = None

    # Historical records (imported) keep their register reference and the former unit.
    reference: str | None = SQLField(default=None, max_length=100)
    imported: bool = False
    historical_unit: str | None = SQLField(default=None, max_length=64)

    # The texts consulted in the current round, and those approved by the decision.
    consulted_text_sha256: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    approved_text_sha256: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    decided_by: str | None = SQLField(default=None, max_length=200)
    decided_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)

    # Signing (ký kết) and the duties after it.
    signed_on: date | None = SQLField(default=None, index=True)
    signing_place: str | None = SQLField(default=None, max_length=300)
    signatories: list[dict[str, Any]] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    signed_text_sha256: str | None = SQLField(default=None, max_length=64)
    effective_from: date | None = None
    expires_on: date | None = None
    copy_due_on: date | None = None
    copy_delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # The day the province says the copy left: punctuality is judged on it (it may be
    # recorded a day or two later than it was sent).
    copy_delivered_on: date | None = None
    copy_received_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class AgreementPublic(BaseModel):
    id: str
    version: int
    status: AgreementStatus
    title: str
    form: AgreementForm
    form_name: str | None
    category: Category
    signatory_level: SignatoryLevel
    signatory_unit: str | None
    province: str
    foreign_party: ForeignParty
    fields: list[str]
    summary: str
    languages: list[str]
    procedure: Procedure
    reduced_reason: str | None
    touches: list[str]
    related_bodies: list[str]
    occasion: str | None
    term_months: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    round: int = 0
    case_kind: CaseKind = CaseKind.CONCLUSION
    parent_id: str | None = None
    effective_on: date | None = None
    reference: str | None = None
    imported: bool = False
    historical_unit: str | None = None
    approved_text_sha256: list[str] = []
    decided_by: str | None = None
    decided_at: datetime | None = None
    signed_on: date | None = None
    signing_place: str | None = None
    signatories: list[dict[str, Any]] = []
    signed_text_sha256: str | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    copy_due_on: date | None = None
    copy_delivered_at: datetime | None = None
    copy_delivered_on: date | None = None
    copy_received_at: datetime | None = None


class AgreementsPublic(BaseModel):
    data: list[AgreementPublic]
    count: int
    limit: int
    offset: int


# --- Documents -----------------------------------------------------------------------------


class Document(TableModel, table=True):
    __tablename__ = "documents"

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    agreement_id: str = SQLField(foreign_key="agreements.id", index=True, max_length=36)
    kind: DocumentKind = SQLField(sa_type=_enum(DocumentKind))
    language: str = SQLField(max_length=8)
    filename: str = SQLField(max_length=255)
    media_type: str = SQLField(max_length=120)
    size: int
    sha256: str = SQLField(max_length=64, index=True)
    uploaded_by: str = SQLField(max_length=200)
    uploaded_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentPublic(BaseModel):
    id: str
    agreement_id: str
    kind: DocumentKind
    language: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class DocumentsPublic(BaseModel):
    data: list[DocumentPublic]
    count: int


# --- Tasks --------------------------------------------------------------------------------


class Task(TableModel, table=True):
    """One thing one organisation must do on one agreement, with its deadline. Rows are
    written by the workflow's activities; the workflow decides, this table shows."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_assignee_status_due", "assignee_org", "status", "due_at"),
        Index("ix_tasks_status_due", "status", "due_at"),
    )

    id: str = SQLField(primary_key=True, max_length=36)
    agreement_id: str = SQLField(foreign_key="agreements.id", index=True, max_length=36)
    kind: TaskKind = SQLField(sa_type=_enum(TaskKind))
    round: int = 1
    assignee_role: str = SQLField(max_length=40)
    assignee_org: str = SQLField(max_length=80)
    status: TaskStatus = SQLField(default=TaskStatus.OPEN, sa_type=_enum(TaskStatus))
    requested_at: datetime = SQLField(sa_type=UTCDateTime)
    due_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    reminder_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    escalations: int = 0
    last_escalated_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = SQLField(default=None, max_length=200)
    claimed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    outcome: str | None = SQLField(default=None, max_length=40)
    comment: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    document_ids: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered_by: str | None = SQLField(default=None, max_length=200)
    answered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    on_time: bool | None = None
    working_days_taken: int | None = None


class AgreementSummary(BaseModel):
    """Enough of an agreement to say what a task is about."""

    id: str
    title: str
    province: str
    status: AgreementStatus
    case_kind: CaseKind
    signatory_level: SignatoryLevel
    partner_name: str
    partner_country: str


class AssigneePublic(BaseModel):
    org: str = Field(description="body code, province code, pm-office or mofa-registry")
    role: str
    name_vi: str | None = None
    name_en: str | None = None


class TaskPublic(BaseModel):
    id: str
    kind: TaskKind
    status: TaskStatus
    round: int
    agreement: AgreementSummary
    assignee: AssigneePublic
    requested_at: datetime
    due_at: datetime | None
    overdue: bool
    working_days_left: int | None = Field(description="while open and not yet overdue")
    claimed_by: str | None
    claimed_at: datetime | None
    outcome: str | None
    comment: str
    document_ids: list[str]
    answered_by: str | None
    answered_at: datetime | None
    on_time: bool | None


class TasksPublic(BaseModel):
    data: list[TaskPublic]
    count: int
    limit: int
    offset: int


class DecisionCreate(BaseModel):
    """An answer to a task: the outcomes its kind allows, a comment, attached opinions."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    comment: str = Field(default="", max_length=10000)
    document_ids: list[str] = Field(default_factory=list, max_length=20)


class SignatoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    side: Literal["VIETNAMESE", "FOREIGN"]
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200, description="position, e.g. Chủ tịch")
    authorised_by: str | None = Field(
        default=None, max_length=300, description="whose authorisation they signed under"
    )


class SigningCreate(BaseModel):
    """The signing of an approved agreement (the SIGNED_TEXT document attached first)."""

    model_config = ConfigDict(extra="forbid")

    signed_on: date
    place: str = Field(min_length=1, max_length=300)
    signatories: list[SignatoryCreate] = Field(min_length=2, max_length=20)
    effective_from: date | None = Field(default=None, description="default: the signing date")
    expires_on: date | None = None
    term_months: int | None = Field(default=None, ge=1, le=1200)
    acknowledge_text_changed: bool = Field(
        default=False,
        description="the signed text differs from the approved one: send it to consultation",
    )


class CopyDeliveryCreate(BaseModel):
    """The signed copy (or the notice of an ending) sent to its recipient."""

    model_config = ConfigDict(extra="forbid")

    delivered_on: date | None = Field(default=None, description="default: today")
    note: str = Field(default="", max_length=2000, description="e.g. the dispatch number")


class CopyDeliveredPublic(BaseModel):
    agreement_status: AgreementStatus
    receipt: TaskPublic


class AmendmentCreate(BaseModel):
    """Amend, supplement or extend a signed agreement: a linked case, drafted like an
    agreement and run through the same procedure with the same decider."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[CaseKind.AMENDMENT, CaseKind.SUPPLEMENT, CaseKind.EXTENSION]
    title: str | None = Field(default=None, min_length=3, max_length=500)
    summary: str = Field(min_length=1, max_length=10000, description="what changes and why")
    expires_on: date | None = Field(default=None, description="the new end (extensions)")
    procedure: Procedure = Procedure.STANDARD
    reduced_reason: str | None = Field(default=None, max_length=2000)
    touches: list[Touch] = Field(default_factory=list, max_length=5)
    related_bodies: list[str] = Field(default_factory=list, max_length=40)


class TerminationCreate(BaseModel):
    """Terminate, withdraw from or suspend a signed agreement from a date."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[CaseKind.TERMINATION, CaseKind.WITHDRAWAL, CaseKind.SUSPENSION]
    effective_on: date
    title: str | None = Field(default=None, min_length=3, max_length=500)
    summary: str = Field(min_length=1, max_length=10000, description="the reasons")
    procedure: Procedure = Procedure.STANDARD
    reduced_reason: str | None = Field(default=None, max_length=2000)
    touches: list[Touch] = Field(default_factory=list, max_length=5)
    related_bodies: list[str] = Field(default_factory=list, max_length=40)


class TimelineStep(BaseModel):
    at: datetime | None
    event: str
    label: str
    actor: str | None = None
    body: str | None = None
    task_id: str | None = None
    due: str | None = Field(default=None, description="deadline (date or moment) if any")
    met: bool | None = Field(default=None, description="whether the deadline was met")
    detail: dict[str, Any] = Field(default_factory=dict)


class TimelinePublic(BaseModel):
    agreement_id: str
    steps: list[TimelineStep]


class DecisionPublic(BaseModel):
    task: TaskPublic
    agreement_status: AgreementStatus


# --- Outbox and idempotency ----------------------------------------------------------------


class OutboxEvent(TableModel, table=True):
    """An event written in the same transaction as the change it announces; the relay
    publishes it and only then sets `published_at`. Rows are kept: they are the event log."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)

    id: int | None = SQLField(default=None, primary_key=True)
    event_id: str = SQLField(default_factory=new_id, max_length=36, unique=True)
    event_type: str = SQLField(max_length=80)
    event_version: int = 1
    agreement_id: str = SQLField(max_length=36, index=True)
    data: dict[str, Any] = SQLField(sa_column=Column(JSON, nullable=False))
    correlation_id: str | None = SQLField(default=None, max_length=128)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class ActivityOp(TableModel, table=True):
    """An activity's effect, recorded with it: a retried activity whose commit landed (but
    whose acknowledgement to Temporal was lost) finds its op id here and answers the same."""

    __tablename__ = "activity_ops"

    op_id: str = SQLField(primary_key=True, max_length=36)
    name: str = SQLField(max_length=60)
    result: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class IdempotencyRecord(TableModel, table=True):
    """The response a write gave, kept per caller and Idempotency-Key, committed with the write."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key", name="uq_idempotency_principal_key"),)

    id: int | None = SQLField(default=None, primary_key=True)
    principal: str = SQLField(max_length=200)
    key: str = SQLField(max_length=200)
    fingerprint: str = SQLField(max_length=64)
    status_code: int
    body: str = SQLField(sa_column=Column(Text, nullable=False))
    headers: dict[str, str] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


# --- People's preferences (web pages) -------------------------------------------------------


class UserPreference(TableModel, table=True):
    """What a person chose on the web pages, kept by token subject so it follows them from
    browser to browser: for now the language (Vietnamese unless they switched)."""

    __tablename__ = "user_preferences"

    subject: str = SQLField(primary_key=True, max_length=200)
    language: str = SQLField(default="vi", max_length=8)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
