"""The lifecycle workflow's own state: the one dataclass continue-as-new carries over, its
tasks and timers, and the workflow's input.

Here rather than in workflow.py so that the sandbox passes these types through: defined in
the workflow's module, they would be new types in every run, and the data converter would
build their validators again each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from common.law.deadlines import Timing
from common.law.vocabulary import AgreementStatus, Duty, Outcome, Role, TaskKind
from workflows.lifecycle.contracts import Signed, Submission

# A task the workflow knows but whose row the activity has not yet made visible: an answer
# arriving the moment the row appears waits for it instead of being refused.
OPENING: Final = "OPENING"


class Phase(StrEnum):
    """Where the workflow stands; the agreement's status says what people see."""

    WAITING = "WAITING"  # started, the submission not yet seen
    CONSULTATION = "CONSULTATION"
    RETURNED = "RETURNED"
    PM_OPINION = "PM_OPINION"
    DECISION = "DECISION"
    SIGNING = "SIGNING"
    EFFECTIVE_WAIT = "EFFECTIVE_WAIT"  # an approved ending case waits for its effective date
    FOLLOW_UP = "FOLLOW_UP"  # duties after signing, and the years in force
    DONE = "DONE"


class Action(StrEnum):
    """What a timer does when it fires."""

    REMINDER = "REMINDER"
    OVERDUE = "OVERDUE"
    DUTY_REMINDER = "DUTY_REMINDER"
    DUTY_OVERDUE = "DUTY_OVERDUE"
    EFFECTIVE = "EFFECTIVE"
    IN_FORCE = "IN_FORCE"
    PLAN = "PLAN"
    EXPIRING = "EXPIRING"
    EXPIRE = "EXPIRE"


AGREEMENT_TIMERS = frozenset({Action.IN_FORCE, Action.PLAN, Action.EXPIRING, Action.EXPIRE})


@dataclass
class TaskState:
    task_id: str
    kind: TaskKind
    role: Role
    org: str
    round: int
    # OPENING until the activity that makes it visible has returned; then a TaskStatus: OPEN,
    # PAUSED (the dossier is back with the province), DONE or CANCELLED.
    status: str = OPENING
    due_at: datetime | None = None
    outcome: Outcome | None = None
    escalations: int = 0
    answering: bool = False
    # For a delivery or receipt task: which duty (absent: the case's own copy or notice).
    duty: Duty | None = None
    # For a consultation: the draft text (its files' hashes) the body was asked about.
    text_sha256: list[str] = field(default_factory=list)
    # Who of the body holds the task; only they (or the body's supervisor) answer it.
    claimed_by: str | None = None


@dataclass
class DutyState:
    """A duty beyond the case's own copy or notice: the report to the Prime Minister, or a
    year's implementation plan. Its delivery task, then its receipt."""

    duty: Duty
    due_on: date
    task_id: str
    receipt_task_id: str | None = None
    received: bool = False
    year: int | None = None  # the plan's year


@dataclass
class Timer:
    at: datetime
    action: Action
    task_id: str | None = None
    days: int | None = None
    due_on: date | None = None
    # A report's or plan's timers name its duty (and its delivery task in task_id).
    duty: Duty | None = None


@dataclass
class LifecycleState:
    agreement_id: str
    phase: Phase = Phase.WAITING
    status: AgreementStatus = AgreementStatus.SUBMITTED
    submission: Submission | None = None
    pending: list[Submission] = field(default_factory=list)
    seen_event_ids: list[str] = field(default_factory=list)
    round: int = 0
    bodies: list[str] = field(default_factory=list)
    # Set when consultation tasks must be opened: bodies to ask anew, tasks to resume.
    ask_bodies: list[str] = field(default_factory=list)
    resume_task_ids: list[str] = field(default_factory=list)
    supplement_task_id: str | None = None
    tasks: dict[str, TaskState] = field(default_factory=dict)
    timers: list[Timer] = field(default_factory=list)
    pm_outcome: Outcome | None = None
    signing_task_id: str | None = None
    signing_in_flight: bool = False
    signed: Signed | None = None
    text_changed: bool = False
    duty: Duty | None = None
    duty_due_on: date | None = None
    duty_task_id: str | None = None
    receipt_task_id: str | None = None
    duty_received: bool = False
    follow_up_ready: bool = False
    effective_on: date | None = None
    expires_on: date | None = None
    suspended: bool = False
    last_plan_due_on: date | None = None
    # Duties beyond the copy or notice (runs from patches.REPORT_DUTY / PLAN_DUTY on).
    extra_duties: list[DutyState] = field(default_factory=list)


@dataclass
class LifecycleInput:
    agreement_id: str
    timing: Timing = field(default_factory=Timing)
    state: LifecycleState | None = None
