"""Tasks of the procedure, answers to them and the timeline: the table and its API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime
from common.law.vocabulary import (
    AgreementStatus,
    CaseKind,
    Duty,
    Outcome,
    SignatoryLevel,
    TaskKind,
    TaskStatus,
)
from services.agreements.models.base import enum_column

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
    kind: TaskKind = SQLField(sa_type=enum_column(TaskKind))
    # For a duty's delivery and receipt (COPY_DELIVERY, COPY_RECEIPT): which duty; rows from
    # before duties were told apart leave it empty (the case's copy or notice).
    duty: Duty | None = SQLField(default=None, sa_type=enum_column(Duty))
    round: int = 1
    assignee_role: str = SQLField(max_length=40)
    assignee_org: str = SQLField(max_length=80)
    status: TaskStatus = SQLField(default=TaskStatus.OPEN, sa_type=enum_column(TaskStatus))
    requested_at: datetime = SQLField(sa_type=UTCDateTime)
    due_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    reminder_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    escalations: int = 0
    last_escalated_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = SQLField(default=None, max_length=200)
    claimed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # A colleague's claim taken over (the last time), kept for the timeline.
    taken_over_from: str | None = SQLField(default=None, max_length=200)
    taken_over_by: str | None = SQLField(default=None, max_length=200)
    taken_over_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    outcome: str | None = SQLField(default=None, max_length=40)
    comment: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    document_ids: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered_by: str | None = SQLField(default=None, max_length=200)
    answered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    on_time: bool | None = None
    working_days_taken: int | None = None
    # For a consultation: the draft text (its files' hashes) the body was asked about.
    text_sha256: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


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
    duty: Duty | None = Field(
        default=None, description="for a delivery or receipt: COPY, NOTICE, REPORT or PLAN"
    )
    status: TaskStatus
    round: int
    agreement: AgreementSummary
    assignee: AssigneePublic
    requested_at: datetime
    due_at: datetime | None
    overdue: bool
    working_days_left: int | None = Field(description="while open and not yet overdue")
    due_provisional: bool = Field(
        default=False,
        description="the deadline falls in a year whose working-day swaps are not announced "
        "yet: it may still move",
    )
    claimed_by: str | None
    claimed_at: datetime | None
    taken_over_from: str | None = None
    taken_over_by: str | None = None
    taken_over_at: datetime | None = None
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
