"""The contract between the lifecycle workflow, the bridge, the API and the agreements worker:
queue, signal, update and activity names, and the one dataclass each of them takes or returns.

Nothing here imports a framework: the workflow sandbox, the agreements service and the tests
all import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from common.law.vocabulary import (
    AgreementStatus,
    CaseKind,
    Duty,
    Outcome,
    Procedure,
    Role,
    SignatoryLevel,
    TaskKind,
    Touch,
)

WORKFLOW_TASK_QUEUE = "agreement-workflows"
ACTIVITY_TASK_QUEUE = "agreements"
WORKFLOW_NAME = "AgreementLifecycleWorkflow"


def workflow_id(agreement_id: str) -> str:
    return f"agreement-{agreement_id}"


# Signals (fire and forget) and updates (answered at once, validated first).
SIGNAL_SUBMITTED = "submitted"
SIGNAL_PARENT_CHANGED = "parent_changed"
SIGNAL_PARENT_ENDED = "parent_ended"
UPDATE_DECIDE = "decide"
UPDATE_SIGN = "sign"
UPDATE_DELIVER_COPY = "deliver_copy"
UPDATE_CLAIM = "claim"
QUERY_STATE = "state"


# Error types carried by ApplicationError out of update validators and handlers; the API maps
# them to HTTP statuses.
class Refusal:
    NOT_ASSIGNEE = "not_assignee"  # 403
    TASK_UNKNOWN = "task_unknown"  # 404
    TASK_CLOSED = "task_closed"  # 409
    TASK_PAUSED = "task_paused"  # 409
    ALREADY_ANSWERED = "already_answered"  # 409
    WRONG_PHASE = "wrong_phase"  # 409
    INVALID_OUTCOME = "invalid_outcome"  # 422
    TASK_CLAIMED = "task_claimed"  # 409: a colleague holds the task


# --- workflow input, signals, updates -------------------------------------------------------


@dataclass
class Submission:
    """Sent by the bridge for each `agreement.submitted` event (first submission and each
    resubmission of a returned dossier)."""

    event_id: str
    agreement_id: str
    round: int
    submitted_at: datetime
    signatory_level: SignatoryLevel
    province: str
    procedure: Procedure
    touches: list[Touch]
    related_bodies: list[str]
    case_kind: CaseKind = CaseKind.CONCLUSION
    parent_id: str | None = None
    effective_on: date | None = None
    # The fields of cooperation: their content widens the route (absent from older runs).
    fields: list[str] = field(default_factory=list)
    # The draft text submitted (its files' hashes): a body that gave its opinion on another
    # text is asked again (absent from older runs).
    text_sha256: list[str] = field(default_factory=list)


@dataclass
class Actor:
    subject: str
    role: Role
    org: str


@dataclass
class Decide:
    """Answer a task: a consultation opinion, the PM's opinion, the decision, a receipt."""

    task_id: str
    outcome: str
    actor: Actor
    comment: str = ""
    document_ids: list[str] = field(default_factory=list)


class ClaimAction:
    CLAIM = "claim"
    RELEASE = "release"
    TAKE_OVER = "take_over"  # a colleague's claim, taken over (recorded on the timeline)


@dataclass
class Claim:
    """Claim, release or take over a task: whoever holds it is the one who answers it."""

    task_id: str
    actor: Actor
    action: str = ClaimAction.CLAIM


@dataclass
class RecordClaim:
    op_id: str
    agreement_id: str
    task_id: str
    claimed_by: str | None
    taken_over_from: str | None
    at: datetime


@dataclass
class ClaimResult:
    task_id: str
    claimed_by: str | None
    previous: str | None  # who held it before


@dataclass
class SignatoryInput:
    side: str
    name: str
    title: str
    authorised_by: str | None = None


@dataclass
class Sign:
    """The signing of an approved agreement, checked by the API (documents, dates)."""

    actor: Actor
    signed_on: date
    place: str
    signatories: list[SignatoryInput]
    effective_from: date
    expires_on: date | None
    signed_text_sha256: str
    text_changed: bool = False
    # Language -> how its signed version compares with the approved one (common.law.signing).
    text_matches: dict[str, str] = field(default_factory=dict)


@dataclass
class DeliverCopy:
    actor: Actor
    delivered_on: date
    note: str = ""
    # Which duty was delivered: the copy or notice when absent; the report or a yearly plan.
    duty: Duty | None = None


@dataclass
class ParentChanged:
    case_id: str
    expires_on: date | None


@dataclass
class ParentEnded:
    case_id: str
    status: AgreementStatus  # TERMINATED, WITHDRAWN or SUSPENDED
    effective_on: date


@dataclass
class TaskView:
    task_id: str
    kind: TaskKind
    org: str
    role: Role
    round: int
    status: str
    due_at: datetime | None = None
    outcome: str | None = None


@dataclass
class UpdateResult:
    """What an update answers: the task it touched and where the agreement now stands."""

    agreement_id: str
    phase: str
    status: AgreementStatus
    task: TaskView | None = None


@dataclass
class StateView:
    agreement_id: str
    phase: str
    status: AgreementStatus
    round: int
    tasks: list[TaskView]


# --- activities ---------------------------------------------------------------------------
# Every state-changing activity carries an `op_id` chosen by the workflow (deterministic): the
# activity stores it with its effect in one transaction, so a retry after a commit whose
# acknowledgement was lost returns the first result instead of doing it twice.


class Activities:
    OPEN_CONSULTATIONS = "open_consultations"
    RECORD_TASK_REMINDER = "record_task_reminder"
    RECORD_TASK_OVERDUE = "record_task_overdue"
    RECORD_ANSWER = "record_answer"
    RETURN_DOSSIER = "return_dossier"
    OPEN_PM_OPINION = "open_pm_opinion"
    OPEN_DECISION = "open_decision"
    OPEN_DUTY = "open_duty"
    RECORD_SIGNING = "record_signing"
    RESTART_FOR_CHANGED_TEXT = "restart_for_changed_text"
    APPLY_CHANGE_TO_PARENT = "apply_change_to_parent"
    APPLY_ENDING_TO_PARENT = "apply_ending_to_parent"
    RECORD_COPY_DELIVERED = "record_copy_delivered"
    RECORD_DUTY_REMINDER = "record_duty_reminder"
    RECORD_DUTY_OVERDUE = "record_duty_overdue"
    MARK_IN_FORCE = "mark_in_force"
    RECORD_PLAN_DUE = "record_plan_due"
    RECORD_EXPIRING = "record_expiring"
    MARK_EXPIRED = "mark_expired"
    RECORD_CLAIM = "record_claim"


@dataclass
class NewConsultation:
    task_id: str
    body: str


@dataclass
class OpenConsultations:
    op_id: str
    agreement_id: str
    at: datetime
    round: int
    working_days: int
    reminder_working_days_before: int
    new_tasks: list[NewConsultation]
    resumed_task_ids: list[str] = field(default_factory=list)
    supplement_task_id: str | None = None  # the province's duty this resubmission completes


@dataclass
class Deadline:
    task_id: str
    due_at: datetime
    reminder_at: datetime | None
    escalate_at: datetime  # first escalation: the morning of the first working day overdue


@dataclass
class Deadlines:
    deadlines: list[Deadline]


@dataclass
class TaskTimer:
    op_id: str
    agreement_id: str
    task_id: str
    at: datetime
    escalation: int = 0


@dataclass
class Escalated:
    next_escalate_at: datetime


@dataclass
class RecordAnswer:
    op_id: str
    agreement_id: str
    task_id: str
    outcome: str
    comment: str
    document_ids: list[str]
    actor: Actor
    at: datetime


@dataclass
class Answered:
    task_id: str
    kind: TaskKind
    outcome: Outcome
    on_time: bool | None
    status: AgreementStatus


@dataclass
class ReturnDossier:
    op_id: str
    agreement_id: str
    requesting_task_id: str
    paused_task_ids: list[str]
    supplement_task_id: str
    at: datetime


@dataclass
class OpenPmOpinion:
    op_id: str
    agreement_id: str
    task_id: str
    working_days: int
    disagreeing_bodies: list[str]
    at: datetime


@dataclass
class OpenDecision:
    op_id: str
    agreement_id: str
    task_id: str
    opinions: dict[str, str]
    pm_outcome: str | None
    at: datetime
    # Who decides; absent from runs older than patches.DECIDER_BY_LEVEL (the Committee's
    # Chairman decided then).
    decider_role: Role | None = None
    decider_org: str | None = None


@dataclass
class OpenDuty:
    """A province duty (SIGNING, COPY_DELIVERY) with its due date, if any."""

    op_id: str
    agreement_id: str
    task_id: str
    kind: TaskKind
    at: datetime
    due_on: date | None = None


@dataclass
class RecordSigning:
    op_id: str
    agreement_id: str
    sign: Sign
    copy_task_id: str
    copy_calendar_days: int
    copy_to_mofa_for_all_levels: bool
    at: datetime
    # The province's task of reporting to the Prime Minister (provincial level, runs from
    # patches.REPORT_DUTY on).
    report_task_id: str | None = None


@dataclass
class Signed:
    effective_from: date
    expires_on: date | None
    copy_due_on: date
    signed_on: date
    report_due_on: date | None = None


@dataclass
class RestartForChangedText:
    op_id: str
    agreement_id: str
    signed_text_sha256: str
    actor: Actor
    round: int
    at: datetime


@dataclass
class ApplyChangeToParent:
    op_id: str
    case_id: str
    parent_id: str
    at: datetime


@dataclass
class ApplyEndingToParent:
    op_id: str
    case_id: str
    parent_id: str
    notice_task_id: str
    notice_calendar_days: int
    copy_to_mofa_for_all_levels: bool
    at: datetime


@dataclass
class ParentEffect:
    """What a change case did to the agreement it changes."""

    parent_id: str
    status: AgreementStatus
    expires_on: date | None
    effective_on: date | None = None
    notice_due_on: date | None = None


@dataclass
class RecordCopyDelivered:
    op_id: str
    agreement_id: str
    duty: Duty
    delivered_on: date
    note: str
    actor: Actor
    receipt_task_id: str
    copy_to_mofa_for_all_levels: bool
    at: datetime
    # The delivery task this closes (absent from older runs: every open copy or notice task).
    delivery_task_id: str | None = None


@dataclass
class DutyTimer:
    op_id: str
    agreement_id: str
    duty: Duty
    due_on: date
    at: datetime
    copy_to_mofa_for_all_levels: bool = False
    # The delivery task of a report or plan (absent for the case's own copy or notice).
    task_id: str | None = None


@dataclass
class AgreementTimer:
    op_id: str
    agreement_id: str
    at: datetime
    days: int | None = None  # days left before expiry, or the plan's year
    due_on: date | None = None
    # With the plan's reminder: the province's task of delivering the plan (patches.PLAN_DUTY).
    task_id: str | None = None


@dataclass
class Done:
    """An activity that only needs to say it ran (and whether it changed anything)."""

    changed: bool = True
