"""The contract between the lifecycle workflow, the bridge, the API and the activity worker:
queue, signal, update and activity names, and the one dataclass each of them takes or returns.

Nothing here imports a framework: the workflow sandbox, the agreements service and the tests
all import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from common.law.deadlines import Timing

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


# --- workflow input, signals, updates -------------------------------------------------------


@dataclass
class Submission:
    """Sent by the bridge for each `agreement.submitted` event (first submission and each
    resubmission of a returned dossier)."""

    event_id: str
    agreement_id: str
    round: int
    submitted_at: datetime
    signatory_level: str
    province: str
    procedure: str
    touches: list[str]
    related_bodies: list[str]
    case_kind: str = "CONCLUSION"
    parent_id: str | None = None
    effective_on: date | None = None


@dataclass
class Actor:
    subject: str
    role: str
    org: str


@dataclass
class Decide:
    """Answer a task: a consultation opinion, the PM's opinion, the decision, a receipt."""

    task_id: str
    outcome: str
    actor: Actor
    comment: str = ""
    document_ids: list[str] = field(default_factory=list)


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


@dataclass
class DeliverCopy:
    actor: Actor
    delivered_on: date
    note: str = ""


@dataclass
class ParentChanged:
    case_id: str
    expires_on: date | None


@dataclass
class ParentEnded:
    case_id: str
    status: str  # TERMINATED, WITHDRAWN or SUSPENDED
    effective_on: date


@dataclass
class TaskView:
    task_id: str
    kind: str
    org: str
    role: str
    round: int
    status: str
    due_at: datetime | None = None
    outcome: str | None = None


@dataclass
class UpdateResult:
    """What an update answers: the task it touched and where the agreement now stands."""

    agreement_id: str
    phase: str
    status: str
    task: TaskView | None = None


@dataclass
class StateView:
    agreement_id: str
    phase: str
    status: str
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
    kind: str
    outcome: str
    on_time: bool | None
    status: str


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


@dataclass
class OpenDuty:
    """A province duty (SIGNING, COPY_DELIVERY) with its due date, if any."""

    op_id: str
    agreement_id: str
    task_id: str
    kind: str
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


@dataclass
class Signed:
    effective_from: date
    expires_on: date | None
    copy_due_on: date
    signed_on: date


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
    status: str
    expires_on: date | None
    effective_on: date | None = None
    notice_due_on: date | None = None


@dataclass
class RecordCopyDelivered:
    op_id: str
    agreement_id: str
    duty: str
    delivered_on: date
    note: str
    actor: Actor
    receipt_task_id: str
    copy_to_mofa_for_all_levels: bool
    at: datetime


@dataclass
class DutyTimer:
    op_id: str
    agreement_id: str
    duty: str
    due_on: date
    at: datetime
    copy_to_mofa_for_all_levels: bool = False


@dataclass
class AgreementTimer:
    op_id: str
    agreement_id: str
    at: datetime
    days: int | None = None  # days left before expiry, or the plan's year
    due_on: date | None = None


@dataclass
class Done:
    """An activity that only needs to say it ran (and whether it changed anything)."""

    changed: bool = True


# --- the workflow's own state (its input when it continues as new) ------------------------
# Here rather than in workflow.py so that the sandbox passes these types through: defined in
# the workflow's module, they would be new types in every run, and the data converter would
# build their validators again each time.


class Phase:
    WAITING = "WAITING"  # started, the submission not yet seen
    CONSULTATION = "CONSULTATION"
    RETURNED = "RETURNED"
    PM_OPINION = "PM_OPINION"
    DECISION = "DECISION"
    SIGNING = "SIGNING"
    EFFECTIVE_WAIT = "EFFECTIVE_WAIT"  # an approved ending case waits for its effective date
    FOLLOW_UP = "FOLLOW_UP"  # duties after signing, and the years in force
    DONE = "DONE"


class Action:
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
    kind: str
    role: str
    org: str
    round: int
    # OPENING until the activity that makes it visible has returned; then OPEN, PAUSED (the
    # dossier is back with the province), DONE or CANCELLED.
    status: str = "OPENING"
    due_at: datetime | None = None
    outcome: str | None = None
    escalations: int = 0
    answering: bool = False


@dataclass
class Timer:
    at: datetime
    action: str
    task_id: str | None = None
    days: int | None = None
    due_on: date | None = None


@dataclass
class LifecycleState:
    agreement_id: str
    phase: str = Phase.WAITING
    status: str = "SUBMITTED"
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
    pm_outcome: str | None = None
    signing_task_id: str | None = None
    signing_in_flight: bool = False
    signed: Signed | None = None
    text_changed: bool = False
    duty: str | None = None
    duty_due_on: date | None = None
    duty_task_id: str | None = None
    receipt_task_id: str | None = None
    duty_received: bool = False
    follow_up_ready: bool = False
    effective_on: date | None = None
    expires_on: date | None = None
    suspended: bool = False
    last_plan_due_on: date | None = None


@dataclass
class LifecycleInput:
    agreement_id: str
    timing: Timing = field(default_factory=Timing)
    state: LifecycleState | None = None
